package netlinkraw_test

import (
	"bytes"
	"testing"

	"github.com/goiscsi/goiscsi/netlinkraw"
)

// decodeEntry splits a trace datagram into its one message and uevent.
func decodeEntry(t *testing.T, e traceEntry) (netlinkraw.Message, netlinkraw.Uevent) {
	t.Helper()
	msgs, err := netlinkraw.ParseMessages(e.data)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("ParseMessages(%s) = %d messages, %v; want 1, nil", e.id, len(msgs), err)
	}
	var u netlinkraw.Uevent
	if err := u.UnmarshalBinary(msgs[0].Data); err != nil {
		t.Fatalf("UnmarshalBinary(%s) = %v, want nil", e.id, err)
	}
	return msgs[0], u
}

// TestGoldenDecode decodes every datagram of the trace and encodes it
// back to the same bytes; headers are as the trace's legend says.
func TestGoldenDecode(t *testing.T) {
	for _, e := range loadTrace(t, "") {
		t.Run(e.id, func(t *testing.T) {
			m, u := decodeEntry(t, e)
			if got := u.Type.String(); got != e.name {
				t.Errorf("Type.String() = %s, want %s", got, e.name)
			}
			wantType, wantPid := uint16(0), uint32(0)
			switch {
			case e.send:
				wantType, wantPid = uint16(u.Type), 111
			case !u.Type.IsKernelEvent():
				wantType = uint16(u.Type)
			}
			if m.Type != wantType || m.Pid != wantPid || m.Flags != 0 || m.Seq != 0 {
				t.Errorf("header = type %d pid %d flags %#x seq %d, want type %d pid %d flags 0 seq 0",
					m.Type, m.Pid, m.Flags, m.Seq, wantType, wantPid)
			}
			again, err := netlinkraw.Message{Type: m.Type, Pid: m.Pid, Data: mustMarshal(t, &u)}.Append(nil)
			if err != nil || !bytes.Equal(again, e.data) {
				t.Errorf("re-encoded = %x, %v\nwant %x", again, err, e.data)
			}
		})
	}
}

func mustMarshal(t *testing.T, u *netlinkraw.Uevent) []byte {
	t.Helper()
	b, err := u.MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary(%v) = %v", u.Type, err)
	}
	return b
}

// TestGoldenRequests rebuilds every request of the trace with the
// builders the Conn methods use, from the arguments open-iscsi had, and
// compares the datagrams byte for byte.
func TestGoldenRequests(t *testing.T) {
	for _, e := range loadTrace(t, "") {
		if !e.send {
			continue
		}
		t.Run(e.id+"-"+e.name, func(t *testing.T) {
			_, u := decodeEntry(t, e)
			req := rebuild(t, u)
			got, err := netlinkraw.Message{Type: uint16(req.Type), Pid: 111, Data: mustMarshal(t, req)}.Append(nil)
			if err != nil || !bytes.Equal(got, e.data) {
				t.Errorf("%v request = %x, %v\nwant %x", u.Type, got, err, e.data)
			}
		})
	}
}

// rebuild makes the request open-iscsi sent from its arguments alone.
func rebuild(t *testing.T, u netlinkraw.Uevent) *netlinkraw.Uevent {
	t.Helper()
	r, h := u.Request, u.TransportHandle
	var req *netlinkraw.Uevent
	var err error
	switch u.Type {
	case netlinkraw.UeventCreateSession:
		req = netlinkraw.NewCreateSession(h, r.InitialCmdSN, r.CmdsMax, r.QueueDepth)
	case netlinkraw.UeventCreateConn, netlinkraw.UeventStartConn:
		req = netlinkraw.NewConnRequest(u.Type, h, r.Sid, r.Cid)
	case netlinkraw.UeventBindConn:
		req, err = netlinkraw.NewBindConn(h, r.Sid, r.Cid, int(r.TransportEph), r.IsLeading == 1)
	case netlinkraw.UeventSetParam:
		value := string(bytes.TrimSuffix(u.Payload, []byte{0}))
		req, err = netlinkraw.NewSetParam(h, r.Sid, r.Cid, r.Param, value)
	case netlinkraw.UeventSendPDU:
		hdr := u.Payload[:r.HdrSize]
		dlen := int(hdr[5])<<16 | int(hdr[6])<<8 | int(hdr[7]) // DataSegmentLength
		req, err = netlinkraw.NewSendPDU(h, r.Sid, r.Cid, hdr, u.Payload[r.HdrSize:int(r.HdrSize)+dlen])
	default:
		t.Fatalf("no builder for %v in the trace", u.Type)
	}
	if err != nil {
		t.Fatalf("building %v: %v", u.Type, err)
	}
	return req
}

// TestGoldenFields checks decoded fields of the trace's kernel messages.
func TestGoldenFields(t *testing.T) {
	seen := map[netlinkraw.UeventType]bool{}
	for _, e := range loadTrace(t, "") {
		if e.send {
			continue
		}
		_, u := decodeEntry(t, e)
		seen[u.Type] = true
		r := u.Reply
		switch u.Type {
		case netlinkraw.KeventCreateSession, netlinkraw.UeventCreateSession:
			if r.Sid != 1 || r.HostNo != 0 {
				t.Errorf("%s %v: sid, host_no = %d, %d, want 1, 0", e.id, u.Type, r.Sid, r.HostNo)
			}
		case netlinkraw.UeventCreateConn:
			if r.Sid != 1 || r.Cid != 0 {
				t.Errorf("%s: c_conn_ret = %d, %d, want 1, 0", e.id, r.Sid, r.Cid)
			}
		case netlinkraw.KeventRecvPDU:
			ev := netlinkraw.EventOf(&u)
			if ev.Sid != 1 || ev.Cid != 0 || len(ev.PDU) < 48 || ev.PDU[0]&0x3f != 0x23 || len(ev.PDU)%4 != 0 {
				t.Errorf("%s: RECV_PDU event sid %d cid %d PDU of %d bytes opcode %#x, want 1, 0, a login response",
					e.id, ev.Sid, ev.Cid, len(ev.PDU), ev.PDU[0])
			}
		default:
			if r.Retcode != 0 || u.Request.Sid != 1 {
				t.Errorf("%s %v: retcode %d, echoed sid %d, want 0, 1", e.id, u.Type, r.Retcode, u.Request.Sid)
			}
		}
	}
	for _, typ := range []netlinkraw.UeventType{netlinkraw.KeventCreateSession, netlinkraw.KeventRecvPDU,
		netlinkraw.UeventCreateSession, netlinkraw.UeventCreateConn, netlinkraw.UeventBindConn,
		netlinkraw.UeventSetParam, netlinkraw.UeventStartConn, netlinkraw.UeventSendPDU} {
		if !seen[typ] {
			t.Errorf("no %v received in the trace", typ)
		}
	}
}
