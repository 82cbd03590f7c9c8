package netlinkraw

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzUevent: UnmarshalBinary refuses exactly the inputs shorter than a
// uevent; what it decodes encodes to as many bytes, which decode to the
// same Uevent and encode again to the same bytes. The same input as a
// datagram never makes ParseMessages overrun it. Seeds are in
// testdata/fuzz/FuzzUevent (uevents of the reference trace and
// synthetic kernel events).
func FuzzUevent(f *testing.F) {
	f.Add(make([]byte, UeventLen))
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzDatagram(t, in)
		var u1 Uevent
		if err := u1.UnmarshalBinary(in); err != nil {
			if len(in) >= UeventLen {
				t.Fatalf("UnmarshalBinary(%d bytes) = %v, want nil", len(in), err)
			}
			return
		}
		b1, err := u1.MarshalBinary()
		if err != nil || len(b1) != len(in) {
			t.Fatalf("MarshalBinary(%+v) = %d bytes, %v, want %d, nil", u1, len(b1), err, len(in))
		}
		var u2 Uevent
		if err := u2.UnmarshalBinary(b1); err != nil || !reflect.DeepEqual(u1, u2) {
			t.Fatalf("UnmarshalBinary(MarshalBinary(x)) = %+v, %v, want %+v", u2, err, u1)
		}
		b2, err := u2.MarshalBinary()
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("MarshalBinary again = %x, %v, want %x", b2, err, b1)
		}
		if ev := EventOf(&u1); ev.Type != u1.Type {
			t.Fatalf("EventOf(%v).Type = %v", u1.Type, ev.Type)
		}
	})
}

func fuzzDatagram(t *testing.T, in []byte) {
	msgs, _ := ParseMessages(in)
	total := 0
	for _, m := range msgs {
		total += NlmsgHdrLen + len(m.Data)
	}
	if total > len(in) {
		t.Fatalf("ParseMessages(%d bytes) = %d bytes of messages", len(in), total)
	}
}
