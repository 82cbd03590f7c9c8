package ipc

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// TestServeShutdown: a request in flight when Serve's ctx is cancelled is
// still answered, its handler's ctx is not cancelled, and Serve returns
// only after the answer; then the socket is gone.
func TestServeShutdown(t *testing.T) {
	started := make(chan struct{})
	var finished atomic.Bool
	sv := startServer(t, &Server{
		AllowUID: func(uint32) bool { return true },
		Handler: func(ctx context.Context, req *Request) *Response {
			close(started)
			time.Sleep(200 * time.Millisecond)
			if err := ctx.Err(); err != nil {
				t.Errorf("handler ctx cancelled: %v", err)
			}
			finished.Store(true)
			return &Response{Message: "stopped"}
		},
	})
	type result struct {
		resp *Response
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := callT(t, sv.name, &Request{Op: OpStop})
		answered <- result{resp, err}
	}()
	<-started
	sv.cancel()
	select {
	case err := <-sv.done:
		t.Fatalf("Serve returned (%v) while the handler was running", err)
	case <-time.After(50 * time.Millisecond):
	}
	r := <-answered
	if r.err != nil || r.resp.Message != "stopped" {
		t.Fatalf("stop request: %+v, %v", r.resp, r.err)
	}
	err := <-sv.done
	sv.done <- err // for the cleanup
	if err != nil || !finished.Load() {
		t.Fatalf("Serve = %v, handler finished %v", err, finished.Load())
	}
	_, err = callT(t, sv.name, &Request{Op: OpPing})
	var errno syscall.Errno
	if !errors.As(err, &errno) || errno != syscall.ECONNREFUSED || iscsierr.CodeOf(err) != iscsierr.ISCSIDNotConn {
		t.Errorf("Call after shutdown: %v (code %d), want ECONNREFUSED and code 20", err, iscsierr.CodeOf(err))
	}
}

func TestServeConcurrent(t *testing.T) {
	tests := []struct {
		name     string
		maxConns int
		calls    int
		limit    int32
	}{
		{"default", 0, 50, DefaultMaxConns},
		{"max 3", 3, 30, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cur, peak atomic.Int32
			sv := startServer(t, &Server{
				MaxConns: tt.maxConns,
				AllowUID: func(uint32) bool { return true },
				Handler: func(ctx context.Context, req *Request) *Response {
					n := cur.Add(1)
					defer cur.Add(-1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					time.Sleep(20 * time.Millisecond)
					return echo(ctx, req)
				},
			})
			var wg sync.WaitGroup
			for i := range tt.calls {
				wg.Go(func() {
					resp, err := callT(t, sv.name, &Request{Op: OpStats, SID: i})
					if err != nil || resp.SID != i+1 {
						t.Errorf("Call %d = %+v, %v", i, resp, err)
					}
				})
			}
			wg.Wait()
			if p := peak.Load(); p > tt.limit || p < 1 {
				t.Errorf("%d handlers ran at once, limit %d", p, tt.limit)
			}
		})
	}
}
