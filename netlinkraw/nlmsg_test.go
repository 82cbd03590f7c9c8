package netlinkraw

import (
	"bytes"
	"errors"
	"testing"
)

func frame(t *testing.T, typ uint16, data []byte) []byte {
	t.Helper()
	b, err := Message{Type: typ, Data: data}.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseMessages(t *testing.T) {
	one := frame(t, 16, []byte("abcdefghij")) // 26 bytes, next at 28
	two := append(append(bytes.Clone(one), 0, 0), frame(t, 0, []byte("xyz"))...)
	tests := []struct {
		name  string
		in    []byte
		types []uint16
		err   bool
	}{
		{"empty", nil, nil, false},
		{"one unpadded", one, []uint16{16}, false},
		{"two, first padded", two, []uint16{16, 0}, false},
		{"trailing bytes", append(bytes.Clone(one), 0, 0, 1, 2, 3), []uint16{16}, true},
		{"short header", []byte{1, 2, 3}, nil, true},
		{"length below header", []byte{8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, nil, true},
		{"length beyond datagram", one[:20], nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := ParseMessages(tt.in)
			if (err != nil) != tt.err || err != nil && !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseMessages(%x) error = %v, want error %v", tt.in, err, tt.err)
			}
			if len(msgs) != len(tt.types) {
				t.Fatalf("ParseMessages(%x) = %d messages, want %d", tt.in, len(msgs), len(tt.types))
			}
			for i, m := range msgs {
				if m.Type != tt.types[i] {
					t.Errorf("message %d type = %d, want %d", i, m.Type, tt.types[i])
				}
			}
		})
	}
}

func TestMessageAppend(t *testing.T) {
	got, err := Message{Type: 19, Flags: 1, Seq: 2, Pid: 111, Data: []byte{9}}.Append([]byte{0xee})
	want := []byte{0xee, 17, 0, 0, 0, 19, 0, 1, 0, 2, 0, 0, 0, 111, 0, 0, 0, 9}
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("Append() = %x, %v, want %x", got, err, want)
	}
	if _, err := (Message{Data: make([]byte, MaxDatagram)}).Append(nil); !errors.Is(err, ErrTooLong) {
		t.Errorf("Append(oversized) = %v, want ErrTooLong", err)
	}
}

func TestNlError(t *testing.T) {
	data := append([]byte{0xff, 0xff, 0xff, 0xff}, frame(t, 17, nil)...) // -1 quoting a START_CONN
	errno, typ, ok := nlError(data)
	if !ok || errno != -1 || typ != 17 {
		t.Errorf("nlError(%x) = %d, %d, %v, want -1, 17, true", data, errno, typ, ok)
	}
	if _, _, ok := nlError(data[:10]); ok {
		t.Errorf("nlError(10 bytes) ok, want not ok")
	}
}
