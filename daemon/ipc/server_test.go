package ipc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

func TestServeHandler(t *testing.T) {
	var mu sync.Mutex
	var got []Request
	sv := startServer(t, &Server{
		AllowUID: func(uint32) bool { return true },
		Handler: func(ctx context.Context, req *Request) *Response {
			mu.Lock()
			got = append(got, *req)
			mu.Unlock()
			return echo(ctx, req)
		},
	})
	reqs := []Request{
		{Op: OpPing},
		{Op: OpLogin, Record: "node.name = iqn.2001-04.com.example:t\n", NewSession: true},
		{Op: OpLogout, SID: 3},
		{Op: "frobnicate", SID: 9},
	}
	for i, req := range reqs {
		resp, err := callT(t, sv.name, &req)
		if err != nil {
			t.Fatalf("Call %+v: %v", req, err)
		}
		if resp.Code != 0 || resp.SID != req.SID+1 || resp.Message != string(req.Op) {
			t.Errorf("Call %+v = %+v", req, resp)
		}
		if got[i] != req {
			t.Errorf("handler got %+v, want %+v", got[i], req)
		}
	}
}

func TestServeMalformed(t *testing.T) {
	var calls atomic.Int32
	sv := startServer(t, &Server{
		AllowUID: func(uint32) bool { return true },
		Handler: func(ctx context.Context, req *Request) *Response {
			calls.Add(1)
			return echo(ctx, req)
		},
	})
	tests := []struct {
		name string
		raw  []byte
		code iscsierr.Code
		msg  string
	}{
		{"nothing", nil, iscsierr.InvalidMgmtReq, "malformed"},
		{"garbage", []byte("GET / HTTP/1.0\r\n\r\n"), iscsierr.InvalidMgmtReq, "magic"},
		{"truncated header", []byte("iSCd\x00\x01\x00"), iscsierr.InvalidMgmtReq, "malformed"},
		{"length over MaxBody", header(1, MaxBody+1), iscsierr.InvalidMgmtReq, "MaxBody"},
		{"truncated body", frame(1, reqBody(Request{Op: OpPing}))[:18], iscsierr.InvalidMgmtReq, "malformed"},
		{"bad field", frame(1, badFieldHeader), iscsierr.InvalidMgmtReq, "malformed"},
		{"bad field size", frame(1, badFieldSize), iscsierr.InvalidMgmtReq, "malformed"},
		{"version 2", frame(2, reqBody(Request{Op: OpPing})), iscsierr.InvalidMgmtReq,
			"iscsid speaks IPC version 1, request had version 2"},
		{"version 0 huge", header(0, MaxBody*2), iscsierr.InvalidMgmtReq, "MaxBody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := rawExchange(t, sv.name, tt.raw)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			if resp.Code != tt.code || !strings.Contains(resp.Message, tt.msg) {
				t.Errorf("answer %+v, want code %d and %q", resp, tt.code, tt.msg)
			}
			// The server keeps serving.
			if resp, err := callT(t, sv.name, &Request{Op: OpPing, SID: 1}); err != nil || resp.SID != 2 {
				t.Errorf("next Call = %+v, %v", resp, err)
			}
		})
	}
	if n := calls.Load(); n != int32(len(tests)) {
		t.Errorf("handler called %d times, want %d (only for the good requests)", n, len(tests))
	}
}

func TestServeSlowClient(t *testing.T) {
	const timeout = 100 * time.Millisecond
	sv := startServer(t, &Server{
		ReadTimeout: timeout,
		AllowUID:    func(uint32) bool { return true },
		Handler:     echo,
	})
	conn, err := net.Dial("unix", "@"+sv.name)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	var resp Response
	_, err = ReadFrame(conn, &resp)
	if elapsed := time.Since(start); elapsed < timeout || elapsed > 3*time.Second {
		t.Errorf("dropped after %v, want about %v", elapsed, timeout)
	}
	switch {
	case err == nil && resp.Code != iscsierr.ReqTimedOut:
		t.Errorf("answer %+v, want code %d", resp, iscsierr.ReqTimedOut)
	case err != nil && !errors.Is(err, io.EOF):
		t.Errorf("read: %v, want an answer or EOF", err)
	}
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("connection not closed: %v", err)
	}
	if resp, err := callT(t, sv.name, &Request{Op: OpPing}); err != nil || resp.Code != 0 {
		t.Errorf("next Call = %+v, %v", resp, err)
	}
}

func TestServeAccess(t *testing.T) {
	uid := uint32(os.Getuid())
	tests := []struct {
		name   string
		allow  func(uint32) bool
		denied bool
	}{
		{"refused", func(got uint32) bool {
			if got != uid {
				t.Errorf("AllowUID(%d), want the test's uid %d", got, uid)
			}
			return false
		}, true},
		{"allowed", func(uint32) bool { return true }, false},
		{"default policy", nil, uid != 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			sv := startServer(t, &Server{
				AllowUID: tt.allow,
				Handler: func(ctx context.Context, req *Request) *Response {
					calls.Add(1)
					return echo(ctx, req)
				},
			})
			resp, err := callT(t, sv.name, &Request{Op: OpLogout, SID: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.denied {
				if resp.Code != 0 || calls.Load() != 1 {
					t.Errorf("answer %+v, handler calls %d", resp, calls.Load())
				}
				return
			}
			want := fmt.Sprintf("iscsid: permission denied: uid %d; only root may use iscsid", uid)
			if resp.Code != iscsierr.Access || resp.Message != want {
				t.Errorf("answer %+v, want code 13 and %q", resp, want)
			}
			if calls.Load() != 0 {
				t.Errorf("handler called for a refused peer")
			}
		})
	}
}

func TestServeHandlerFailures(t *testing.T) {
	sv := startServer(t, &Server{
		AllowUID: func(uint32) bool { return true },
		Logf:     func(string, ...any) {}, // the panic's stack would clutter the test log
		Handler: func(ctx context.Context, req *Request) *Response {
			switch req.Op {
			case OpStop:
				panic("boom")
			case OpRescan:
				return nil
			case OpPing:
				return echo(ctx, req)
			}
			return Unsupported(req.Op)
		},
	})
	tests := []struct {
		op   Op
		code iscsierr.Code
	}{
		{OpStop, iscsierr.Internal},
		{OpRescan, iscsierr.Internal},
		{"frobnicate", iscsierr.InvalidMgmtReq},
		{OpPing, iscsierr.Success},
	}
	for _, tt := range tests {
		resp, err := callT(t, sv.name, &Request{Op: tt.op})
		if err != nil || resp.Code != tt.code {
			t.Errorf("%s: %+v, %v; want code %d", tt.op, resp, err, tt.code)
		}
	}
}

func TestServeNilHandler(t *testing.T) {
	ln, err := Listen(sockName(t))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := new(Server).Serve(context.Background(), ln); err == nil {
		t.Error("Serve with no Handler succeeded")
	}
}

func TestListen(t *testing.T) {
	name := sockName(t)
	ln, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if got := ln.Addr(); got != "@"+name {
		t.Errorf("address %q, want %q", got, "@"+name)
	}
	if _, err := Listen(name); err == nil {
		t.Error("second Listen on the same name succeeded")
	}
	for _, bad := range []string{"", "a\x00b"} {
		if _, err := Listen(bad); err == nil {
			t.Errorf("Listen(%q) succeeded", bad)
		}
	}
}

// TestServeConnNotSocket: a connection without peer credentials is
// refused, never handed to the handler.
func TestServeConnNotSocket(t *testing.T) {
	s := &Server{
		AllowUID: func(uint32) bool { return true },
		Logf:     t.Logf,
		Handler: func(context.Context, *Request) *Response {
			t.Error("handler called for an unidentified peer")
			return &Response{}
		},
	}
	client, server := net.Pipe()
	defer client.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.serveConn(context.Background(), server)
	}()
	client.SetDeadline(time.Now().Add(5 * time.Second))
	if err := WriteFrame(client, &Request{Op: OpPing}); err != nil {
		t.Fatal(err)
	}
	var resp Response
	if _, err := ReadFrame(client, &resp); err != nil || resp.Code != iscsierr.Access {
		t.Errorf("answer %+v, %v; want code %d", resp, err, iscsierr.Access)
	}
	<-done
}
