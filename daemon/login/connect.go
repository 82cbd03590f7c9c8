package login

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/goiscsi/goiscsi/internal/sock"
)

// MaxRedirects is how many login redirections Connect follows.
const MaxRedirects = 4

// Connect dials first with dial and logs in with cfg, following
// redirections (login status class 1) to the TargetAddress the target
// names, at most MaxRedirects times. It returns the logged-in
// connection, the login result and the portal that accepted the login.
// Every connection that does not log in is closed. A *StatusError the
// target sent stays reachable through errors.As.
func Connect[C io.ReadWriteCloser](ctx context.Context, dial func(context.Context, Portal) (C, error), first Portal, cfg Config) (C, *Result, Portal, error) {
	var zero C
	p := first
	for hops := 0; ; hops++ {
		conn, err := dial(ctx, p)
		if err != nil {
			return zero, nil, p, fmt.Errorf("connecting to %s: %w", hostPort(p), err)
		}
		res, err := Login(ctx, conn, cfg)
		if err == nil {
			return conn, res, p, nil
		}
		_ = conn.Close()
		next, err := redirect(err, p, hops)
		if err != nil {
			return zero, nil, p, err
		}
		p = next
	}
}

// redirect returns the portal a failed login at p redirects to, or the
// error to give up with.
func redirect(err error, p Portal, hops int) (Portal, error) {
	var st *StatusError
	if !errors.As(err, &st) || st.Class != 1 {
		return Portal{}, err
	}
	if hops == MaxRedirects {
		return Portal{}, fmt.Errorf("login to %s: giving up after %d redirections: %w", hostPort(p), MaxRedirects, err)
	}
	if st.TargetAddress == "" {
		return Portal{}, fmt.Errorf("login to %s redirected without a TargetAddress: %w", hostPort(p), err)
	}
	next, perr := ParseTargetAddress(st.TargetAddress)
	if perr != nil {
		return Portal{}, fmt.Errorf("login to %s redirected to an unusable address: %v: %w", hostPort(p), perr, err)
	}
	return next, nil
}

// hostPort formats a portal's address and port for messages.
func hostPort(p Portal) string { return sock.JoinHostPort(p.Addr, p.Port) }
