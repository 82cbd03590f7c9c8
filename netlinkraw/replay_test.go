package netlinkraw_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/netlinkraw"
)

// replaySocket plays the kernel's side of a trace: each datagram sent
// must be the trace's next '>>' one, byte for byte; the '<<' datagrams
// that follow it are then received.
type replaySocket struct {
	t       *testing.T
	entries []traceEntry
	mu      sync.Mutex
	next    int
	queue   chan []byte
	closed  chan struct{}
	once    sync.Once
}

func newReplaySocket(t *testing.T, entries []traceEntry) *replaySocket {
	return &replaySocket{t: t, entries: entries, queue: make(chan []byte, len(entries)), closed: make(chan struct{})}
}

func (s *replaySocket) PortID() uint32 { return 111 }

func (s *replaySocket) Send(msg []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next >= len(s.entries) || !s.entries[s.next].send {
		s.t.Errorf("sent %x; the trace expects no request here", msg)
		return nil
	}
	if e := s.entries[s.next]; !bytes.Equal(msg, e.data) {
		s.t.Errorf("datagram %s differs from open-iscsi's:\n got %x\nwant %x", e.id, msg, e.data)
	}
	for s.next++; s.next < len(s.entries) && !s.entries[s.next].send; s.next++ {
		s.queue <- s.entries[s.next].data
	}
	return nil
}

func (s *replaySocket) Receive() ([]byte, error) {
	select {
	case d := <-s.queue:
		return d, nil
	case <-s.closed:
		return nil, netlinkraw.ErrClosed
	}
}

func (s *replaySocket) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

// TestReplayTrace drives the Conn methods through both logins of the
// trace, as the engine would, against the kernel's recorded answers.
func TestReplayTrace(t *testing.T) {
	for _, part := range []string{"p1", "p2"} {
		t.Run(part, func(t *testing.T) {
			entries := loadTrace(t, part)
			sock := newReplaySocket(t, entries)
			c := netlinkraw.NewConn(sock)
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var wantPDUs [][]byte
			for _, e := range entries {
				_, u := decodeEntry(t, e)
				switch {
				case e.send:
					replayCall(ctx, t, c, u)
				case u.Type == netlinkraw.KeventRecvPDU:
					wantPDUs = append(wantPDUs, u.Payload)
				}
			}
			checkReplayEvents(t, c, wantPDUs)
		})
	}
}

// replayCall makes the call that sent u and checks its result.
func replayCall(ctx context.Context, t *testing.T, c *netlinkraw.Conn, u netlinkraw.Uevent) {
	t.Helper()
	r, h := u.Request, u.TransportHandle
	var err error
	switch u.Type {
	case netlinkraw.UeventCreateSession:
		var sid, host uint32
		sid, host, err = c.CreateSession(ctx, h, r.InitialCmdSN, r.CmdsMax, r.QueueDepth)
		if sid != 1 || host != 0 {
			t.Errorf("CreateSession() = %d, %d, want 1, 0", sid, host)
		}
	case netlinkraw.UeventCreateConn:
		var sid, cid uint32
		sid, cid, err = c.CreateConn(ctx, h, r.Sid, r.Cid)
		if sid != 1 || cid != 0 {
			t.Errorf("CreateConn() = %d, %d, want 1, 0", sid, cid)
		}
	case netlinkraw.UeventBindConn:
		err = c.BindConn(ctx, h, r.Sid, r.Cid, int(r.TransportEph), r.IsLeading == 1)
	case netlinkraw.UeventSetParam:
		err = c.SetParam(ctx, h, r.Sid, r.Cid, r.Param, string(bytes.TrimSuffix(u.Payload, []byte{0})))
	case netlinkraw.UeventStartConn:
		err = c.StartConn(ctx, h, r.Sid, r.Cid)
	case netlinkraw.UeventSendPDU:
		hdr := u.Payload[:r.HdrSize]
		dlen := int(hdr[5])<<16 | int(hdr[6])<<8 | int(hdr[7])
		err = c.SendPDU(ctx, h, r.Sid, r.Cid, hdr, u.Payload[int(r.HdrSize):int(r.HdrSize)+dlen])
	default:
		t.Fatalf("no call for %v", u.Type)
	}
	if err != nil {
		t.Errorf("%v: %v", u.Type, err)
	}
}

// checkReplayEvents reads what went to Events: one CREATE_SESSION
// kevent and the login responses, in order.
func checkReplayEvents(t *testing.T, c *netlinkraw.Conn, wantPDUs [][]byte) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	var created int
	for len(wantPDUs) > 0 {
		select {
		case ev := <-c.Events():
			switch ev.Type {
			case netlinkraw.KeventCreateSession:
				created++
				if ev.Sid != 1 || ev.HostNo != 0 {
					t.Errorf("CREATE_SESSION event sid, host = %d, %d, want 1, 0", ev.Sid, ev.HostNo)
				}
			case netlinkraw.KeventRecvPDU:
				if !bytes.Equal(ev.PDU, wantPDUs[0]) || ev.Sid != 1 || ev.Cid != 0 {
					t.Errorf("RECV_PDU event = sid %d cid %d %x, want 1 0 %x", ev.Sid, ev.Cid, ev.PDU, wantPDUs[0])
				}
				wantPDUs = wantPDUs[1:]
			default:
				t.Errorf("unexpected event %v", ev.Type)
			}
		case <-timeout:
			t.Fatalf("%d RECV_PDU events missing", len(wantPDUs))
		}
	}
	if created != 1 {
		t.Errorf("CREATE_SESSION events = %d, want 1", created)
	}
	if s := c.Stats(); s != (netlinkraw.Stats{}) {
		t.Errorf("Stats() = %+v, want zero", s)
	}
}
