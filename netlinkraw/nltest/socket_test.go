package nltest_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/goiscsi/goiscsi/netlinkraw"
	"github.com/goiscsi/goiscsi/netlinkraw/nltest"
	"golang.org/x/sys/unix"
)

func TestDialHandler(t *testing.T) {
	var got netlinkraw.Uevent
	c := nltest.Dial(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
		got = req
		return []netlinkraw.Uevent{nltest.Reply(req)}, nil
	})
	defer c.Close()
	if err := c.SetParam(testContext(t), handle, 1, 0, netlinkraw.ParamPersistentPort, "3260"); err != nil {
		t.Fatalf("SetParam() = %v", err)
	}
	nltest.CheckRequest(t, got, netlinkraw.Uevent{Type: netlinkraw.UeventSetParam, TransportHandle: handle,
		Request: netlinkraw.Request{Sid: 1, Param: netlinkraw.ParamPersistentPort, Len: 5}, Payload: []byte("3260\x00")})
}

// IF_ERROR replies repeat the request, as the kernel's do, with nlmsg
// type the request's and iferror the negative errno.
func TestIfErrorReply(t *testing.T) {
	sock := nltest.NewSocket(func(netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
		return nil, fmt.Errorf("wrapped: %w", nltest.IfError(unix.EPERM))
	})
	req, _ := netlinkraw.NewBindConn(handle, 3, 4, 9, true)
	body, _ := req.MarshalBinary()
	msg, _ := netlinkraw.Message{Type: uint16(req.Type), Data: body}.Append(nil)
	if err := sock.Send(msg); err != nil {
		t.Fatalf("Send() = %v", err)
	}
	d, err := sock.Receive()
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := netlinkraw.ParseMessages(d)
	if err != nil || len(msgs) != 1 || msgs[0].Type != uint16(req.Type) {
		t.Fatalf("reply = %v, %v, want one BIND_CONN message", msgs, err)
	}
	var rep netlinkraw.Uevent
	if err := rep.UnmarshalBinary(msgs[0].Data); err != nil {
		t.Fatal(err)
	}
	wantBody := append([]byte(nil), body...)
	wantBody[0], wantBody[4], wantBody[5], wantBody[6], wantBody[7] = 103, 0xff, 0xff, 0xff, 0xff
	if rep.Type != netlinkraw.KeventIfError || rep.IfError != -1 || string(msgs[0].Data) != string(wantBody) {
		t.Errorf("reply = %x, want %x", msgs[0].Data, wantBody)
	}
	sock.Close()
	if _, err := sock.Receive(); !errors.Is(err, netlinkraw.ErrClosed) {
		t.Errorf("Receive() after Close = %v, want ErrClosed", err)
	}
}

// recorder is a testing.TB that keeps what CheckRequest reports.
type recorder struct {
	testing.TB
	msgs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func TestCheckRequest(t *testing.T) {
	want := netlinkraw.Uevent{Type: netlinkraw.UeventStartConn, TransportHandle: handle, Request: netlinkraw.Request{Sid: 1}}
	tests := []struct {
		name string
		got  netlinkraw.Uevent
		ok   bool
	}{
		{"same", want, true},
		{"field outside the layout", func() netlinkraw.Uevent { u := want; u.Request.Param = 9; return u }(), true},
		{"other sid", func() netlinkraw.Uevent { u := want; u.Request.Sid = 2; return u }(), false},
		{"other type", func() netlinkraw.Uevent { u := want; u.Type = netlinkraw.UeventStopConn; return u }(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			if ok := nltest.CheckRequest(r, tt.got, want); ok != tt.ok || (len(r.msgs) == 0) != tt.ok {
				t.Errorf("CheckRequest() = %v with %q, want %v", ok, r.msgs, tt.ok)
			}
		})
	}
}
