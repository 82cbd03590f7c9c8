package netlinkraw_test

import (
	"context"
	"errors"
	"testing"
	"time"
	"unsafe"

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

// nextEvent reads one event or fails the test.
func nextEvent(t *testing.T, c *netlinkraw.Conn) netlinkraw.Event {
	t.Helper()
	select {
	case ev, ok := <-c.Events():
		if !ok {
			t.Fatal("Events() closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return netlinkraw.Event{}
}

func TestCallReply(t *testing.T) {
	var got netlinkraw.Uevent
	c := nltest.Dial(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
		got = req
		return []netlinkraw.Uevent{nltest.Reply(req)}, nil
	})
	defer c.Close()
	if err := c.StopConn(testContext(t), handle, 3, 1, netlinkraw.StopConnRecover); err != nil {
		t.Fatalf("StopConn() = %v, want nil", err)
	}
	nltest.CheckRequest(t, got, netlinkraw.Uevent{Type: netlinkraw.UeventStopConn, TransportHandle: handle,
		Request: netlinkraw.Request{Sid: 3, Cid: 1, Flag: netlinkraw.StopConnRecover}})
}

func TestCallErrors(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error)
		errno   unix.Errno
		retcode bool
	}{
		{"iferror", func(netlinkraw.Uevent) ([]netlinkraw.Uevent, error) { return nil, nltest.IfError(unix.ENOSYS) },
			unix.ENOSYS, false},
		{"retcode", func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
			return []netlinkraw.Uevent{nltest.Retcode(req, unix.EEXIST)}, nil
		}, unix.EEXIST, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nltest.Dial(tt.answer)
			defer c.Close()
			err := c.BindConn(testContext(t), handle, 1, 0, 7, true)
			var ie *netlinkraw.IfError
			if !errors.Is(err, tt.errno) || !errors.As(err, &ie) || ie.Retcode != tt.retcode || ie.Type != netlinkraw.UeventBindConn {
				t.Errorf("BindConn() = %v (%+v), want IfError %v retcode %v", err, ie, tt.errno, tt.retcode)
			}
		})
	}
}

// TestCallTimeout: a call without reply ends with its context; the
// next call runs; the late reply goes to Events.
func TestCallTimeout(t *testing.T) {
	var sock *nltest.Socket
	sock = nltest.NewSocket(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
		if req.Type == netlinkraw.UeventStartConn {
			return nil, nil // lost
		}
		return []netlinkraw.Uevent{nltest.Reply(req)}, nil
	})
	c := netlinkraw.NewConn(sock)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := c.StartConn(ctx, handle, 1, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("StartConn() = %v, want DeadlineExceeded", err)
	}
	if err := c.DestroyConn(testContext(t), handle, 1, 0); err != nil {
		t.Fatalf("DestroyConn() after a timeout = %v, want nil", err)
	}
	late := nltest.Reply(*netlinkraw.NewConnRequest(netlinkraw.UeventStartConn, handle, 1, 0))
	body, _ := late.MarshalBinary()
	d, _ := netlinkraw.Message{Type: uint16(late.Type), Data: body}.Append(nil)
	if err := sock.InjectDatagram(d); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, c); ev.Type != netlinkraw.UeventStartConn || ev.Sid != 1 {
		t.Errorf("late reply event = %v sid %d, want START_CONN sid 1", ev.Type, ev.Sid)
	}
}

// TestCallSkipsOthers: events and replies for other objects before the
// reply go to Events; the call gets its own reply.
func TestCallSkipsOthers(t *testing.T) {
	c := nltest.Dial(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
		stale := nltest.Reply(req)
		stale.Request.Sid = 9
		connErr := netlinkraw.Uevent{Type: netlinkraw.KeventConnError,
			Reply: netlinkraw.Reply{Sid: 1, Cid: 0, Error: netlinkraw.ErrConnFailed}}
		return []netlinkraw.Uevent{stale, connErr, nltest.Retcode(req, 0)}, nil
	})
	defer c.Close()
	if err := c.SetParam(testContext(t), handle, 1, 0, netlinkraw.ParamTargetName, "iqn.x"); err != nil {
		t.Fatalf("SetParam() = %v, want nil", err)
	}
	if ev := nextEvent(t, c); ev.Type != netlinkraw.UeventSetParam || ev.Sid != 9 {
		t.Errorf("first event = %v sid %d, want the stale SET_PARAM of sid 9", ev.Type, ev.Sid)
	}
	if ev := nextEvent(t, c); ev.Type != netlinkraw.KeventConnError || ev.Error != 1011 || ev.Sid != 1 {
		t.Errorf("second event = %+v, want CONN_ERROR 1011 on sid 1", ev)
	}
}

func TestCallWaitsItsTurn(t *testing.T) {
	c := nltest.Dial(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) { return nil, nil })
	defer c.Close()
	first, cancelFirst := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.StartConn(first, handle, 1, 0) }()
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := c.CreateSession(ctx, handle, 0, 128, 32); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CreateSession() while a call runs = %v, want DeadlineExceeded", err)
	}
	cancelFirst()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("StartConn() = %v, want Canceled", err)
	}
}

func TestCloseEndsCallAndEvents(t *testing.T) {
	c := nltest.Dial(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) { return nil, nil })
	done := make(chan error, 1)
	go func() { done <- c.DestroySession(context.Background(), handle, 1) }()
	time.Sleep(10 * time.Millisecond)
	if err := c.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := <-done; !errors.Is(err, netlinkraw.ErrClosed) {
		t.Errorf("DestroySession() during Close = %v, want ErrClosed", err)
	}
	if _, ok := <-c.Events(); ok {
		t.Errorf("Events() open after Close")
	}
	if err := c.UnbindSession(testContext(t), handle, 1); !errors.Is(err, netlinkraw.ErrClosed) {
		t.Errorf("UnbindSession() after Close = %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
}

func TestCallRefusesNonRequests(t *testing.T) {
	c := nltest.Dial(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) { return nil, nil })
	defer c.Close()
	for _, req := range []*netlinkraw.Uevent{nil, {Type: netlinkraw.KeventRecvPDU}, {Type: netlinkraw.UeventType(70000)}} {
		if _, err := c.Call(testContext(t), req); err == nil {
			t.Errorf("Call(%v) = nil error, want one", req)
		}
	}
}

// TestOrder: events carry their place among the messages read, and
// Order after a call returns is not below its reply's: an event the
// kernel sent before answering (a connection error queued ahead of the
// STOP_CONN answer) is at or below it, one sent later above it.
func TestOrder(t *testing.T) {
	c := nltest.Dial(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
		before := netlinkraw.Uevent{Type: netlinkraw.KeventConnError,
			Reply: netlinkraw.Reply{Sid: 1, Cid: 0, Error: netlinkraw.ErrConnFailed}}
		return []netlinkraw.Uevent{before, nltest.Reply(req)}, nil
	})
	defer c.Close()
	if err := c.StopConn(testContext(t), handle, 1, 0, netlinkraw.StopConnRecover); err != nil {
		t.Fatal(err)
	}
	mark := c.Order()
	ev := nextEvent(t, c)
	if ev.Order == 0 || ev.Order > mark || mark != 2 {
		t.Errorf("event before the answer has Order %d, Order() after the call %d; want 1 and 2", ev.Order, mark)
	}
}

// TestEventQueueSmall: the queue Conn makes stays a small object. The
// runtime clears a pointer-holding allocation over 32 kB in full when it
// makes it, so a larger Event would cost every short-lived process (an
// iscsistart) the whole queue in resident memory.
func TestEventQueueSmall(t *testing.T) {
	if n := unsafe.Sizeof(netlinkraw.Event{}) * netlinkraw.EventQueueLen; n > 32<<10 {
		t.Errorf("the event queue takes %d bytes; keep it within 32 kB (a smaller Event or queue)", n)
	}
}
