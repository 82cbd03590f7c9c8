package sock

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// echoServer accepts on 127.0.0.1 and echoes each connection.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

func TestDial(t *testing.T) {
	addr := echoServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var d Dialer
	c, err := d.Dial(ctx, addr)
	if err != nil {
		t.Fatalf("Dial(%s): %v", addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("read %q, %v", buf, err)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var nodelay int
	rc.Control(func(fd uintptr) { nodelay, err = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY) })
	if err != nil || nodelay == 0 {
		t.Errorf("TCP_NODELAY = %d, %v; want set", nodelay, err)
	}
	// A read that times out is a timeout.
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(buf); !IsTimeout(err) {
		t.Errorf("read past deadline: %v, want a timeout", err)
	}
}

func TestDialLocalAddress(t *testing.T) {
	addr := echoServer(t)
	d := Dialer{Local: mustAddr(t, "127.0.0.2")}
	c, err := d.Dial(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rc, _ := c.SyscallConn()
	var sa unix.Sockaddr
	rc.Control(func(fd uintptr) { sa, err = unix.Getsockname(int(fd)) })
	if in4, ok := sa.(*unix.SockaddrInet4); err != nil || !ok || in4.Addr != [4]byte{127, 0, 0, 2} {
		t.Errorf("local address %+v, %v; want 127.0.0.2", sa, err)
	}
}

func TestDialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var d Dialer
	_, err = d.Dial(context.Background(), addr)
	if !errors.Is(err, syscall.ECONNREFUSED) || IsTimeout(err) {
		t.Fatalf("Dial to a closed port: %v, want ECONNREFUSED", err)
	}
	if want := "dial tcp " + addr + ": connect: connection refused"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestDialTimeout: a connect the target never completes (its accept
// queue is full, so its SYNs are dropped) ends with ctx, as a timeout.
func TestDialTimeout(t *testing.T) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := unix.Getsockname(fd)
	addr := JoinHostPort("127.0.0.1", sa.(*unix.SockaddrInet4).Port)
	var d Dialer
	for i := 0; i < 8; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		c, err := d.Dial(ctx, addr)
		cancel()
		if err == nil {
			defer c.Close() // the queue still had room
			continue
		}
		if !IsTimeout(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Dial: %v, want a timeout wrapping the context's", err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("Dial took %v past its 300ms context", el)
		}
		return
	}
	t.Skip("the kernel completed every connect; no pending connect to time out")
}

func TestDialCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var d Dialer
	_, err := d.Dial(ctx, "127.0.0.1:9")
	if err == nil {
		t.Fatal("Dial with a cancelled context succeeded")
	}
	if IsTimeout(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("Dial with a cancelled context: %v, want context.Canceled and no timeout", err)
	}
}

func TestDialBadAddress(t *testing.T) {
	var d Dialer
	for _, a := range []string{"", "127.0.0.1", "127.0.0.1:99999", "[::1:3260", "bad host:3260"} {
		if _, err := d.Dial(context.Background(), a); err == nil {
			t.Errorf("Dial(%q) succeeded", a)
		}
	}
}

// TestDialName: a host name's addresses are tried in turn; the first
// (::1, where nothing listens) refuses, the second answers.
func TestDialName(t *testing.T) {
	_, port, _ := SplitHostPort(echoServer(t))
	hosts := writeFile(t, "hosts", "::1 portal.test\n127.0.0.1 portal.test\n")
	dns := startDNS(t, nil, nil) // NXDOMAIN for all; no query leaves loopback
	d := Dialer{Resolver: &Resolver{HostsFile: hosts, ResolvConf: os.DevNull, Servers: []netip.AddrPort{dns.addr}}}
	c, err := d.Dial(context.Background(), JoinHostPort("portal.test", port))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := d.Dial(context.Background(), JoinHostPort("missing.test", port)); err == nil {
		t.Error("Dial of an unknown name succeeded")
	}
}

func TestSockaddrZone(t *testing.T) {
	sa, err := sockaddr(netip.MustParseAddrPort("[fe80::1%1]:3260"))
	if in6, ok := sa.(*unix.SockaddrInet6); err != nil || !ok || in6.ZoneId != 1 || in6.Port != 3260 {
		t.Errorf("sockaddr(fe80::1%%1) = %+v, %v", sa, err)
	}
	sa, err = sockaddr(netip.MustParseAddrPort("[fe80::1%lo]:3260"))
	if in6, ok := sa.(*unix.SockaddrInet6); err != nil || !ok || in6.ZoneId == 0 {
		t.Errorf("sockaddr(fe80::1%%lo) = %+v, %v", sa, err)
	}
	if _, err := sockaddr(netip.MustParseAddrPort("[fe80::1%nosuchdev0]:3260")); err == nil {
		t.Error("sockaddr with an unknown zone succeeded")
	}
}
