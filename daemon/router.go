package daemon

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/goiscsi/goiscsi/netlinkraw"
)

// Router shares the kernel's one event stream between concurrent
// logins and the daemon: a connection being logged in (or logged in
// again) subscribes and gets its RECV_PDU and CONN_ERROR events; every
// other event goes to Other. A subscriber that does not keep up loses
// events (its login then times out) rather than stalling the others.
type Router struct {
	mu      sync.Mutex
	subs    map[connKey]chan netlinkraw.Event
	other   chan netlinkraw.Event
	dropped atomic.Uint64
}

type connKey struct{ sid, cid uint32 }

// NewRouter returns a router whose unclaimed events queue up to n deep.
func NewRouter(n int) *Router {
	return &Router{subs: map[connKey]chan netlinkraw.Event{}, other: make(chan netlinkraw.Event, n)}
}

// Other is the events no login claimed: connection errors of running
// sessions, session destruction, and the like.
func (r *Router) Other() <-chan netlinkraw.Event { return r.other }

// Dropped counts events lost to full queues.
func (r *Router) Dropped() uint64 { return r.dropped.Load() }

// Run routes events from in until in closes or ctx ends, then closes
// Other.
func (r *Router) Run(ctx context.Context, in <-chan netlinkraw.Event) {
	defer close(r.other)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-in:
			if !ok {
				return
			}
			r.route(ctx, ev)
		}
	}
}

func (r *Router) route(ctx context.Context, ev netlinkraw.Event) {
	if ev.Type == netlinkraw.KeventRecvPDU || ev.Type == netlinkraw.KeventConnError {
		r.mu.Lock()
		ch, ok := r.subs[connKey{ev.Sid, ev.Cid}]
		if ok {
			select {
			case ch <- ev:
			default:
				r.dropped.Add(1)
			}
		}
		r.mu.Unlock()
		if ok {
			return
		}
	}
	// The daemon's own loop drains Other; waiting for it keeps
	// connection errors from being lost in a burst.
	select {
	case r.other <- ev:
	case <-ctx.Done():
	}
}

// Subscribe claims the events of connection sid:cid until the returned
// function is called.
func (r *Router) Subscribe(sid, cid uint32) (<-chan netlinkraw.Event, func()) {
	ch := make(chan netlinkraw.Event, 16)
	k := connKey{sid, cid}
	r.mu.Lock()
	r.subs[k] = ch
	r.mu.Unlock()
	return ch, func() {
		r.mu.Lock()
		if r.subs[k] == ch {
			delete(r.subs, k)
		}
		r.mu.Unlock()
	}
}
