package nltest_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/netlinkraw"
	"github.com/goiscsi/goiscsi/netlinkraw/nltest"
	"golang.org/x/sys/unix"
)

const handle = 0xffffffffc0594060

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func nextEvent(t *testing.T, c *netlinkraw.Conn) netlinkraw.Event {
	t.Helper()
	select {
	case ev := <-c.Events():
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return netlinkraw.Event{}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s = %v, want nil", what, err)
	}
}

// TestKernelFlow runs a whole session's life: create, bind, set
// parameters, exchange a PDU, start, stop, destroy.
func TestKernelFlow(t *testing.T) {
	k := nltest.NewKernel()
	k.Handle = handle
	answer := []byte("login response")
	k.OnSendPDU = func(sid, cid uint32, pdu []byte) [][]byte { return [][]byte{answer} }
	c := k.Dial()
	defer c.Close()
	ctx := testContext(t)

	sid, host, err := c.CreateSession(ctx, handle, 0, 128, 32)
	if err != nil || sid != 1 || host != 0 {
		t.Fatalf("CreateSession() = %d, %d, %v, want 1, 0, nil", sid, host, err)
	}
	if ev := nextEvent(t, c); ev.Type != netlinkraw.KeventCreateSession || ev.Sid != 1 {
		t.Errorf("event = %v sid %d, want CREATE_SESSION 1", ev.Type, ev.Sid)
	}
	if s, c, err := c.CreateConn(ctx, handle, sid, 0); err != nil || s != sid || c != 0 {
		t.Fatalf("CreateConn() = %d, %d, %v, want %d, 0, nil", s, c, err, sid)
	}
	must(t, "BindConn()", c.BindConn(ctx, handle, sid, 0, 7, true))
	must(t, "SetParam()", c.SetParam(ctx, handle, sid, 0, netlinkraw.ParamTargetName, "iqn.2026-11.test:root"))
	must(t, "SendPDU()", c.SendPDU(ctx, handle, sid, 0, make([]byte, 48), []byte("abcde")))
	ev := nextEvent(t, c)
	if ev.Type != netlinkraw.KeventRecvPDU || ev.Sid != sid || !bytes.Equal(ev.PDU, append(answer, 0, 0)) {
		t.Errorf("event = %v sid %d PDU %q, want RECV_PDU with the padded answer", ev.Type, ev.Sid, ev.PDU)
	}
	must(t, "StartConn()", c.StartConn(ctx, handle, sid, 0))

	conn, ok := k.Conn(sid, 0)
	if !ok || !conn.Bound || !conn.Leading || conn.Fd != 7 || !conn.Started ||
		conn.Params[netlinkraw.ParamTargetName] != "iqn.2026-11.test:root" {
		t.Errorf("Conn(1, 0) = %+v, want bound, leading, fd 7, started, target name set", conn)
	}
	if pdus := k.SentPDUs(sid, 0); len(pdus) != 1 || len(pdus[0]) != 48+8 {
		t.Errorf("SentPDUs() = %d PDUs, want one of 56 bytes", len(pdus))
	}

	must(t, "StopConn()", c.StopConn(ctx, handle, sid, 0, netlinkraw.StopConnTerm))
	if conn, _ := k.Conn(sid, 0); conn.Started || conn.Bound || conn.Stopped != netlinkraw.StopConnTerm {
		t.Errorf("Conn() after STOP_CONN_TERM = %+v, want stopped and unbound", conn)
	}
	must(t, "DestroyConn()", c.DestroyConn(ctx, handle, sid, 0))
	must(t, "DestroySession()", c.DestroySession(ctx, handle, sid))
	if ev := nextEvent(t, c); ev.Type != netlinkraw.KeventDestroySession || ev.Sid != sid || ev.HostNo != host {
		t.Errorf("event = %+v, want DESTROY_SESSION sid %d host %d", ev, sid, host)
	}
	if sids := k.Sids(); len(sids) != 0 {
		t.Errorf("Sids() = %v, want none", sids)
	}
	var types []netlinkraw.UeventType
	for _, r := range k.Requests() {
		types = append(types, r.Type)
	}
	want := []netlinkraw.UeventType{11, 13, 15, 16, 19, 17, 18, 14, 12}
	if !slices.Equal(types, want) {
		t.Errorf("Requests() = %v, want %v", types, want)
	}
}

func TestKernelRefuses(t *testing.T) {
	tests := []struct {
		name    string
		call    func(ctx context.Context, c *netlinkraw.Conn) error
		errno   unix.Errno
		retcode bool
	}{
		{"unknown conn", func(ctx context.Context, c *netlinkraw.Conn) error {
			return c.StartConn(ctx, handle, 1, 9)
		}, unix.EINVAL, false},
		{"param before bind", func(ctx context.Context, c *netlinkraw.Conn) error {
			return c.SetParam(ctx, handle, 1, 0, netlinkraw.ParamMaxBurst, "262144")
		}, unix.ENOTCONN, false},
		{"start unbound", func(ctx context.Context, c *netlinkraw.Conn) error {
			return c.StartConn(ctx, handle, 1, 0)
		}, unix.ENOTCONN, true},
		{"pdu unbound", func(ctx context.Context, c *netlinkraw.Conn) error {
			return c.SendPDU(ctx, handle, 1, 0, make([]byte, 48), nil)
		}, unix.ENOTCONN, true},
		{"session with conns", func(ctx context.Context, c *netlinkraw.Conn) error {
			return c.DestroySession(ctx, handle, 1)
		}, unix.EBUSY, false},
		{"duplicate conn", func(ctx context.Context, c *netlinkraw.Conn) error {
			_, _, err := c.CreateConn(ctx, handle, 1, 0)
			return err
		}, unix.ENOMEM, false},
		{"wrong handle", func(ctx context.Context, c *netlinkraw.Conn) error {
			return c.UnbindSession(ctx, handle+1, 1)
		}, unix.EINVAL, false},
		{"unsupported", func(ctx context.Context, c *netlinkraw.Conn) error {
			_, err := c.Call(ctx, &netlinkraw.Uevent{Type: netlinkraw.UeventGetParam, TransportHandle: handle})
			return err
		}, unix.ENOSYS, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := nltest.NewKernel()
			k.Handle = handle
			c := k.Dial()
			defer c.Close()
			ctx := testContext(t)
			if _, _, err := c.CreateSession(ctx, handle, 0, 128, 32); err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.CreateConn(ctx, handle, 1, 0); err != nil {
				t.Fatal(err)
			}
			err := tt.call(ctx, c)
			var ie *netlinkraw.IfError
			if !errors.As(err, &ie) || ie.Errno != tt.errno || ie.Retcode != tt.retcode {
				t.Errorf("call = %v, want IfError %v (retcode %v)", err, tt.errno, tt.retcode)
			}
		})
	}
}

func TestKernelFailHookAndInject(t *testing.T) {
	k := nltest.NewKernel()
	k.Fail = func(req netlinkraw.Uevent) error {
		if req.Type == netlinkraw.UeventCreateSession {
			return nltest.IfError(unix.ENOMEM)
		}
		return nil
	}
	c := k.Dial()
	defer c.Close()
	if _, _, err := c.CreateSession(testContext(t), handle, 0, 128, 32); !errors.Is(err, unix.ENOMEM) {
		t.Errorf("CreateSession() = %v, want ENOMEM", err)
	}
	must(t, "InjectConnError()", k.InjectConnError(2, 1, netlinkraw.ErrNopTimedOut))
	if ev := nextEvent(t, c); ev.Type != netlinkraw.KeventConnError || ev.Sid != 2 || ev.Cid != 1 || ev.Error != 1022 {
		t.Errorf("event = %+v, want CONN_ERROR 1022 on 2/1", ev)
	}
	must(t, "InjectRecvPDU()", k.InjectRecvPDU(2, 1, []byte{1, 2, 3, 4, 5}))
	if ev := nextEvent(t, c); !bytes.Equal(ev.PDU, []byte{1, 2, 3, 4, 5, 0, 0, 0}) {
		t.Errorf("RECV_PDU PDU = %v, want the PDU padded to 8 bytes", ev.PDU)
	}
}
