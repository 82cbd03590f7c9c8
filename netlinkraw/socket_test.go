package netlinkraw

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The socket code is exercised on NETLINK_ROUTE, which every Linux
// kernel has and which needs no privilege; NETLINK_ISCSI itself is
// TestIntegrationDial's.

// askLinks sends the kernel an RTM_GETLINK dump request with sequence
// number 1: nlmsghdr, then a zeroed struct ifinfomsg.
func askLinks(t *testing.T, s *netlinkSocket) {
	t.Helper()
	req, err := Message{Type: unix.RTM_GETLINK, Flags: unix.NLM_F_REQUEST | unix.NLM_F_DUMP, Seq: 1,
		Pid: s.PortID(), Data: make([]byte, unix.SizeofIfInfomsg)}.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(req); err != nil {
		t.Fatalf("Send() = %v", err)
	}
}

func TestSocketRoundTrip(t *testing.T) {
	s, err := openNetlink(unix.NETLINK_ROUTE, 0)
	if err != nil {
		t.Skipf("no NETLINK_ROUTE socket here: %v", err)
	}
	defer s.Close()
	if s.PortID() == 0 {
		t.Errorf("PortID() = 0, want the port the kernel bound")
	}
	askLinks(t, s)
	d, err := s.Receive()
	if err != nil {
		t.Fatalf("Receive() = %v", err)
	}
	msgs, err := ParseMessages(d)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("ParseMessages(%d bytes) = %d, %v; want messages", len(d), len(msgs), err)
	}
	if m := msgs[0]; m.Type != unix.RTM_NEWLINK && m.Type != unix.NLMSG_DONE || m.Seq != 1 {
		t.Errorf("first reply type %d seq %d, want RTM_NEWLINK or NLMSG_DONE, seq 1", m.Type, m.Seq)
	}
}

func TestSocketCloseUnblocksReceive(t *testing.T) {
	s, err := openNetlink(unix.NETLINK_ROUTE, 0)
	if err != nil {
		t.Skipf("no NETLINK_ROUTE socket here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Receive()
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("Receive() after Close = nil error, want one")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Receive() still blocked after Close")
	}
}

func TestSocketSendTooLong(t *testing.T) {
	s, err := openNetlink(unix.NETLINK_ROUTE, 0)
	if err != nil {
		t.Skipf("no NETLINK_ROUTE socket here: %v", err)
	}
	defer s.Close()
	if err := s.Send(make([]byte, MaxDatagram+1)); !errors.Is(err, ErrTooLong) {
		t.Errorf("Send(oversized) = %v, want ErrTooLong", err)
	}
}

// TestSocketReceiveSkipsOtherSenders: a datagram from another netlink
// socket is not the kernel's and is passed over.
func TestSocketReceiveSkipsOtherSenders(t *testing.T) {
	s, err := openNetlink(unix.NETLINK_ROUTE, 0)
	if err != nil {
		t.Skipf("no NETLINK_ROUTE socket here: %v", err)
	}
	defer s.Close()
	other, err := openNetlink(unix.NETLINK_ROUTE, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	forged, err := Message{Type: unix.NLMSG_DONE, Seq: 7, Pid: other.PortID(), Data: make([]byte, 4)}.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: s.PortID()}
	if err := unix.Sendto(int(other.f.Fd()), forged, 0, to); err != nil {
		t.Skipf("cannot send between netlink sockets here: %v", err)
	}
	askLinks(t, s)
	// A Receive that took the kernel's answers for another sender's
	// would skip them all and wait for ever: bound it.
	timer := time.AfterFunc(10*time.Second, func() { s.Close() })
	d, err := s.Receive()
	if !timer.Stop() {
		t.Fatalf("Receive() did not return the kernel's answer (then: %v)", err)
	}
	if err != nil {
		t.Fatalf("Receive() = %v", err)
	}
	msgs, err := ParseMessages(d)
	if err != nil || len(msgs) == 0 || msgs[0].Seq != 1 {
		t.Fatalf("Receive() returned %d bytes (%v, %v), want the kernel's answer to seq 1, not the other socket's", len(d), msgs, err)
	}
}
