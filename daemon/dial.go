package daemon

import (
	"context"
	"errors"
	"syscall"
	"time"
)

// dialResult is one connect attempt's outcome.
type dialResult struct {
	conn Conn
	err  error
}

// dialStaggered connects to addr during a recovery: it starts a new
// connect every `every` while the earlier ones are still waiting, for
// at most window, and keeps the first that succeeds. While a link is
// down a SYN is lost and its connect waits for TCP's retransmission
// (1 s, then 3 s, ...); a fresh connect each `every` sees the link's
// return within that, whatever the path's round-trip time, since no
// attempt is cut short. A refusal ends it at once: the target is
// reachable and the caller's backoff applies. Before each later
// attempt e.Reprobe, when set, makes the kernel resolve the next hop
// afresh (see Reprobe).
func (e *Engine) dialStaggered(ctx context.Context, addr string, every, window time.Duration) (Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()
	results := make(chan dialResult, int(window/every)+2)
	pending := 0
	launch := func() {
		pending++
		go func() {
			c, err := e.dial(ctx, addr)
			results <- dialResult{c, err}
		}()
	}
	defer func() { go drainDials(results, pending) }()
	launch()
	tick := time.NewTicker(every)
	defer tick.Stop()
	var lastErr error
	for {
		select {
		case r := <-results:
			pending--
			if r.err == nil {
				return r.conn, nil
			}
			lastErr = r.err
			if errors.Is(r.err, syscall.ECONNREFUSED) || (pending == 0 && ctx.Err() != nil) {
				return nil, lastErr
			}
		case <-tick.C:
			if ctx.Err() == nil {
				if e.Reprobe != nil {
					e.Reprobe(addr)
				}
				launch()
			}
		case <-ctx.Done():
			if pending == 0 {
				if lastErr == nil {
					lastErr = ctx.Err()
				}
				return nil, lastErr
			}
			// the pending attempts end with ctx; wait for their results
			r := <-results
			pending--
			if r.err == nil {
				return r.conn, nil
			}
			lastErr = r.err
			if pending == 0 {
				return nil, lastErr
			}
		}
	}
}

// drainDials closes the connections of attempts that finished after
// another one won.
func drainDials(results <-chan dialResult, pending int) {
	for ; pending > 0; pending-- {
		if r := <-results; r.conn != nil {
			r.conn.Close()
		}
	}
}
