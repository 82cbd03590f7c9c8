package sock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func abstractName(t *testing.T) string {
	return fmt.Sprintf("@goiscsi-sock-test-%d-%s", os.Getpid(), t.Name())
}

func TestUnixListenDial(t *testing.T) {
	name := abstractName(t)
	ln, err := ListenUnix(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if ln.Addr() != name {
		t.Errorf("Addr = %q, want %q", ln.Addr(), name)
	}
	if _, err := ListenUnix(name); err == nil {
		t.Error("second ListenUnix on the same name succeeded")
	}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, io.LimitReader(c, 5))
	}()
	c, err := DialUnix(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte("hello"))
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "hello" {
		t.Errorf("echo %q, %v", got, err)
	}
}

func TestUnixAcceptAfterClose(t *testing.T) {
	ln, err := ListenUnix(abstractName(t))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := ln.Accept(); done <- err }()
	time.Sleep(20 * time.Millisecond)
	ln.Close()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("Accept after Close: %v, want os.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept did not return after Close")
	}
}

func TestDialUnixNoListener(t *testing.T) {
	if _, err := DialUnix(context.Background(), abstractName(t)); err == nil {
		t.Fatal("DialUnix without a listener succeeded")
	}
	for _, bad := range []string{"", "@", string(make([]byte, 200))} {
		if _, err := DialUnix(context.Background(), bad); err == nil {
			t.Errorf("DialUnix(%q) succeeded", bad)
		}
	}
}

// TestFileListener takes over a listening socket as systemd passes it.
func TestFileListener(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	nl, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	nl.SetUnlinkOnClose(false)
	f, err := nl.File()
	nl.Close()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := FileListener(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Write([]byte("ok"))
			c.Close()
		}
	}()
	c, err := DialUnix(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if got, err := io.ReadAll(c); err != nil || string(got) != "ok" {
		t.Errorf("read %q, %v", got, err)
	}
	// A file that is not a listening socket is refused.
	g, _ := os.Open(os.DevNull)
	defer g.Close()
	if _, err := FileListener(g); err == nil {
		t.Error("FileListener on /dev/null succeeded")
	}
}

func TestSendDatagram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := SendDatagram(path, []byte("READY=1")); err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "READY=1" {
		t.Errorf("got %q, %v", buf[:n], err)
	}
	if err := SendDatagram(filepath.Join(t.TempDir(), "none"), []byte("x")); err == nil {
		t.Error("SendDatagram to no socket succeeded")
	}
}
