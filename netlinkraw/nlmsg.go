package netlinkraw

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Netlink framing.
const (
	NlmsgHdrLen = 16 // sizeof(struct nlmsghdr)
	// MaxDatagram bounds a datagram we send or accept: a uevent with
	// the largest payload, framed.
	MaxDatagram  = NlmsgHdrLen + UeventLen + MaxPayload
	nlmsgNoop    = 1 // NLMSG_NOOP
	nlmsgError   = 2 // NLMSG_ERROR
	nlmsgDone    = 3 // NLMSG_DONE
	nlmsgOverrun = 4 // NLMSG_OVERRUN
	// NETLINK_ISCSI ignores NLMSG_MIN_TYPE (16): its request types start
	// at 11, so only 1 to 4 are netlink's own.
)

// ErrMalformed is wrapped by ParseMessages for datagrams whose framing
// is wrong.
var ErrMalformed = errors.New("malformed netlink message")

// Message is one netlink message: struct nlmsghdr (its length is
// computed) and the bytes that follow it. Requests to the kernel carry
// nlmsg_type = the uevent type, flags 0 and seq 0, as open-iscsi sends
// them; the kernel's multicast events carry nlmsg_type 0.
type Message struct {
	Type  uint16
	Flags uint16
	Seq   uint32
	Pid   uint32 // the sender's port id; 0 is the kernel
	Data  []byte
}

// Append appends the message with its header to b. nlmsg_len is the
// exact length, not rounded up to 4, as open-iscsi sends it.
func (m Message) Append(b []byte) ([]byte, error) {
	n := NlmsgHdrLen + len(m.Data)
	if n > MaxDatagram {
		return b, fmt.Errorf("netlink message of %d bytes: %w (at most %d)", n, ErrTooLong, MaxDatagram)
	}
	var h [NlmsgHdrLen]byte
	ne := binary.NativeEndian
	ne.PutUint32(h[0:], uint32(n))
	ne.PutUint16(h[4:], m.Type)
	ne.PutUint16(h[6:], m.Flags)
	ne.PutUint32(h[8:], m.Seq)
	ne.PutUint32(h[12:], m.Pid)
	b = append(b, h[:]...)
	return append(b, m.Data...), nil
}

// ParseMessages splits a datagram into its netlink messages. Each
// message starts at a 4-byte boundary; the last one may be unpadded.
// Data aliases the datagram. A length below the header, beyond the
// datagram, or trailing bytes too short for a header are errors.
func ParseMessages(d []byte) ([]Message, error) {
	if len(d) > MaxDatagram {
		return nil, fmt.Errorf("%w: datagram of %d bytes (at most %d)", ErrMalformed, len(d), MaxDatagram)
	}
	var out []Message
	ne := binary.NativeEndian
	for off := 0; off < len(d); {
		rest := d[off:]
		if len(rest) < NlmsgHdrLen {
			return out, fmt.Errorf("%w: %d trailing bytes at offset %d", ErrMalformed, len(rest), off)
		}
		n := ne.Uint32(rest[0:])
		if n < NlmsgHdrLen || uint64(n) > uint64(len(rest)) {
			return out, fmt.Errorf("%w: nlmsg_len %d at offset %d of a %d-byte datagram", ErrMalformed, n, off, len(d))
		}
		out = append(out, Message{
			Type:  ne.Uint16(rest[4:]),
			Flags: ne.Uint16(rest[6:]),
			Seq:   ne.Uint32(rest[8:]),
			Pid:   ne.Uint32(rest[12:]),
			Data:  rest[NlmsgHdrLen:n:n],
		})
		off += min(int(align4(n)), len(rest))
	}
	return out, nil
}

func align4(n uint32) uint64 { return (uint64(n) + 3) &^ 3 }

// nlError decodes the errno of an NLMSG_ERROR message and the type of
// the request it answers.
func nlError(data []byte) (errno int32, reqType uint16, ok bool) {
	if len(data) < 4+NlmsgHdrLen {
		return 0, 0, false
	}
	ne := binary.NativeEndian
	return int32(ne.Uint32(data[0:])), ne.Uint16(data[4+4:]), true
}
