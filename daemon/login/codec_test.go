package login

import (
	"bytes"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"testing"
)

// codecHex decodes hex written with spaces and newlines for reading.
func codecHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// The golden bytes below were laid out by hand from RFC 7143 section
// 11.12 (Login Request) and cross-checked with a short Python script
// that packs the same fields with struct.pack and computes CRC32C with
// the bitwise reflected polynomial 0x82F63B78 (not with this package).
const (
	goldenLoginBHS = `
		43 87 00 00  00 00 00 25  00 02 3d 00  00 01 00 00
		11 22 33 44  00 05 00 00  00 00 00 01  de ad be ef
		00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00`
	// "InitiatorName=iqn.2026-11.test:guest\x00", 37 bytes, padded to 40.
	goldenLoginData = `
		49 6e 69 74  69 61 74 6f  72 4e 61 6d  65 3d 69 71
		6e 2e 32 30  32 36 2d 31  31 2e 74 65  73 74 3a 67
		75 65 73 74  00 00 00 00`
	goldenLoginHeaderCRC = `db 84 30 35`
	goldenLoginDataCRC   = `d1 62 26 a2`
)

// goldenLoginPDU builds the golden Login Request with the accessors.
func goldenLoginPDU() *PDU {
	p := &PDU{Data: []byte("InitiatorName=iqn.2026-11.test:guest\x00")}
	p.BHS.SetOpcode(OpLoginReq, true)
	p.BHS[1] = FlagFinal | StageOperational<<2 | StageFullFeature  // T, CSG=1, NSG=3
	p.BHS.copyBytes(8, []byte{0x00, 0x02, 0x3d, 0x00, 0x00, 0x01}) // ISID
	p.BHS.Put16(14, 0)                                             // TSIH
	p.BHS.SetITT(0x11223344)
	p.BHS.Put16(20, 5) // CID
	p.BHS.Put32(24, 1) // CmdSN
	p.BHS.Put32(28, 0xdeadbeef)
	return p
}

func TestLoginRequestGolden(t *testing.T) {
	bhs := codecHex(t, goldenLoginBHS)
	data := codecHex(t, goldenLoginData)
	hcrc := codecHex(t, goldenLoginHeaderCRC)
	dcrc := codecHex(t, goldenLoginDataCRC)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name string
		d    Digests
		want []byte
	}{
		{"no digests", Digests{}, cat(bhs, data)},
		{"header digest", Digests{Header: true}, cat(bhs, hcrc, data)},
		{"data digest", Digests{Data: true}, cat(bhs, data, dcrc)},
		{"both digests", Digests{Header: true, Data: true}, cat(bhs, hcrc, data, dcrc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := goldenLoginPDU()
			got, err := p.Marshal(tt.d)
			if err != nil {
				t.Fatalf("Marshal(%+v) error %v", tt.d, err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("Marshal(%+v) =\n%x\nwant\n%x", tt.d, got, tt.want)
			}
			var w bytes.Buffer
			if err := WritePDU(&w, goldenLoginPDU(), tt.d); err != nil || !bytes.Equal(w.Bytes(), tt.want) {
				t.Fatalf("WritePDU(%+v) = %x, %v, want %x", tt.d, w.Bytes(), err, tt.want)
			}
			r := bytes.NewReader(tt.want)
			q, err := ReadPDU(r, 8192, tt.d)
			if err != nil {
				t.Fatalf("ReadPDU(golden, %+v) error %v", tt.d, err)
			}
			if q.BHS != p.BHS || !bytes.Equal(q.Data, p.Data) || r.Len() != 0 {
				t.Fatalf("ReadPDU(golden, %+v) = %x %q (%d left), want %x %q", tt.d, q.BHS, q.Data, r.Len(), p.BHS, p.Data)
			}
		})
	}
	p := goldenLoginPDU()
	if _, err := p.Marshal(Digests{}); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want uint64
	}{
		{"Opcode", uint64(p.BHS.Opcode()), OpLoginReq},
		{"Immediate", b2u(p.BHS.Immediate()), 1},
		{"Flags", uint64(p.BHS.Flags()), 0x87},
		{"TotalAHSLength", uint64(p.BHS.TotalAHSLength()), 0},
		{"DataSegmentLength", uint64(p.BHS.DataSegmentLength()), 37},
		{"ITT", uint64(p.BHS.ITT()), 0x11223344},
		{"U16(20)", uint64(p.BHS.U16(20)), 5},
		{"U32(24)", uint64(p.BHS.U32(24)), 1},
		{"U32(28)", uint64(p.BHS.U32(28)), 0xdeadbeef},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("BHS.%s() = %#x, want %#x", c.name, c.got, c.want)
		}
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// TestCRC32CVectors checks the digests against the examples of RFC 3720
// appendix B.4, given there in wire byte order.
func TestCRC32CVectors(t *testing.T) {
	inc, dec := make([]byte, 32), make([]byte, 32)
	for i := range inc {
		inc[i], dec[i] = byte(i), byte(31-i)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"32 bytes of zeroes", make([]byte, 32), "aa 36 91 8a"},
		{"32 bytes of ones", bytes.Repeat([]byte{0xff}, 32), "43 ab a8 62"},
		{"32 incrementing bytes", inc, "4e 79 dd 46"},
		{"32 decrementing bytes", dec, "5c db 3f 11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &PDU{Data: tt.data}
			b, err := p.Marshal(Digests{Data: true})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := b[len(b)-4:], codecHex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("data digest of %s = %x, want %x", tt.name, got, want)
			}
		})
	}
	t.Run("iSCSI Read command header", func(t *testing.T) {
		var p PDU
		copy(p.BHS[:], codecHex(t, `
			01 c0 00 00  00 00 00 00  00 00 00 00  00 00 00 00
			14 00 00 00  00 00 04 00  00 00 00 14  00 00 00 18
			28 00 00 00  00 00 00 00  02 00 00 00  00 00 00 00`))
		b, err := p.Marshal(Digests{Header: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := b[BHSLen:], codecHex(t, "56 3a 96 d9"); !bytes.Equal(got, want) {
			t.Errorf("header digest of the Read command = %x, want %x", got, want)
		}
	})
}

// TestDigestMismatch flips one bit of every byte of the golden PDU with
// both digests: damage up to the header digest is a header digest
// error, damage after it a data digest error.
func TestDigestMismatch(t *testing.T) {
	d := Digests{Header: true, Data: true}
	wire, err := goldenLoginPDU().Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for i := range wire {
		b := bytes.Clone(wire)
		b[i] ^= 0x01
		_, err := ReadPDU(bytes.NewReader(b), 8192, d)
		var want error
		switch {
		case i == 4: // TotalAHSLength: the stream no longer lines up
		case i < BHSLen+4:
			want = ErrHeaderCRC
		default:
			want = ErrDataCRC
		}
		if err == nil || (want != nil && !errors.Is(err, want)) {
			t.Errorf("ReadPDU(golden with byte %d flipped) error = %v, want %v", i, err, want)
		}
		if err != nil && !errors.Is(err, ErrProtocol) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			t.Errorf("ReadPDU(golden with byte %d flipped) error = %v, want a protocol or EOF error", i, err)
		}
	}
}

func TestPadding(t *testing.T) {
	for n := 0; n <= 9; n++ {
		t.Run(string(rune('0'+n)), func(t *testing.T) {
			p := &PDU{Data: bytes.Repeat([]byte{'x'}, n)}
			p.BHS.SetOpcode(OpTextReq, false)
			p.BHS[4] = 3 // AHS is never sent: Marshal clears it
			b, err := p.Marshal(Digests{})
			if err != nil {
				t.Fatal(err)
			}
			if want := BHSLen + (n+3)/4*4; len(b) != want {
				t.Fatalf("Marshal(%d data bytes) = %d bytes, want %d", n, len(b), want)
			}
			if b[4] != 0 || b[5] != 0 || b[6] != 0 || int(b[7]) != n {
				t.Errorf("Marshal(%d data bytes) header bytes 4-7 = %x, want 000000%02x", n, b[4:8], n)
			}
			for i, c := range b[BHSLen+n:] {
				if c != 0 {
					t.Errorf("Marshal(%d data bytes) pad byte %d = %#x, want 0", n, i, c)
				}
			}
			q, err := ReadPDU(bytes.NewReader(b), n, Digests{})
			if err != nil || !bytes.Equal(q.Data, p.Data) {
				t.Fatalf("ReadPDU(Marshal(%d bytes)) = %v, want %q", n, err, p.Data)
			}
		})
	}
	// Padding sent by a peer is dropped whatever it holds, but a data
	// digest covers it.
	var p PDU
	p.BHS.setDataSegmentLength(1)
	in := append(append(bytes.Clone(p.BHS[:]), 'a', 0xee, 0xee, 0xee), 0, 0, 0, 0)
	q, err := ReadPDU(bytes.NewReader(in), 8, Digests{})
	if err != nil || string(q.Data) != "a" {
		t.Errorf("ReadPDU(1 byte, junk padding) = %v, want \"a\"", err)
	}
	if _, err := ReadPDU(bytes.NewReader(in), 8, Digests{Data: true}); !errors.Is(err, ErrDataCRC) {
		t.Errorf("ReadPDU(1 byte, junk padding, data digest 0) = %v, want %v", err, ErrDataCRC)
	}
}

func TestReadPDUTruncated(t *testing.T) {
	for _, d := range []Digests{{}, {Header: true}, {Data: true}, {Header: true, Data: true}} {
		wire, err := goldenLoginPDU().Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut < len(wire); cut++ {
			p, err := ReadPDU(bytes.NewReader(wire[:cut]), 8192, d)
			if err == nil {
				t.Fatalf("ReadPDU(%d of %d bytes, %+v) = %x, want an error", cut, len(wire), d, p.BHS)
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("ReadPDU(%d of %d bytes, %+v) error = %v, want EOF", cut, len(wire), d, err)
			}
		}
	}
}

// TestReadPDUSkipsAHS: an AHS is read past (and covered by the header
// digest); the next PDU on the stream is intact.
func TestReadPDUSkipsAHS(t *testing.T) {
	var p PDU
	p.BHS.SetOpcode(OpSCSIResponse, false)
	p.BHS[4] = 2 // 8 bytes
	p.BHS.setDataSegmentLength(3)
	ahs := []byte{0, 5, 1, 0, 1, 2, 3, 4}
	var in []byte
	in = append(in, p.BHS[:]...)
	in = append(in, ahs...)
	crc := crc32.Checksum(in, castagnoli())
	in = append(in, byte(crc), byte(crc>>8), byte(crc>>16), byte(crc>>24))
	in = append(in, 'a', 'b', 'c', 0)
	next, err := goldenLoginPDU().Marshal(Digests{Header: true})
	if err != nil {
		t.Fatal(err)
	}
	r := bytes.NewReader(append(in, next...))
	q, err := ReadPDU(r, 8192, Digests{Header: true})
	if err != nil || string(q.Data) != "abc" || q.BHS.TotalAHSLength() != 2 {
		t.Fatalf("ReadPDU(PDU with AHS) = %v, want data \"abc\" and 2 AHS words", err)
	}
	q, err = ReadPDU(r, 8192, Digests{Header: true})
	if err != nil || q.BHS.ITT() != 0x11223344 {
		t.Fatalf("ReadPDU(PDU after one with AHS) = %v, want the golden login", err)
	}
}

// TestReadPDUTooLarge: a data segment over the limit is refused before
// it is read or allocated.
func TestReadPDUTooLarge(t *testing.T) {
	tests := []struct {
		dsl, max int
		ok       bool
	}{
		{0, 0, true},
		{1, 0, false},
		{8192, 8192, true},
		{8193, 8192, false},
		{1<<24 - 1, 8192, false},
		{MaxTextData - 1<<16, MaxTextData - 1<<16 - 1, false},
	}
	for _, tt := range tests {
		var p PDU
		p.BHS.setDataSegmentLength(tt.dsl)
		in := bytes.Clone(p.BHS[:])
		if tt.ok {
			in = append(in, make([]byte, (tt.dsl+3)&^3)...)
		}
		r := bytes.NewReader(in)
		_, err := ReadPDU(r, tt.max, Digests{})
		if (err == nil) != tt.ok || (!tt.ok && !errors.Is(err, ErrTooLarge)) {
			t.Errorf("ReadPDU(DataSegmentLength %d, maxData %d) = %v, want ok=%v", tt.dsl, tt.max, err, tt.ok)
		}
		if !tt.ok && r.Len() != 0 {
			t.Errorf("ReadPDU(DataSegmentLength %d, maxData %d) left %d bytes, want the header read", tt.dsl, tt.max, r.Len())
		}
	}
	var p PDU
	p.BHS.setDataSegmentLength(1<<24 - 1)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < 16; i++ {
		if _, err := ReadPDU(bytes.NewReader(p.BHS[:]), 8192, Digests{}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("ReadPDU(DataSegmentLength 16M-1) = %v, want %v", err, ErrTooLarge)
		}
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("16 refused 16 MiB PDUs allocated %d bytes, want well under 1 MiB", n)
	}
}

func TestMarshalTooLong(t *testing.T) {
	p := &PDU{Data: make([]byte, 1<<24)}
	if b, err := p.Marshal(Digests{}); err == nil {
		t.Errorf("Marshal(16 MiB data) = %d bytes, want an error", len(b))
	}
}

type countingWriter struct {
	calls int
	bytes.Buffer
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.calls++
	return w.Buffer.Write(b)
}

func TestWritePDUOneWrite(t *testing.T) {
	var w countingWriter
	if err := WritePDU(&w, goldenLoginPDU(), Digests{Header: true, Data: true}); err != nil || w.calls != 1 {
		t.Errorf("WritePDU(golden) = %v in %d writes, want nil in 1", err, w.calls)
	}
}

func TestParseTextCases(t *testing.T) {
	long := func(c byte, n int) string { return strings.Repeat(string(c), n) }
	many := func(n int) string { return strings.Repeat("K=v\x00", n) }
	tests := []struct {
		name        string
		in          string
		allowRepeat bool
		want        Text // nil with ok: no pairs
		ok          bool
	}{
		{"empty", "", false, nil, true},
		{"one pair", "a=b\x00", false, Text{{"a", "b"}}, true},
		{"two pairs in order", "Z=1\x00A=2\x00", false, Text{{"Z", "1"}, {"A", "2"}}, true},
		{"empty value", "a=\x00", false, Text{{"a", ""}}, true},
		{"'=' in value", "a==b=c\x00", false, Text{{"a", "=b=c"}}, true},
		{"all key characters", "aZ09.-+@_=x\x00", false, Text{{"aZ09.-+@_", "x"}}, true},
		{"binary value", "CHAP_C=0x0a\xff\x01\x00", false, Text{{"CHAP_C", "0x0a\xff\x01"}}, true},
		{"missing NUL", "a=b", false, nil, false},
		{"last pair missing NUL", "a=b\x00c=d", false, nil, false},
		{"key without '='", "ab\x00", false, nil, false},
		{"second key without '='", "a=b\x00cd\x00", false, nil, false},
		{"empty key", "=v\x00", false, nil, false},
		{"space in key", "a b=c\x00", false, nil, false},
		{"slash in key", "a/b=c\x00", false, nil, false},
		{"newline in key", "a\nb=c\x00", false, nil, false},
		{"non-ASCII key", "\xc3\x84=c\x00", false, nil, false},
		{"key of 63 bytes", long('k', 63) + "=v\x00", false, Text{{long('k', 63), "v"}}, true},
		{"key of 64 bytes", long('k', 64) + "=v\x00", false, nil, false},
		{"value of 8192 bytes", "v=" + long('x', 8192) + "\x00", false, Text{{"v", long('x', 8192)}}, true},
		{"value of 8193 bytes", "v=" + long('x', 8193) + "\x00", false, nil, false},
		{"duplicate key", "a=1\x00a=2\x00", false, nil, false},
		{"duplicate key allowed", "a=1\x00a=2\x00", true, Text{{"a", "1"}, {"a", "2"}}, true},
		{"keys differ in case", "a=1\x00A=2\x00", false, Text{{"a", "1"}, {"A", "2"}}, true},
		{"padding NULs", "a=b\x00\x00\x00\x00", false, Text{{"a", "b"}}, true},
		{"NULs between pairs", "a=b\x00\x00c=d\x00", false, Text{{"a", "b"}, {"c", "d"}}, true},
		{"leading NULs", "\x00\x00a=b\x00", false, Text{{"a", "b"}}, true},
		{"only NULs", "\x00\x00\x00\x00", false, nil, true},
		{"MaxPairs pairs", many(MaxPairs), true, nil, true},
		{"MaxPairs+1 pairs", many(MaxPairs + 1), true, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTextT([]byte(tt.in), tt.allowRepeat)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseText(%.40q, %v) = %v, want ok=%v", tt.in, tt.allowRepeat, err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrProtocol) {
					t.Errorf("ParseText(%.40q, %v) error %v does not wrap ErrProtocol", tt.in, tt.allowRepeat, err)
				}
				return
			}
			if tt.want != nil && !textEqual(got, tt.want) {
				t.Errorf("ParseText(%.40q, %v) = %q, want %q", tt.in, tt.allowRepeat, got, tt.want)
			}
			if tt.want == nil && strings.Count(tt.in, "=") != len(got) {
				t.Errorf("ParseText(%.40q, %v) = %d pairs, want %d", tt.in, tt.allowRepeat, len(got), strings.Count(tt.in, "="))
			}
		})
	}
}

func TestTextEncode(t *testing.T) {
	tests := []struct {
		in   Text
		want string
	}{
		{nil, ""},
		{Text{{"a", "b"}}, "a=b\x00"},
		{Text{{"SendTargets", "All"}, {"X", ""}}, "SendTargets=All\x00X=\x00"},
	}
	for _, tt := range tests {
		if got := string(tt.in.Encode()); got != tt.want {
			t.Errorf("%q.Encode() = %q, want %q", tt.in, got, tt.want)
		}
	}
	tx := Text{{"a", "1"}, {"b", "2"}, {"a", "3"}}
	if v, ok := tx.Get("a"); !ok || v != "1" {
		t.Errorf("Get(a) = %q, %v, want \"1\", true", v, ok)
	}
	if v, ok := tx.Get("c"); ok {
		t.Errorf("Get(c) = %q, %v, want \"\", false", v, ok)
	}
}

func TestParseTargetAddressForms(t *testing.T) {
	tests := []struct {
		in   string
		want Portal
		ok   bool
	}{
		{"10.0.2.100", Portal{"10.0.2.100", 3260, 1}, true},
		{"10.0.2.100:3261", Portal{"10.0.2.100", 3261, 1}, true},
		{"10.0.2.100:3261,5", Portal{"10.0.2.100", 3261, 5}, true},
		{"10.0.2.100,0", Portal{"10.0.2.100", 3260, 0}, true},
		{"[fe80::1]:3261,7", Portal{"fe80::1", 3261, 7}, true},
		{"[2001:db8::1]", Portal{"2001:db8::1", 3260, 1}, true},
		{"[2001:db8::1],2", Portal{"2001:db8::1", 3260, 2}, true},
		{"[10.1.1.1]:1", Portal{"10.1.1.1", 1, 1}, true},
		{"target.example.com:3260,65535", Portal{"target.example.com", 3260, 65535}, true},
		{"[fe80::1%eth0]:3260", Portal{}, false},
		{"2001:db8::1", Portal{}, false},
		{"[::1", Portal{}, false},
		{"[::1]x", Portal{}, false},
		{"[host]:3260", Portal{}, false},
		{"10.0.2.100:0", Portal{}, false},
		{"10.0.2.100:65536", Portal{}, false},
		{"10.0.2.100:x", Portal{}, false},
		{"10.0.2.100,x", Portal{}, false},
		{"10.0.2.100,-1", Portal{}, false},
		{"10.0.2.100,65536", Portal{}, false},
		{"10.0.2.100,1,2", Portal{}, false},
		{"a/b:3260", Portal{}, false},
		{"a b", Portal{}, false},
		{"a\x00b", Portal{}, false},
		{":3260", Portal{}, false},
		{"", Portal{}, false},
		{strings.Repeat("a", 301), Portal{}, false},
		{strings.Repeat("a", 255) + ":1,1", Portal{strings.Repeat("a", 255), 1, 1}, true},
		{strings.Repeat("a", 256) + ":1,1", Portal{}, false}, // would not format back within 300 bytes
		{"h\r:1", Portal{}, false},
		{"h\v", Portal{}, false},
		{"h\x7f", Portal{}, false},
		{"h\u00a0:1", Portal{}, false},
		{"h\u3000", Portal{}, false},
		{"h\u00e9te.example", Portal{"h\u00e9te.example", 3260, 1}, true},
	}
	for _, tt := range tests {
		got, err := ParseTargetAddress(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseTargetAddress(%.40q) = %+v, %v, want %+v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
