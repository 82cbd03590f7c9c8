package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/internal/sock"
	"github.com/goiscsi/goiscsi/netlinkraw"
)

// Relogin brings back a connection the kernel reported failed and that
// was stopped with STOP_CONN_RECOVER: it dials the portal again, binds
// the new socket to the same kernel connection, logs in (a new instance
// of the session with the same ISID, which the target reinstates; the
// kernel stamps the login PDUs with the session's own CmdSN) and starts
// the connection, which requeues the I/O the kernel held. A relogin
// that fails after the bind stops the connection for recovery again, so
// that the next attempt can bind: it never leaves a socket bound to a
// connection it could not start.
//
// The connect runs as dialStaggered: a new attempt every `every`, for
// up to window.
func (e *Engine) Relogin(ctx context.Context, s *Session, every, window time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, s.Target.LoginTimeout)
	defer cancel()
	conn, err := e.dialStaggered(ctx, s.Target.HostPort(), every, window)
	if err != nil {
		return &ConnectError{Addr: s.Target.HostPort(), Err: err}
	}
	s.Close()
	s.conn = conn
	err = e.loginConn(ctx, s)
	if err != nil {
		err = e.redirected(ctx, s, func(ctx context.Context, addr string) (Conn, error) {
			return e.dialStaggered(ctx, addr, every, window)
		}, err)
	}
	if err != nil {
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = e.Kernel.StopConn(stopCtx, s.handle, s.Sid, s.Cid, netlinkraw.StopConnRecover)
		s.Close()
		return err
	}
	return nil
}

// redirected follows login redirections (status class 1; at most
// login.MaxRedirects) after err: it stops the kernel connection so that
// it can be bound again, connects to the TargetAddress the target gave
// and logs in there. The session's persistent portal stays the one
// configured, so a later reconnect starts from it again, as
// open-iscsi's does. Anything but a redirection is returned as it is.
func (e *Engine) redirected(ctx context.Context, s *Session, dial func(context.Context, string) (Conn, error), err error) error {
	for hops := 0; hops < login.MaxRedirects; hops++ {
		var st *login.StatusError
		if !errors.As(err, &st) || st.Class != 1 || st.TargetAddress == "" {
			return err
		}
		p, perr := login.ParseTargetAddress(st.TargetAddress)
		if perr != nil {
			return fmt.Errorf("redirected to an unusable address (%v): %w", perr, err)
		}
		if serr := e.Kernel.StopConn(ctx, s.handle, s.Sid, s.Cid, netlinkraw.StopConnRecover); serr != nil {
			return fmt.Errorf("stopping the connection for a redirection: %w", serr)
		}
		// A target that redirects closes its socket after its answer; the
		// kernel reports that close (CONN_ERROR) after handing the answer
		// up, before answering the stop, so its Order is not above
		// Order() now and the login on the next socket skips it, whether
		// it reads the kernel's events itself or through the Router.
		s.stale = e.Kernel.Order()
		s.Close()
		addr := sock.JoinHostPort(p.Addr, p.Port)
		conn, derr := dial(ctx, addr)
		if derr != nil {
			return &ConnectError{Addr: addr, Err: derr}
		}
		s.conn = conn
		if err = e.loginConn(ctx, s); err == nil {
			return nil
		}
	}
	return err
}

// StopForRecovery stops a failed connection so that it can be bound
// again: the kernel keeps the session and its devices and blocks I/O
// until the relogin starts the connection or the replacement timeout
// fails the I/O.
func (e *Engine) StopForRecovery(ctx context.Context, s *Session) error {
	if err := e.Kernel.StopConn(ctx, s.handle, s.Sid, s.Cid, netlinkraw.StopConnRecover); err != nil {
		return err
	}
	s.stale = e.Kernel.Order()
	return nil
}

// Teardown stops and destroys a session's connection and the session
// without a logout, as when its target is gone for good.
func (e *Engine) Teardown(s *Session) error { return e.teardown(s) }

// NewSession describes a session that exists in the kernel (one an
// earlier process logged in) so that it can be recovered and logged
// out: the transport handle comes from sysfs.
func (e *Engine) NewSession(sid, cid, hostNo uint32, t Target) (*Session, error) {
	tr, err := e.transport()
	if err != nil {
		return nil, err
	}
	return &Session{Sid: sid, Cid: cid, HostNo: hostNo, Target: t, handle: tr.Handle, created: true}, nil
}
