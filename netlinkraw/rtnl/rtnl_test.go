package rtnl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

func TestAttr(t *testing.T) {
	tests := []struct {
		typ  uint16
		data []byte
		want []byte
	}{
		{unix.RTA_DST, []byte{10, 0, 2, 100}, le(8, unix.RTA_DST, 10, 0, 2, 100)},
		{unix.RTA_OIF, nil, le(4, unix.RTA_OIF)},
		{1, []byte{1}, le(5, 1, 1, 0, 0, 0)},
	}
	for _, tc := range tests {
		if got := Attr(tc.typ, tc.data); !bytes.Equal(got, tc.want) {
			t.Errorf("Attr(%d, %v) = %v, want %v", tc.typ, tc.data, got, tc.want)
		}
	}
}

// le is an rtattr header in native byte order followed by bytes.
func le(n, typ uint16, rest ...byte) []byte {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint16(b, n)
	binary.NativeEndian.PutUint16(b[2:], typ)
	return append(b, rest...)
}

func TestMessage(t *testing.T) {
	m := Message(unix.RTM_DELNEIGH, unix.NLM_F_REQUEST|unix.NLM_F_ACK, []byte{1, 2, 3, 4})
	if len(m) != 20 || binary.NativeEndian.Uint32(m) != 20 {
		t.Fatalf("length: %v", m)
	}
	if typ, err := Type(m); err != nil || typ != unix.RTM_DELNEIGH {
		t.Errorf("Type = %d, %v", typ, err)
	}
	if f := binary.NativeEndian.Uint16(m[6:]); f != unix.NLM_F_REQUEST|unix.NLM_F_ACK {
		t.Errorf("flags %#x", f)
	}
	if !bytes.Equal(m[16:], []byte{1, 2, 3, 4}) {
		t.Errorf("body %v", m[16:])
	}
}

// errMsg is an NLMSG_ERROR answer carrying errno (negated, as the
// kernel sends it).
func errMsg(errno int32) []byte {
	body := make([]byte, 4)
	binary.NativeEndian.PutUint32(body, uint32(-errno))
	return Message(unix.NLMSG_ERROR, 0, body)
}

func TestAck(t *testing.T) {
	tests := []struct {
		name string
		m    []byte
		want error
	}{
		{"ok", errMsg(0), nil},
		{"eexist", errMsg(int32(unix.EEXIST)), unix.EEXIST},
		{"enoent", errMsg(int32(unix.ENOENT)), unix.ENOENT},
	}
	for _, tc := range tests {
		if err := Ack(tc.m); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: Ack = %v, want %v", tc.name, err, tc.want)
		}
	}
	for name, m := range map[string][]byte{
		"empty":     nil,
		"short":     make([]byte, 10),
		"not error": Message(unix.RTM_NEWROUTE, 0, make([]byte, 12)),
		"no errno":  Message(unix.NLMSG_ERROR, 0, nil),
	} {
		if err := Ack(m); err == nil {
			t.Errorf("%s: Ack accepted %v", name, m)
		}
	}
}

func TestFirst(t *testing.T) {
	a := errMsg(0)
	two := append(append([]byte(nil), a...), errMsg(int32(unix.EIO))...)
	if m, err := first(two); err != nil || !bytes.Equal(m, a) {
		t.Errorf("first of two = %v, %v", m, err)
	}
	bad := append([]byte(nil), a...)
	binary.NativeEndian.PutUint32(bad, 1000)
	for name, d := range map[string][]byte{"short": a[:8], "overlong": bad, "undersized": make([]byte, 16)} {
		if _, err := first(d); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: first = %v, want ErrMalformed", name, err)
		}
	}
}

func FuzzAnswer(f *testing.F) {
	f.Add(errMsg(0))
	f.Add(errMsg(int32(unix.EEXIST)))
	f.Add(Message(unix.RTM_NEWROUTE, 0, Attr(unix.RTA_OIF, []byte{2, 0, 0, 0})))
	f.Fuzz(func(t *testing.T, d []byte) {
		m, err := first(d)
		if err != nil {
			return
		}
		if len(m) > len(d) || len(m) < unix.SizeofNlMsghdr {
			t.Fatalf("first returned %d bytes of %d", len(m), len(d))
		}
		_ = Ack(m)
	})
}
