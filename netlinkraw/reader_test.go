package netlinkraw_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/netlinkraw"
	"github.com/goiscsi/goiscsi/netlinkraw/nltest"
	"golang.org/x/sys/unix"
)

func silent(netlinkraw.Uevent) ([]netlinkraw.Uevent, error) { return nil, nil }

// waitStats polls Stats until ok accepts it.
func waitStats(t *testing.T, c *netlinkraw.Conn, ok func(netlinkraw.Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok(c.Stats()) {
		if time.Now().After(deadline) {
			t.Fatalf("Stats() = %+v", c.Stats())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestEventsDropWhenFull(t *testing.T) {
	sock := nltest.NewSocket(silent)
	c := netlinkraw.NewConn(sock)
	defer c.Close()
	for i := range netlinkraw.EventQueueLen + 10 {
		ev := nltest.RecvPDU(1, uint32(i), make([]byte, 48))
		if err := sock.Inject(ev); err != nil {
			t.Fatal(err)
		}
	}
	waitStats(t, c, func(s netlinkraw.Stats) bool { return s.Dropped == 10 })
	for i := range netlinkraw.EventQueueLen {
		if ev := nextEvent(t, c); ev.Cid != uint32(i) || len(ev.PDU) != 48 {
			t.Fatalf("event %d = cid %d PDU %d bytes, want cid %d, 48", i, ev.Cid, len(ev.PDU), i)
		}
	}
}

func TestMalformedDatagrams(t *testing.T) {
	sock := nltest.NewSocket(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
		return []netlinkraw.Uevent{nltest.Reply(req)}, nil
	})
	c := netlinkraw.NewConn(sock)
	defer c.Close()
	short, _ := netlinkraw.Message{Type: 0, Data: make([]byte, 10)}.Append(nil)
	for _, d := range [][]byte{{1, 2, 3, 4, 5}, short} {
		if err := sock.InjectDatagram(d); err != nil {
			t.Fatal(err)
		}
	}
	waitStats(t, c, func(s netlinkraw.Stats) bool { return s.Malformed == 2 })
	if err := c.StartConn(testContext(t), handle, 1, 0); err != nil {
		t.Errorf("StartConn() after bad datagrams = %v, want nil", err)
	}
}

// TestSeveralMessagesPerDatagram: messages are read at 4-byte
// boundaries and delivered in order.
func TestSeveralMessagesPerDatagram(t *testing.T) {
	sock := nltest.NewSocket(silent)
	c := netlinkraw.NewConn(sock)
	defer c.Close()
	var d []byte
	for cid, n := range []int{49, 48} {
		ev := nltest.RecvPDU(1, uint32(cid), nil)
		ev.Payload = make([]byte, n) // unpadded on purpose
		body, _ := ev.MarshalBinary()
		d, _ = netlinkraw.Message{Data: body}.Append(d)
		d = append(d, make([]byte, (4-len(d)%4)%4)...)
	}
	if err := sock.InjectDatagram(d); err != nil {
		t.Fatal(err)
	}
	for cid, n := range []int{49, 48} {
		if ev := nextEvent(t, c); ev.Cid != uint32(cid) || len(ev.PDU) != n {
			t.Errorf("event %d = cid %d, %d bytes; want %d, %d", cid, ev.Cid, len(ev.PDU), cid, n)
		}
	}
}

// TestNetlinkError: an NLMSG_ERROR quoting the request fails the call.
func TestNetlinkError(t *testing.T) {
	var sock *nltest.Socket
	sock = nltest.NewSocket(func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
		body, _ := req.MarshalBinary()
		quoted, _ := netlinkraw.Message{Type: uint16(req.Type), Pid: nltest.PortID, Data: body}.Append(nil)
		code := -int32(unix.EPERM)
		errno := binary.NativeEndian.AppendUint32(nil, uint32(code))
		d, _ := netlinkraw.Message{Type: 2, Data: append(errno, quoted...)}.Append(nil)
		return nil, sock.InjectDatagram(d)
	})
	c := netlinkraw.NewConn(sock)
	defer c.Close()
	_, _, err := c.CreateConn(testContext(t), handle, 1, 0)
	if !errors.Is(err, unix.EPERM) {
		t.Errorf("CreateConn() = %v, want EPERM", err)
	}
}

// TestGetStatsMulticast: the kernel multicasts the GET_STATS answer
// (nlmsg_type 0); the call still gets it.
func TestGetStatsMulticast(t *testing.T) {
	k := nltest.NewKernel()
	c := k.Dial()
	defer c.Close()
	ctx := testContext(t)
	sid, _, err := c.CreateSession(ctx, handle, 0, 128, 32)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.CreateConn(ctx, handle, sid, 0); err != nil {
		t.Fatal(err)
	}
	stats, err := c.GetStats(ctx, handle, sid, 0)
	if err != nil || len(stats) != 96 {
		t.Errorf("GetStats() = %d bytes, %v, want 96, nil", len(stats), err)
	}
	if _, err := c.GetStats(ctx, handle, sid, 5); !errors.Is(err, unix.EINVAL) {
		t.Errorf("GetStats(no such conn) = %v, want EINVAL", err)
	}
	if ev := nextEvent(t, c); ev.Type != netlinkraw.KeventCreateSession || ev.Sid != sid {
		t.Errorf("event = %v sid %d, want CREATE_SESSION %d", ev.Type, ev.Sid, sid)
	}
}

func TestSendFailure(t *testing.T) {
	boom := errors.New("boom")
	c := nltest.Dial(func(netlinkraw.Uevent) ([]netlinkraw.Uevent, error) { return nil, boom })
	defer c.Close()
	if err := c.StartConn(context.Background(), handle, 1, 0); !errors.Is(err, boom) {
		t.Errorf("StartConn() = %v, want boom", err)
	}
}
