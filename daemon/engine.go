package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"syscall"
	"time"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/internal/sock"
	"github.com/goiscsi/goiscsi/netlinkraw"
	"github.com/goiscsi/goiscsi/sysfs"
)

// Kernel is the part of NETLINK_ISCSI (struct iscsi_ipc in open-iscsi)
// that software iscsi_tcp needs. *netlinkraw.Conn implements it; tests
// use netlinkraw/nltest.
type Kernel interface {
	CreateSession(ctx context.Context, handle uint64, initialCmdSN uint32, cmdsMax, queueDepth uint16) (sid, hostNo uint32, err error)
	CreateConn(ctx context.Context, handle uint64, sid, cid uint32) (uint32, uint32, error)
	BindConn(ctx context.Context, handle uint64, sid, cid uint32, fd int, leading bool) error
	SetParam(ctx context.Context, handle uint64, sid, cid uint32, p netlinkraw.Param, value string) error
	StartConn(ctx context.Context, handle uint64, sid, cid uint32) error
	StopConn(ctx context.Context, handle uint64, sid, cid uint32, flag netlinkraw.StopFlag) error
	SendPDU(ctx context.Context, handle uint64, sid, cid uint32, hdr, data []byte) error
	DestroyConn(ctx context.Context, handle uint64, sid, cid uint32) error
	DestroySession(ctx context.Context, handle uint64, sid uint32) error
	Events() <-chan netlinkraw.Event
	// Order is the place of the last message read (see
	// netlinkraw.Conn.Order); 0 when the kernel does not count.
	Order() uint64
}

// Engine logs sessions in and out through the kernel. It serves one
// login at a time: it reads the kernel's events itself while a login
// runs (iscsid's event loop will own them once it exists).
type Engine struct {
	Kernel Kernel
	Sys    sysfs.Root
	// Dial connects the TCP socket; nil uses sock.Dialer (TCP_NODELAY).
	Dial func(ctx context.Context, addr string) (Conn, error)
	// LoadModules loads iscsi_tcp and what it needs when the transport
	// is missing.
	LoadModules bool
	// Reprobe, when set, is called with the portal ("host:port") before
	// each reconnect attempt but the first of a round (see Reprobe).
	Reprobe func(hostport string)
	// Router, when set, owns the kernel's events (iscsid runs several
	// logins at once); without it a login reads them itself.
	Router *Router
}

// transport finds software iSCSI over TCP in sysfs, loading its modules
// first if they are not loaded.
func (e *Engine) transport() (sysfs.Transport, error) {
	tr, err := e.Sys.Transport(transportTCP)
	if errors.Is(err, fs.ErrNotExist) && e.LoadModules {
		if lerr := (Modules{}).Load(transportModule); lerr != nil {
			return tr, fmt.Errorf("iSCSI transport %q is not loaded and loading it failed: %w", transportTCP, lerr)
		}
		tr, err = e.Sys.Transport(transportTCP)
	}
	if err != nil {
		return tr, fmt.Errorf("iSCSI transport %q: %w", transportTCP, err)
	}
	return tr, nil
}

// Session is a logged-in session.
type Session struct {
	Sid, HostNo, Cid uint32
	Target           Target
	Result           *login.Result
	handle           uint64
	created          bool   // the kernel session exists
	conn             Conn   // the socket the kernel uses
	stale            uint64 // events with an Order up to this predate the connection's last stop
}

// Close releases our descriptor of the socket; the kernel keeps its
// own reference, so the session stays up.
func (s *Session) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

// transportTCP names software iSCSI over TCP in sysfs.
const transportTCP = "tcp"

// Login creates a session for t in the kernel and logs it in through
// the kernel up to Full Feature Phase. On failure every kernel object
// it created is destroyed again.
func (e *Engine) Login(ctx context.Context, t Target) (*Session, error) {
	tr, err := e.transport()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, t.LoginTimeout)
	defer cancel()
	conn, err := e.dial(ctx, t.HostPort())
	if err != nil {
		return nil, &ConnectError{Addr: t.HostPort(), Err: err}
	}
	s := &Session{Target: t, handle: tr.Handle, conn: conn}
	err = e.login(ctx, s)
	if err != nil && s.created && s.Cid != noConn {
		err = e.redirected(ctx, s, e.dial, err)
	}
	if err != nil {
		_ = e.teardown(s) // the login error is the one to report
		s.Close()
		if s.created {
			return nil, &SessionError{Sid: s.Sid, Cid: s.Cid, Err: err}
		}
		return nil, err
	}
	return s, nil
}

// SessionError is a login that failed after the kernel session was
// created (and has been destroyed again); it names the session.
type SessionError struct {
	Sid, Cid uint32
	Err      error
}

func (e *SessionError) Error() string { return fmt.Sprintf("session %d: %v", e.Sid, e.Err) }
func (e *SessionError) Unwrap() error { return e.Err }

func (e *Engine) login(ctx context.Context, s *Session) error {
	k, t := e.Kernel, s.Target
	sid, host, err := k.CreateSession(ctx, s.handle, t.InitialCmdSN, t.CmdsMax, t.QueueDepth)
	if err != nil {
		return fmt.Errorf("creating session: %w", err)
	}
	s.Sid, s.HostNo, s.created = sid, host, true
	if _, s.Cid, err = k.CreateConn(ctx, s.handle, sid, 0); err != nil {
		s.Cid = noConn
		return fmt.Errorf("creating connection: %w", err)
	}
	return e.loginConn(ctx, s)
}

// loginConn binds s's socket to its kernel connection, logs in through
// the kernel and starts the connection: the part a first login and a
// relogin after a connection failure share.
func (e *Engine) loginConn(ctx context.Context, s *Session) error {
	k, t := e.Kernel, s.Target
	if err := e.bind(ctx, s); err != nil {
		return err
	}
	if err := e.setParams(ctx, s, preLoginParams(t)); err != nil {
		return err
	}
	kc := &kernelConn{k: k, handle: s.handle, sid: s.Sid, cid: s.Cid, ctx: ctx, stale: s.stale}
	if e.Router != nil {
		events, release := e.Router.Subscribe(s.Sid, s.Cid)
		defer release()
		kc.events = events
	}
	res, err := login.Login(ctx, kc, login.Config{
		InitiatorName: t.InitiatorName, InitiatorAlias: t.InitiatorAlias, TargetName: t.Name, ISID: t.ISID,
		CmdSN: t.InitialCmdSN + 1, Auth: t.Auth, Operational: t.Operational,
	})
	if err != nil {
		return err
	}
	if res.Params.TargetPortalGroupTag < 0 {
		res.Params.TargetPortalGroupTag = t.TPGT
	}
	s.Result = res
	if err := e.setParams(ctx, s, postLoginParams(res)); err != nil {
		return err
	}
	if err := k.StartConn(ctx, s.handle, s.Sid, s.Cid); err != nil {
		return fmt.Errorf("starting connection: %w", err)
	}
	return nil
}

// noConn marks a session whose connection was never created.
const noConn = ^uint32(0)

// bind hands the TCP socket to the kernel connection.
func (e *Engine) bind(ctx context.Context, s *Session) error {
	sc, ok := s.conn.(syscall.Conn)
	if !ok {
		return fmt.Errorf("binding connection: %T has no file descriptor", s.conn)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return fmt.Errorf("binding connection: %w", err)
	}
	var bindErr error
	if err := raw.Control(func(fd uintptr) {
		bindErr = e.Kernel.BindConn(ctx, s.handle, s.Sid, s.Cid, int(fd), true)
	}); err != nil {
		return fmt.Errorf("binding connection: %w", err)
	}
	if bindErr != nil {
		return fmt.Errorf("binding connection: %w", bindErr)
	}
	return nil
}

func (e *Engine) setParams(ctx context.Context, s *Session, ps []param) error {
	for _, p := range ps {
		if err := e.Kernel.SetParam(ctx, s.handle, s.Sid, s.Cid, p.p, p.value); err != nil {
			// Values can be secrets: name the parameter only.
			return fmt.Errorf("setting %v: %w", p.p, err)
		}
	}
	return nil
}

// teardown destroys what a failed login created, with a context of its
// own so that a login that ran out of time is still cleaned up. It
// returns the first error; later steps run regardless.
func (e *Engine) teardown(s *Session) error {
	if !s.created {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	if s.Cid != noConn {
		errs = append(errs, e.Kernel.StopConn(ctx, s.handle, s.Sid, s.Cid, netlinkraw.StopConnTerm))
		errs = append(errs, e.Kernel.DestroyConn(ctx, s.handle, s.Sid, s.Cid))
	}
	errs = append(errs, e.Kernel.DestroySession(ctx, s.handle, s.Sid))
	return errors.Join(errs...)
}

func (e *Engine) dial(ctx context.Context, addr string) (Conn, error) {
	if e.Dial != nil {
		return e.Dial(ctx, addr)
	}
	var d sock.Dialer
	c, err := d.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Conn is a portal connection until the kernel takes its socket: a
// *sock.Conn, or in tests another TCP connection.
type Conn interface {
	io.ReadWriteCloser
	SetDeadline(time.Time) error
	syscall.Conn
}

// ConnectError is a failed TCP connection to the portal.
type ConnectError struct {
	Addr string
	Err  error
}

func (e *ConnectError) Error() string {
	return "cannot make connection to " + e.Addr + ": " + e.Err.Error()
}
func (e *ConnectError) Unwrap() error { return e.Err }

// Logout logs session sid out through the kernel (the kernel fills in
// the sequence numbers of a Logout PDU sent in Full Feature Phase),
// then stops the connection and destroys connection and session, which
// removes the SCSI devices. A target that does not answer the logout
// within ctx still has the session torn down.
func (e *Engine) Logout(ctx context.Context, sid, cid uint32) error {
	tr, err := e.transport()
	if err != nil {
		return err
	}
	kc := &kernelConn{k: e.Kernel, handle: tr.Handle, sid: sid, cid: cid, ctx: ctx}
	if e.Router != nil {
		events, release := e.Router.Subscribe(sid, cid)
		defer release()
		kc.events = events
	}
	logoutErr := login.Logout(ctx, kc, &login.Result{}, uint16(cid))
	s := &Session{Sid: sid, Cid: cid, handle: tr.Handle, created: true}
	if err := e.teardown(s); err != nil {
		return fmt.Errorf("removing session %d: %w", sid, err)
	}
	if logoutErr != nil {
		return fmt.Errorf("logout of session %d (session removed all the same): %w", sid, logoutErr)
	}
	return nil
}

// NewEngine opens the kernel's NETLINK_ISCSI socket and returns an
// engine on it, reading sysfs at $SYSFS_PATH or /sys, and a function
// that closes the socket. When the TCP transport is missing it loads
// iscsi_tcp (and so scsi_transport_iscsi, which the socket needs) first.
func NewEngine() (*Engine, func() error, error) {
	e := &Engine{Sys: sysfs.FromEnv(), LoadModules: true}
	if _, err := e.transport(); err != nil {
		return nil, nil, err
	}
	k, err := netlinkraw.Dial()
	if err != nil {
		return nil, nil, err
	}
	e.Kernel = k
	return e, k.Close, nil
}
