package daemon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/internal/sock"
	"github.com/goiscsi/goiscsi/netlinkraw"
	"github.com/goiscsi/goiscsi/records"
	"github.com/goiscsi/goiscsi/sysfs"
)

// traceKernel is a fake kernel that plays the target's side of a login
// recorded in daemon/login/testdata: every SEND_PDU must be the
// recorded PDU, and the recorded answer comes back as RECV_PDU, without
// its padding, as iscsi_tcp hands it up. It logs every request.
type traceKernel struct {
	t       *testing.T
	mu      sync.Mutex
	calls   []string
	trace   [][]byte // alternating send, recv
	events  chan netlinkraw.Event
	boundFD int
	order   uint64 // what Order reports
	// answer, when set, replaces the trace: it returns the PDU the
	// target answers hdr with.
	answer func(hdr []byte) []byte
	// afterAnswer, when set, gives the events the kernel reports after
	// handing up an answer.
	afterAnswer func(pdu []byte) []netlinkraw.Event
}

func newTraceKernel(t *testing.T, name string) *traceKernel {
	f, err := os.Open(filepath.Join("login", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k := &traceKernel{t: t, events: make(chan netlinkraw.Event, 16), boundFD: -1}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		dir, h, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(dir, "#") {
			continue
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		k.trace = append(k.trace, b)
	}
	return k
}

func (k *traceKernel) log(format string, args ...any) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, fmt.Sprintf(format, args...))
}

func (k *traceKernel) CreateSession(_ context.Context, h uint64, cmdsn uint32, cmdsMax, qd uint16) (uint32, uint32, error) {
	k.log("CREATE_SESSION handle=%#x initial_cmdsn=%d cmds_max=%d queue_depth=%d", h, cmdsn, cmdsMax, qd)
	return 1, 0, nil
}

func (k *traceKernel) CreateConn(_ context.Context, _ uint64, sid, cid uint32) (uint32, uint32, error) {
	k.log("CREATE_CONN sid=%d cid=%d", sid, cid)
	return sid, cid, nil
}

func (k *traceKernel) BindConn(_ context.Context, _ uint64, sid, cid uint32, fd int, leading bool) error {
	k.boundFD = fd
	k.log("BIND_CONN sid=%d cid=%d leading=%v", sid, cid, leading)
	return nil
}

func (k *traceKernel) SetParam(_ context.Context, _ uint64, sid, cid uint32, p netlinkraw.Param, v string) error {
	k.log("SET_PARAM %v=%s", p, v)
	return nil
}

func (k *traceKernel) StartConn(_ context.Context, _ uint64, sid, cid uint32) error {
	k.log("START_CONN sid=%d cid=%d", sid, cid)
	return nil
}

func (k *traceKernel) StopConn(_ context.Context, _ uint64, sid, cid uint32, f netlinkraw.StopFlag) error {
	k.log("STOP_CONN sid=%d cid=%d flag=%v", sid, cid, f)
	return nil
}

func (k *traceKernel) SendPDU(_ context.Context, _ uint64, sid, cid uint32, hdr, data []byte) error {
	k.log("SEND_PDU hdr=%d data=%d", len(hdr), len(data))
	if k.answer != nil {
		pdu := k.answer(hdr)
		k.order++
		k.events <- netlinkraw.Event{Type: netlinkraw.KeventRecvPDU, Sid: sid, Cid: cid, PDU: pdu, Order: k.order}
		if k.afterAnswer != nil {
			for _, ev := range k.afterAnswer(pdu) {
				k.order++
				ev.Order = k.order
				k.events <- ev
			}
		}
		return nil
	}
	if len(k.trace) < 2 {
		k.t.Errorf("SEND_PDU beyond the trace")
		return nil
	}
	want, answer := k.trace[0], k.trace[1]
	k.trace = k.trace[2:]
	if got := append(append([]byte(nil), hdr...), data...); !bytes.Equal(got, want) {
		k.t.Errorf("SEND_PDU differs from open-iscsi's:\n got %x\nwant %x", got, want)
	}
	dlen := int(answer[5])<<16 | int(answer[6])<<8 | int(answer[7])
	k.events <- netlinkraw.Event{Type: netlinkraw.KeventRecvPDU, Sid: sid, Cid: cid, PDU: answer[:login.BHSLen+dlen]}
	return nil
}

func (k *traceKernel) DestroyConn(_ context.Context, _ uint64, sid, cid uint32) error {
	k.log("DESTROY_CONN sid=%d cid=%d", sid, cid)
	return nil
}

func (k *traceKernel) DestroySession(_ context.Context, _ uint64, sid uint32) error {
	k.log("DESTROY_SESSION sid=%d", sid)
	return nil
}

func (k *traceKernel) Events() <-chan netlinkraw.Event { return k.events }

func (k *traceKernel) Order() uint64 { return k.order }

// fakeSys is a sysfs tree with the tcp transport loaded.
func fakeSys(t *testing.T) sysfs.Root {
	dir := t.TempDir()
	tcp := filepath.Join(dir, "class", "iscsi_transport", "tcp")
	if err := os.MkdirAll(tcp, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{"handle": "18446744072641658976\n", "caps": "0x39\n"} {
		if err := os.WriteFile(filepath.Join(tcp, name), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return sysfs.Root{Dir: dir}
}

// loopbackDial gives the engine a real socket (the kernel binds its fd).
func loopbackDial(t *testing.T) func(context.Context, string) (Conn, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return func(ctx context.Context, _ string) (Conn, error) {
		var d sock.Dialer
		c, err := d.Dial(ctx, l.Addr().String())
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// traceTarget is the target of the reference trace, as iscsistart
// builds it: built-in record defaults, NOP-Outs off.
func traceTarget(t *testing.T) Target {
	rec := records.New(records.NodeTable)
	for k, v := range map[string]string{
		"node.name": "iqn.2026-11.test:root", "node.conn[0].address": "10.0.2.100",
		"node.conn[0].port": "3260", "node.tpgt": "1",
		"node.conn[0].timeo.noop_out_interval": "0", "node.conn[0].timeo.noop_out_timeout": "0",
	} {
		if err := rec.SetFixed(k, v); err != nil {
			t.Fatal(err)
		}
	}
	tg, err := TargetFromRecord(rec, "iqn.2026-11.test:guest")
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestEngineLoginMatchesOpenISCSI runs a whole login through a fake
// kernel: the requests, SET_PARAM values and login PDUs are those of
// open-iscsi's iscsistart in the reference trace.
func TestEngineLoginMatchesOpenISCSI(t *testing.T) {
	k := newTraceKernel(t, "login-noauth.hex")
	e := &Engine{Kernel: k, Sys: fakeSys(t), Dial: loopbackDial(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := e.Login(ctx, traceTarget(t))
	if err != nil {
		t.Fatalf("Login = %v", err)
	}
	defer s.Close()
	want := []string{
		"CREATE_SESSION handle=0xffffffffc0594060 initial_cmdsn=0 cmds_max=128 queue_depth=32",
		"CREATE_CONN sid=1 cid=0",
		"BIND_CONN sid=1 cid=0 leading=true",
		"SET_PARAM ISCSI_PARAM_TARGET_NAME=iqn.2026-11.test:root",
		"SET_PARAM ISCSI_PARAM_PERSISTENT_ADDRESS=10.0.2.100",
		"SET_PARAM ISCSI_PARAM_PERSISTENT_PORT=3260",
		"SET_PARAM ISCSI_PARAM_SESS_RECOVERY_TMO=120",
		"SET_PARAM ISCSI_PARAM_FAST_ABORT=1",
		"SET_PARAM ISCSI_PARAM_ABORT_TMO=15",
		"SET_PARAM ISCSI_PARAM_LU_RESET_TMO=30",
		"SET_PARAM ISCSI_PARAM_TGT_RESET_TMO=30",
		"SET_PARAM ISCSI_PARAM_PING_TMO=0",
		"SET_PARAM ISCSI_PARAM_RECV_TMO=0",
		"SET_PARAM ISCSI_PARAM_IFACE_NAME=default",
		"SET_PARAM ISCSI_PARAM_INITIATOR_NAME=iqn.2026-11.test:guest",
		"SET_PARAM ISCSI_PARAM_DISCOVERY_SESS=0",
		"SEND_PDU hdr=48 data=424",
		"SET_PARAM ISCSI_PARAM_MAX_RECV_DLENGTH=262144",
		"SET_PARAM ISCSI_PARAM_MAX_XMIT_DLENGTH=8192",
		"SET_PARAM ISCSI_PARAM_HDRDGST_EN=0",
		"SET_PARAM ISCSI_PARAM_DATADGST_EN=0",
		"SET_PARAM ISCSI_PARAM_INITIAL_R2T_EN=1",
		"SET_PARAM ISCSI_PARAM_MAX_R2T=1",
		"SET_PARAM ISCSI_PARAM_IMM_DATA_EN=1",
		"SET_PARAM ISCSI_PARAM_FIRST_BURST=65536",
		"SET_PARAM ISCSI_PARAM_MAX_BURST=262144",
		"SET_PARAM ISCSI_PARAM_PDU_INORDER_EN=1",
		"SET_PARAM ISCSI_PARAM_DATASEQ_INORDER_EN=1",
		"SET_PARAM ISCSI_PARAM_ERL=0",
		"SET_PARAM ISCSI_PARAM_EXP_STATSN=1",
		"SET_PARAM ISCSI_PARAM_TPGT=1",
		"START_CONN sid=1 cid=0",
	}
	if got := strings.Join(k.calls, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("kernel requests:\n%s\nwant (open-iscsi's):\n%s", got, strings.Join(want, "\n"))
	}
	if k.boundFD < 0 {
		t.Errorf("BIND_CONN got no socket descriptor")
	}
	if s.Sid != 1 || s.Cid != 0 || s.Result.TSIH != 0x100 {
		t.Errorf("session %+v, want sid 1 cid 0 TSIH 0x100", s)
	}
}

// response builds a bare response PDU to a request header.
func response(op byte, hdr []byte, edit func(b []byte)) []byte {
	b := make([]byte, login.BHSLen)
	b[0], b[1] = op, 0x80
	copy(b[16:20], hdr[16:20]) // ITT
	copy(b[8:14], hdr[8:14])   // ISID, for login responses
	if edit != nil {
		edit(b)
	}
	return b
}

// TestEngineLoginRejected: a target refusing the initiator's credentials
// ends the login with its status, the session named, and every kernel
// object destroyed again.
func TestEngineLoginRejected(t *testing.T) {
	k := newTraceKernel(t, "login-noauth.hex")
	k.answer = func(hdr []byte) []byte {
		return response(0x23, hdr, func(b []byte) { b[1], b[36], b[37] = 0x87, 2, 1 })
	}
	e := &Engine{Kernel: k, Sys: fakeSys(t), Dial: loopbackDial(t)}
	_, err := e.Login(context.Background(), traceTarget(t))
	var se *SessionError
	var st *login.StatusError
	if !errors.As(err, &se) || se.Sid != 1 || !errors.As(err, &st) || st.Class != 2 || st.Detail != 1 {
		t.Fatalf("Login = %v, want a SessionError for session 1 with status 02/01", err)
	}
	tail := strings.Join(k.calls[len(k.calls)-3:], "\n")
	if want := "STOP_CONN sid=1 cid=0 flag=STOP_CONN_TERM\nDESTROY_CONN sid=1 cid=0\nDESTROY_SESSION sid=1"; tail != want {
		t.Errorf("after the rejection the engine did\n%s\nwant\n%s", tail, want)
	}
}

// TestEngineLogout sends a Logout PDU through the kernel, then stops and
// destroys the connection and the session.
func TestEngineLogout(t *testing.T) {
	k := newTraceKernel(t, "login-noauth.hex")
	var sent []byte
	k.answer = func(hdr []byte) []byte {
		sent = append([]byte(nil), hdr...)
		return response(0x26, hdr, nil)
	}
	e := &Engine{Kernel: k, Sys: fakeSys(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Logout(ctx, 3, 0); err != nil {
		t.Fatalf("Logout(3, 0) = %v", err)
	}
	if len(sent) == 0 || sent[0]&0x3f != 0x06 || sent[1]&0x7f != 0 {
		t.Errorf("sent %x, want a Logout request closing the session", sent)
	}
	want := "SEND_PDU hdr=48 data=0\nSTOP_CONN sid=3 cid=0 flag=STOP_CONN_TERM\nDESTROY_CONN sid=3 cid=0\nDESTROY_SESSION sid=3"
	if got := strings.Join(k.calls, "\n"); got != want {
		t.Errorf("Logout did\n%s\nwant\n%s", got, want)
	}
}
