package sock

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Dialer makes TCP connections. The zero value dials from any address
// with the default Resolver.
type Dialer struct {
	Local    netip.Addr // source address, when valid
	Device   string     // network device to bind to (SO_BINDTODEVICE), when set
	Resolver *Resolver  // for host names; nil is the default
}

// Dial connects to hostport ("host:port", "[v6]:port") over TCP, with
// TCP_NODELAY set. A host name is resolved and its addresses tried in
// turn. ctx bounds the whole dial: its deadline passing is a timeout
// error (see IsTimeout), its cancellation an error wrapping its cause.
func (d *Dialer) Dial(ctx context.Context, hostport string) (*Conn, error) {
	host, port, err := SplitHostPort(hostport)
	if err != nil {
		return nil, &OpError{Op: "dial tcp", Addr: hostport, Err: err}
	}
	addrs, err := d.Resolver.LookupHost(ctx, host)
	if err != nil {
		return nil, &OpError{Op: "dial tcp", Addr: hostport, Err: err}
	}
	first := error(&OpError{Op: "dial tcp", Addr: hostport, Err: ErrNoHost})
	for i, a := range addrs {
		c, err := d.connectShare(ctx, netip.AddrPortFrom(a, uint16(port)), len(addrs)-i)
		if err == nil {
			return c, nil
		}
		if i == 0 {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// minShare is the least time an address of several gets to connect.
const minShare = 2 * time.Second

// connectShare connects to ap with its share of ctx's time when left
// more addresses remain to try (this one included), as package net
// does: one address that drops packets must not use up the dial.
func (d *Dialer) connectShare(ctx context.Context, ap netip.AddrPort, left int) (*Conn, error) {
	if dl, ok := ctx.Deadline(); ok && left > 1 {
		share := max(time.Until(dl)/time.Duration(left), minShare)
		if t := time.Now().Add(share); t.Before(dl) {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, t)
			defer cancel()
		}
	}
	return d.connect(ctx, ap)
}

// connect makes one TCP connection to ap.
func (d *Dialer) connect(ctx context.Context, ap netip.AddrPort) (*Conn, error) {
	fail := func(call string, err error) (*Conn, error) {
		return nil, &OpError{Op: "dial tcp", Addr: ap.String(), Err: os.NewSyscallError(call, err)}
	}
	family := unix.AF_INET
	if ap.Addr().Is6() && !ap.Addr().Is4In6() {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return fail("socket", err)
	}
	if call, err := d.setup(fd, family); err != nil {
		unix.Close(fd)
		return fail(call, err)
	}
	c, err := newConn(fd, "tcp:"+ap.String())
	if err != nil {
		return fail("fcntl", err)
	}
	sa, err := sockaddr(ap)
	if err != nil {
		c.Close()
		return nil, &OpError{Op: "dial tcp", Addr: ap.String(), Err: err}
	}
	if err := c.connect(ctx, sa); err != nil {
		c.Close()
		return nil, &OpError{Op: "dial tcp", Addr: ap.String(), Err: err}
	}
	return c, nil
}

// setup sets the socket's options and source before it connects; it
// returns the failed call's name.
func (d *Dialer) setup(fd, family int) (string, error) {
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		return "setsockopt", err
	}
	if d == nil {
		return "", nil
	}
	if d.Device != "" {
		if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, d.Device); err != nil {
			return "setsockopt", err
		}
	}
	if d.Local.IsValid() {
		local := d.Local
		if family == unix.AF_INET6 && local.Is4() {
			local = netip.AddrFrom16(local.As16())
		}
		sa, err := sockaddr(netip.AddrPortFrom(local, 0))
		if err != nil {
			return "bind", err
		}
		if err := unix.Bind(fd, sa); err != nil {
			return "bind", err
		}
	}
	return "", nil
}

// connect starts a connect(2) and waits for it to complete, until ctx
// is done.
func (c *Conn) connect(ctx context.Context, sa unix.Sockaddr) error {
	rc, err := c.f.SyscallConn()
	if err != nil {
		return err
	}
	var cerr error
	if err := rc.Control(func(fd uintptr) { cerr = unix.Connect(int(fd), sa) }); err != nil {
		return err
	}
	switch cerr {
	case nil:
		return nil
	case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
	default:
		return os.NewSyscallError("connect", cerr)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.f.SetWriteDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	err = rc.Write(func(fd uintptr) bool {
		cerr = connected(int(fd))
		return cerr != unix.EINPROGRESS
	})
	if !stop() || errors.Is(err, os.ErrDeadlineExceeded) {
		// Only ctx sets deadlines here: it is done, or about to be.
		<-ctx.Done()
		return ctxError(ctx)
	}
	_ = c.f.SetWriteDeadline(time.Time{})
	if err != nil {
		return err
	}
	if cerr != nil {
		return os.NewSyscallError("connect", cerr)
	}
	return nil
}

// connected reports a connect's state: nil when connected, EINPROGRESS
// while it is pending, or the error it failed with.
func connected(fd int) error {
	if e, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil {
		return err
	} else if e != 0 {
		return unix.Errno(e)
	}
	if _, err := unix.Getpeername(fd); err != nil {
		if err == unix.ENOTCONN {
			return unix.EINPROGRESS
		}
		return err
	}
	return nil
}

// ctxError is why ctx ended, as an I/O error: a timeout when its
// deadline passed, its cause when it was cancelled.
func ctxError(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return TimeoutError{context.Cause(ctx)}
	}
	return context.Cause(ctx)
}

// TimeoutError is a deadline that passed, as an I/O error: Err is what
// it cut short. IsTimeout reports it.
type TimeoutError struct{ Err error }

func (e TimeoutError) Error() string   { return "i/o timeout: " + e.Err.Error() }
func (e TimeoutError) Unwrap() error   { return e.Err }
func (e TimeoutError) Timeout() bool   { return true }
func (e TimeoutError) Temporary() bool { return true }

// sockaddr is ap as the kernel takes it; an IPv6 zone is an interface
// name or index.
func sockaddr(ap netip.AddrPort) (unix.Sockaddr, error) {
	a := ap.Addr()
	if a.Is4() || a.Is4In6() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.Unmap().As4()}, nil
	}
	sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	if z := a.Zone(); z != "" {
		n, err := strconv.Atoi(z)
		if err != nil {
			if n, err = interfaceIndex(z); err != nil {
				return nil, fmt.Errorf("zone %q: %w", z, err)
			}
		}
		if n <= 0 {
			return nil, fmt.Errorf("zone %q: not an interface", z)
		}
		sa.ZoneId = uint32(n)
	}
	return sa, nil
}

// interfaceIndex is a network device's index, for IPv6 zones.
func interfaceIndex(name string) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, err
	}
	return int(ifr.Uint32()), nil
}
