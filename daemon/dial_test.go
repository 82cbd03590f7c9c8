package daemon

import (
	"context"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestDialStaggered: a connect lost to a dead link (it never completes)
// does not hold the reconnect up: the next attempt, one stagger later,
// connects; a refusal ends the round at once.
func TestDialStaggered(t *testing.T) {
	real := loopbackDial(t)
	var n atomic.Int32
	e := &Engine{Dial: func(ctx context.Context, addr string) (Conn, error) {
		if n.Add(1) == 1 {
			<-ctx.Done() // the SYN was lost
			return nil, ctx.Err()
		}
		return real(ctx, addr)
	}}
	start := time.Now()
	c, err := e.dialStaggered(context.Background(), "x", 50*time.Millisecond, 5*time.Second)
	if err != nil {
		t.Fatalf("dialStaggered = %v", err)
	}
	c.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("connected after %v, want about one stagger", d)
	}

	e.Dial = func(ctx context.Context, addr string) (Conn, error) {
		return nil, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	}
	start = time.Now()
	if _, err := e.dialStaggered(context.Background(), "x", 50*time.Millisecond, 5*time.Second); err == nil || time.Since(start) > time.Second {
		t.Errorf("refused: %v after %v, want an error at once", err, time.Since(start))
	}

	e.Dial = func(ctx context.Context, addr string) (Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	start = time.Now()
	if _, err := e.dialStaggered(context.Background(), "x", 50*time.Millisecond, 300*time.Millisecond); err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("unreachable: %v after %v, want an error after the window", err, time.Since(start))
	}
}

// Reprobe has nothing to do for names and loopback addresses.
func TestReprobeSkips(t *testing.T) {
	for _, h := range []string{"target.example", "127.0.0.1", "::1"} {
		if err := Reprobe(h); err != nil {
			t.Errorf("Reprobe(%q) = %v", h, err)
		}
	}
}
