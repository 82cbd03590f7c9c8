package ipc

import (
	"context"
	"errors"
	"io"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// rawServer serves every connection on a fresh socket with fn, until the
// test ends.
func rawServer(t *testing.T, fn func(Conn)) string {
	t.Helper()
	name := sockName(t)
	ln, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				fn(conn)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return name
}

func TestCallVersionError(t *testing.T) {
	name := rawServer(t, func(c Conn) {
		ReadFrame(c, nil)
		c.Write(frame(2, repBody(Response{SID: 5})))
	})
	resp, err := callT(t, name, &Request{Op: OpPing})
	var verr *VersionError
	if !errors.As(err, &verr) || verr.Got != 2 {
		t.Fatalf("Call = %+v, %v; want a *VersionError", resp, err)
	}
	if iscsierr.CodeOf(err) != iscsierr.ISCSIDCommErr {
		t.Errorf("code %d, want %d", iscsierr.CodeOf(err), iscsierr.ISCSIDCommErr)
	}
}

func TestCallContext(t *testing.T) {
	// The server reads the request and never answers; it waits for the
	// client to hang up.
	name := rawServer(t, func(c Conn) {
		ReadFrame(c, nil)
		io.Copy(io.Discard, c)
	})
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			resp, err := Call(ctx, name, &Request{Op: OpStop})
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("Call took %v", elapsed)
			}
			if !errors.Is(err, tt.want) || iscsierr.CodeOf(err) != iscsierr.ReqTimedOut {
				t.Errorf("Call = %+v, %v (code %d); want %v and code %d",
					resp, err, iscsierr.CodeOf(err), tt.want, iscsierr.ReqTimedOut)
			}
		})
	}
}

func TestCallNoDaemon(t *testing.T) {
	_, err := callT(t, sockName(t), &Request{Op: OpPing})
	var errno syscall.Errno
	if !errors.As(err, &errno) || errno != syscall.ECONNREFUSED {
		t.Errorf("Call = %v, want ECONNREFUSED reachable", err)
	}
	if iscsierr.CodeOf(err) != iscsierr.ISCSIDNotConn {
		t.Errorf("code %d, want %d", iscsierr.CodeOf(err), iscsierr.ISCSIDNotConn)
	}
}

func TestCallServerHangsUp(t *testing.T) {
	name := rawServer(t, func(c Conn) { ReadFrame(c, nil) })
	_, err := callT(t, name, &Request{Op: OpPing})
	if err == nil || iscsierr.CodeOf(err) != iscsierr.ISCSIDCommErr {
		t.Errorf("Call = %v (code %d), want code %d", err, iscsierr.CodeOf(err), iscsierr.ISCSIDCommErr)
	}
}
