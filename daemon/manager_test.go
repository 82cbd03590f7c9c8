package daemon

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/netlinkraw"
	"github.com/goiscsi/goiscsi/records"
)

// managerHarness is a Manager over the trace kernel with a router, its
// log, and a dial that can be made to refuse.
type managerHarness struct {
	k       *traceKernel
	m       *Manager
	mu      sync.Mutex
	logs    []string
	refuse  int // connections still to refuse
	dials   int
	realDia func(context.Context, string) (Conn, error)
}

func newManagerHarness(t *testing.T) (*managerHarness, context.Context) {
	h := &managerHarness{k: newTraceKernel(t, "login-noauth.hex"), realDia: loopbackDial(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	e := &Engine{Kernel: h.k, Sys: fakeSys(t), Dial: h.dial, Router: NewRouter(16)}
	go e.Router.Run(ctx, h.k.Events())
	h.m = &Manager{Engine: e, Logf: h.logf, RetryInterval: 20 * time.Millisecond, DialStagger: 50 * time.Millisecond, DialWindow: time.Second}
	go h.m.Run(ctx, e.Router.Other())
	t.Cleanup(h.m.Close)
	return h, ctx
}

func (h *managerHarness) logf(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logs = append(h.logs, fmt.Sprintf(format, args...))
}

func (h *managerHarness) log() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.logs, "\n")
}

func (h *managerHarness) dial(ctx context.Context, addr string) (Conn, error) {
	h.mu.Lock()
	h.dials++
	refuse := h.refuse > 0
	if refuse {
		h.refuse--
	}
	h.mu.Unlock()
	if refuse {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return h.realDia(ctx, addr)
}

// loginThenAnswerAll logs in by the trace, then lets the kernel answer
// every later login request with the trace's accepting response.
func (h *managerHarness) loginThenAnswerAll(t *testing.T, ctx context.Context) *Session {
	t.Helper()
	accept := append([]byte(nil), h.k.trace[1]...)
	s, err := h.m.Login(ctx, traceTarget(t), false)
	if err != nil {
		t.Fatalf("Login = %v", err)
	}
	dlen := int(accept[5])<<16 | int(accept[6])<<8 | int(accept[7])
	h.k.mu.Lock()
	h.k.answer = func(hdr []byte) []byte {
		b := append([]byte(nil), accept[:login.BHSLen+dlen]...)
		copy(b[16:20], hdr[16:20])
		return b
	}
	h.k.mu.Unlock()
	return s
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestManagerRecovers: a CONN_ERROR stops the connection for recovery,
// and the manager reconnects (through refusals), binds the same kernel
// connection, logs in and starts it, logging open-iscsi's lines.
func TestManagerRecovers(t *testing.T) {
	h, ctx := newManagerHarness(t)
	s := h.loginThenAnswerAll(t, ctx)
	h.mu.Lock()
	h.refuse = 2
	h.mu.Unlock()
	mark := len(h.k.calls)
	h.k.events <- netlinkraw.Event{Type: netlinkraw.KeventConnError, Sid: s.Sid, Cid: s.Cid, Error: uint32(netlinkraw.ErrTCPConnClose)}
	// A second report of the same failure must not start a second recovery.
	h.k.events <- netlinkraw.Event{Type: netlinkraw.KeventConnError, Sid: s.Sid, Cid: s.Cid, Error: uint32(netlinkraw.ErrTCPConnClose)}
	waitFor(t, "recovery", func() bool { return strings.Contains(h.log(), "after recovery") })
	logs := h.log()
	for _, want := range []string{
		"Kernel reported iSCSI connection 1:0 error (1020 - ISCSI_ERR_TCP_CONN_CLOSE) state (3)",
		"Connection1:0 to [target: iqn.2026-11.test:root, portal: 10.0.2.100,3260] through [iface: default] is operational after recovery (3 attempts)",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	h.k.mu.Lock()
	calls := strings.Join(h.k.calls[mark:], "\n")
	h.k.mu.Unlock()
	if n := strings.Count(calls, "STOP_CONN sid=1 cid=0 flag=STOP_CONN_RECOVER"); n != 1 {
		t.Errorf("%d STOP_CONN_RECOVER, want 1:\n%s", n, calls)
	}
	for _, want := range []string{"BIND_CONN sid=1 cid=0", "SEND_PDU", "START_CONN sid=1 cid=0"} {
		if !strings.Contains(calls, want) {
			t.Errorf("recovery did not %s:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, "CREATE_") || strings.Contains(calls, "DESTROY_") {
		t.Errorf("recovery created or destroyed kernel objects:\n%s", calls)
	}
	if info := h.m.Sessions(); len(info) != 1 || info[0].State != StateNoChange {
		t.Errorf("sessions after recovery = %+v", info)
	}
}

// TestManagerLogoutDuringRecovery: a logout ends a recovery that cannot
// reconnect and tears the session down.
func TestManagerLogoutDuringRecovery(t *testing.T) {
	h, ctx := newManagerHarness(t)
	s := h.loginThenAnswerAll(t, ctx)
	h.mu.Lock()
	h.refuse = 1 << 30
	h.mu.Unlock()
	h.k.events <- netlinkraw.Event{Type: netlinkraw.KeventConnError, Sid: s.Sid, Cid: s.Cid, Error: uint32(netlinkraw.ErrConnFailed)}
	waitFor(t, "reconnect attempts", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.dials > 3
	})
	if info := h.m.Sessions(); len(info) != 1 || info[0].State != StateReopen {
		t.Errorf("sessions during recovery = %+v, want one in %s", info, StateReopen)
	}
	lctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_ = h.m.Logout(lctx, s.Sid) // the target does not answer the Logout PDU
	h.k.mu.Lock()
	calls := strings.Join(h.k.calls, "\n")
	h.k.mu.Unlock()
	if !strings.Contains(calls, "DESTROY_SESSION sid=1") {
		t.Errorf("logout during recovery left the session:\n%s", calls)
	}
	if len(h.m.Sessions()) != 0 {
		t.Errorf("session still managed after logout")
	}
}

// TestManagerRefusesDuplicate: a second session to the same target and
// portal needs -o new (extra).
func TestManagerRefusesDuplicate(t *testing.T) {
	h, ctx := newManagerHarness(t)
	h.loginThenAnswerAll(t, ctx)
	_, err := h.m.Login(ctx, traceTarget(t), false)
	if code, _ := ErrorCode(err); code != 15 {
		t.Errorf("second Login = %v (code %d), want ISCSI_ERR_SESS_EXISTS", err, code)
	}
}

// TestManagerAdopt: a session sysfs shows and the manager did not log
// in is taken over; one the kernel reports FAILED is recovered at once,
// with the name, portal and initiator name sysfs gives.
func TestManagerAdopt(t *testing.T) {
	h, ctx := newManagerHarness(t)
	accept := append([]byte(nil), h.k.trace[1]...)
	dlen := int(accept[5])<<16 | int(accept[6])<<8 | int(accept[7])
	var loginReq []byte
	h.k.answer = func(hdr []byte) []byte {
		loginReq = append([]byte(nil), hdr...)
		b := append([]byte(nil), accept[:login.BHSLen+dlen]...)
		copy(b[16:20], hdr[16:20])
		return b
	}
	dir := h.m.Engine.Sys.Dir
	for path, v := range map[string]string{
		"class/iscsi_session/session7/targetname":                 "iqn.2026-11.test:root",
		"class/iscsi_session/session7/tpgt":                       "1",
		"class/iscsi_session/session7/state":                      "FAILED",
		"class/iscsi_session/session7/recovery_tmo":               "30",
		"class/iscsi_session/session7/initiatorname":              "iqn.2026-11.test:guest",
		"class/iscsi_connection/connection7:0/persistent_address": "10.0.2.100",
		"class/iscsi_connection/connection7:0/persistent_port":    "3260",
	} {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := h.m.Adopt(ctx, nil, records.New(records.NodeTable))
	if err != nil || len(ids) != 1 || ids[0] != 7 {
		t.Fatalf("Adopt = %v, %v; want [7]", ids, err)
	}
	waitFor(t, "recovery", func() bool { return strings.Contains(h.log(), "after recovery") })
	s, ok := h.m.Session(7)
	if !ok || s.Target.Name != "iqn.2026-11.test:root" || s.Target.RecoveryTmo != 30 || s.Target.InitiatorName != "iqn.2026-11.test:guest" {
		t.Errorf("adopted session = %+v", s)
	}
	h.k.mu.Lock()
	calls := strings.Join(h.k.calls, "\n")
	h.k.mu.Unlock()
	if !strings.Contains(calls, "STOP_CONN sid=7 cid=0 flag=STOP_CONN_RECOVER") || !strings.Contains(calls, "START_CONN sid=7 cid=0") {
		t.Errorf("recovery of the adopted session did:\n%s", calls)
	}
	if len(loginReq) == 0 {
		t.Errorf("no login PDU sent")
	}
	// A second Adopt finds nothing new.
	if ids, err := h.m.Adopt(ctx, nil, records.New(records.NodeTable)); err != nil || len(ids) != 0 {
		t.Errorf("second Adopt = %v, %v", ids, err)
	}
}

func TestRetryDelay(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want time.Duration
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond}, {4, 500 * time.Millisecond}, {50, 500 * time.Millisecond}} {
		if got := retryDelay(tt.n, 500*time.Millisecond); got != tt.want {
			t.Errorf("retryDelay(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

// TestManagerAsyncLogoutRequest: a target asking for a logout gets the
// connection dropped and logged in again.
func TestManagerAsyncLogoutRequest(t *testing.T) {
	h, ctx := newManagerHarness(t)
	s := h.loginThenAnswerAll(t, ctx)
	pdu := make([]byte, login.BHSLen)
	pdu[0], pdu[1], pdu[36], pdu[43] = 0x32, 0x80, 1, 10
	h.k.events <- netlinkraw.Event{Type: netlinkraw.KeventRecvPDU, Sid: s.Sid, Cid: s.Cid, PDU: pdu}
	waitFor(t, "recovery", func() bool { return strings.Contains(h.log(), "after recovery") })
	if !strings.Contains(h.log(), "Target requests logout within 10 seconds for connection 1:0") {
		t.Errorf("log:\n%s", h.log())
	}
}

// TestEngineLoginRedirected: a target that redirects the login has the
// kernel connection stopped, bound to a socket to the new address and
// logged in there; the persistent portal stays the configured one. The
// kernel's report of the redirecting target closing its socket, which
// comes after the answer, is not taken for the next login's, whether
// the engine reads the events itself or through a Router.
func TestEngineLoginRedirected(t *testing.T) {
	for _, router := range []bool{false, true} {
		t.Run(fmt.Sprintf("router=%v", router), func(t *testing.T) { testEngineLoginRedirected(t, router) })
	}
}

func testEngineLoginRedirected(t *testing.T, router bool) {
	k := newTraceKernel(t, "login-noauth.hex")
	accept := append([]byte(nil), k.trace[1]...)
	dlen := int(accept[5])<<16 | int(accept[6])<<8 | int(accept[7])
	var dialed []string
	real := loopbackDial(t)
	first := true
	k.answer = func(hdr []byte) []byte {
		if first {
			first = false
			data := []byte("TargetAddress=10.0.2.101:3261,1\x00")
			b := response(0x23, hdr, func(b []byte) { b[36], b[37] = 1, 1 })
			b[5], b[6], b[7] = 0, 0, byte(len(data))
			for len(data)%4 != 0 {
				data = append(data, 0)
			}
			return append(b, data...)
		}
		k.afterAnswer = nil
		b := append([]byte(nil), accept[:login.BHSLen+dlen]...)
		copy(b[16:20], hdr[16:20])
		return b
	}
	k.afterAnswer = func([]byte) []netlinkraw.Event {
		// ISCSI_ERR_TCP_CONN_CLOSE: the redirecting target hung up.
		return []netlinkraw.Event{{Type: netlinkraw.KeventConnError, Sid: 1, Cid: 0, Error: 1020}}
	}
	e := &Engine{Kernel: k, Sys: fakeSys(t), Dial: func(ctx context.Context, addr string) (Conn, error) {
		dialed = append(dialed, addr)
		return real(ctx, addr)
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if router {
		e.Router = NewRouter(16)
		go e.Router.Run(ctx, k.Events())
	}
	s, err := e.Login(ctx, traceTarget(t))
	if err != nil {
		t.Fatalf("Login = %v", err)
	}
	s.Close()
	if strings.Join(dialed, " ") != "10.0.2.100:3260 10.0.2.101:3261" {
		t.Errorf("dialed %q, want the portal then the redirection", dialed)
	}
	calls := strings.Join(k.calls, "\n")
	for _, want := range []string{"STOP_CONN sid=1 cid=0 flag=STOP_CONN_RECOVER", "SET_PARAM ISCSI_PARAM_PERSISTENT_ADDRESS=10.0.2.100", "START_CONN sid=1 cid=0"} {
		if !strings.Contains(calls, want) {
			t.Errorf("kernel requests lack %q:\n%s", want, calls)
		}
	}
	if n := strings.Count(calls, "BIND_CONN"); n != 2 {
		t.Errorf("%d BIND_CONN, want 2", n)
	}
}

// TestManagerReopenMax: a recovery that cannot reconnect within
// node.session.reopen_max attempts removes the session.
func TestManagerReopenMax(t *testing.T) {
	h, ctx := newManagerHarness(t)
	tg := traceTarget(t)
	tg.ReopenMax = 3
	s, err := h.m.Login(ctx, tg, false)
	if err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	h.refuse = 1 << 30
	h.mu.Unlock()
	h.k.events <- netlinkraw.Event{Type: netlinkraw.KeventConnError, Sid: s.Sid, Cid: s.Cid, Error: uint32(netlinkraw.ErrConnFailed)}
	waitFor(t, "giving up", func() bool { return strings.Contains(h.log(), "reopen_max") })
	waitFor(t, "the session removed", func() bool {
		h.k.mu.Lock()
		defer h.k.mu.Unlock()
		return strings.Contains(strings.Join(h.k.calls, "\\n"), "DESTROY_SESSION sid=1")
	})
	if len(h.m.Sessions()) != 0 {
		t.Errorf("session still managed")
	}
	h.mu.Lock()
	dials := h.dials
	h.mu.Unlock()
	if dials != 1+3 {
		t.Errorf("%d connects, want the login's and 3 reconnects", dials)
	}
}
