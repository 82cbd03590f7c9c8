package login

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// parseTextT is the one place the fuzz and table tests call ParseText.
func parseTextT(data []byte, allowRepeat bool) (Text, error) {
	return ParseText(data, allowRepeat)
}

func textEqual(a, b Text) bool { return slices.Equal(a, b) }

// fuzzDigests maps a fuzzed byte to a digest setting (bits 0 and 1);
// bit 2 has FuzzReadPDU correct the digests in its input first.
func fuzzDigests(b byte) Digests { return Digests{Header: b&1 != 0, Data: b&2 != 0} }

// FuzzReadPDU: ReadPDU never panics, refuses an oversized data segment
// before reading it, consumes exactly one PDU, and what it returns
// marshals to bytes that read back to the same PDU and marshal again to
// the same bytes. Marshal drops AHS and zeroes padding, so the bytes
// equal the input only when it had neither.
func FuzzReadPDU(f *testing.F) {
	for d := byte(0); d < 4; d++ {
		b, err := goldenLoginPDU().Marshal(fuzzDigests(d))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, d, uint16(8192))
		f.Add(b, d, uint16(36)) // one byte short of the data
		f.Add(b[:len(b)-1], d, uint16(8192))
	}
	var huge PDU
	huge.BHS.setDataSegmentLength(1<<24 - 1)
	f.Add(bytes.Clone(huge.BHS[:]), byte(0), uint16(65535))
	f.Add([]byte{}, byte(3), uint16(0))
	if b, err := goldenLoginPDU().Marshal(fuzzDigests(3)); err == nil {
		b[20] ^= 0xff // a wrong header digest, corrected by bit 2
		f.Add(b, byte(7), uint16(8192))
	}
	f.Fuzz(func(t *testing.T, in []byte, dig byte, maxData uint16) {
		d := fuzzDigests(dig)
		if dig&4 != 0 {
			in = bytes.Clone(in)
			fuzzFixDigests(in, d)
		}
		limit := int(maxData) & 0x1fff // a small limit: 0 to 8191
		r := bytes.NewReader(in)
		p, err := ReadPDU(r, limit, d)
		used := len(in) - r.Len()

		// Where the header (and its digest) is whole and right, the
		// length limit decides and nothing of the data is read.
		if len(in) >= BHSLen {
			ahs := int(in[4]) * 4
			need := BHSLen + ahs
			if d.Header {
				need += 4
			}
			n := int(in[5])<<16 | int(in[6])<<8 | int(in[7])
			hdrOK := len(in) >= need && (!d.Header ||
				binary.LittleEndian.Uint32(in[need-4:]) == crc32.Checksum(in[:need-4], castagnoli()))
			if hdrOK && n > limit {
				if !errors.Is(err, ErrTooLarge) || used != need {
					t.Fatalf("ReadPDU(DataSegmentLength %d, maxData %d) = %v after %d bytes, want %v after %d", n, limit, err, used, ErrTooLarge, need)
				}
			}
		}
		if err != nil {
			if p != nil {
				t.Fatalf("ReadPDU(%x) = %x and error %v, want nil with the error", in, p.BHS, err)
			}
			return
		}

		n := p.BHS.DataSegmentLength()
		if n > limit || len(p.Data) != n {
			t.Fatalf("ReadPDU(maxData %d) = %d data bytes, DataSegmentLength %d", limit, len(p.Data), n)
		}
		want := BHSLen + p.BHS.TotalAHSLength()*4
		if d.Header {
			want += 4
		}
		padStart := want + n
		if n > 0 {
			want += pad4(n)
			if d.Data {
				want += 4
			}
		}
		if used != want {
			t.Fatalf("ReadPDU(%x, %+v) consumed %d bytes, want %d", in, d, used, want)
		}

		canonical := p.BHS.TotalAHSLength() == 0 && n > 0 && allZero(in[padStart:padStart+pad4(n)-n]) || p.BHS.TotalAHSLength() == 0 && n == 0
		hdr := p.BHS
		hdr[4] = 0
		data := bytes.Clone(p.Data)
		wire, err := p.Marshal(d)
		if err != nil {
			t.Fatalf("Marshal of a read PDU: %v", err)
		}
		if p.BHS != hdr {
			t.Fatalf("Marshal changed the header to %x, want %x", p.BHS, hdr)
		}
		if canonical && !bytes.Equal(wire, in[:used]) {
			t.Fatalf("Marshal(ReadPDU(%x)) = %x, want the input back", in[:used], wire)
		}
		r = bytes.NewReader(wire)
		q, err := ReadPDU(r, limit, d)
		if err != nil {
			t.Fatalf("ReadPDU(Marshal(%x)) error %v", wire, err)
		}
		if q.BHS != hdr || !bytes.Equal(q.Data, data) || r.Len() != 0 {
			t.Fatalf("ReadPDU(Marshal) = %x %x (%d left), want %x %x", q.BHS, q.Data, r.Len(), hdr, data)
		}
		again, err := q.Marshal(d)
		if err != nil || !bytes.Equal(again, wire) {
			t.Fatalf("second Marshal = %x, %v, want %x", again, err, wire)
		}
	})
}

// fuzzFixDigests rewrites the digests of the PDU at the start of in to
// match it, so that mutations get past the CRC checks.
func fuzzFixDigests(in []byte, d Digests) {
	if len(in) < BHSLen {
		return
	}
	off := BHSLen + int(in[4])*4
	if d.Header {
		if len(in) < off+4 {
			return
		}
		binary.LittleEndian.PutUint32(in[off:], crc32.Checksum(in[:off], castagnoli()))
		off += 4
	}
	n := pad4(int(in[5])<<16 | int(in[6])<<8 | int(in[7]))
	if d.Data && n > 0 && len(in) >= off+n+4 {
		binary.LittleEndian.PutUint32(in[off+n:], crc32.Checksum(in[off:off+n], castagnoli()))
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// FuzzParseText: accepted text holds only valid pairs, and Encode then
// ParseText gives the same pairs and Encode the same bytes. Without
// padding NULs, Encode gives back the input.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{
		"",
		"a=b\x00",
		"InitiatorName=iqn.2026-11.test:guest\x00InitiatorAlias=(none)\x00SessionType=Normal\x00\x00\x00",
		"TargetName=iqn.a:1\x00TargetAddress=10.0.0.1:3260,1\x00TargetName=iqn.a:2\x00",
		"CHAP_C=0x00ff\x00CHAP_I=1\x00",
		"a==\x00\x00",
		"a=b",
		"=b\x00",
		"a\x00",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, allowRepeat bool) {
		tx, err := parseTextT(in, allowRepeat)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("ParseText(%q) error %v does not wrap ErrProtocol", in, err)
			}
			return
		}
		if len(tx) > MaxPairs {
			t.Fatalf("ParseText(%q) = %d pairs, over %d", in, len(tx), MaxPairs)
		}
		seen := map[string]bool{}
		for _, p := range tx {
			if checkKey(p.Key) != nil || strings.ContainsAny(p.Key, "=\x00") {
				t.Fatalf("ParseText(%q) accepted key %q", in, p.Key)
			}
			if strings.IndexByte(p.Value, 0) >= 0 || len(p.Value) > MaxKeyValue {
				t.Fatalf("ParseText(%q) accepted a value of %d bytes with NUL or too long", in, len(p.Value))
			}
			if seen[p.Key] && !allowRepeat {
				t.Fatalf("ParseText(%q, false) accepted key %q twice", in, p.Key)
			}
			seen[p.Key] = true
		}
		enc := tx.Encode()
		if len(in) > 0 && in[0] != 0 && !bytes.Contains(in, []byte{0, 0}) && !bytes.Equal(enc, in) {
			t.Fatalf("ParseText(%q).Encode() = %q, want the input", in, enc)
		}
		back, err := parseTextT(enc, allowRepeat)
		if err != nil || !textEqual(back, tx) {
			t.Fatalf("ParseText(%q) = %q, %v, want %q", enc, back, err, tx)
		}
		if again := back.Encode(); !bytes.Equal(again, enc) {
			t.Fatalf("Encode(ParseText(%q)) = %q, want %q", enc, again, enc)
		}
	})
}

// formatTargetAddress writes p the way a target would send it.
func formatTargetAddress(p Portal) string {
	host := p.Addr
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(p.Port) + "," + strconv.Itoa(p.TPGT)
}

// FuzzParseTargetAddress: an accepted address is a plain host (no path,
// NUL, space, comma or bracket), its port and tag are in range, and the
// full form "host:port,tpgt" parses back to the same portal.
func FuzzParseTargetAddress(f *testing.F) {
	for _, s := range []string{
		"10.0.2.100:3260,1",
		"[fe80::1]:3261,7",
		"[fe80::1%eth0]:3260",
		"target.example.com",
		"::1",
		"[::ffff:1.2.3.4]",
		"a,b,c",
		"host:+80,+1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseTargetAddress(s)
		if err != nil {
			return
		}
		if p.Addr == "" || strings.ContainsAny(p.Addr, "/\x00,[]") || strings.ContainsFunc(p.Addr, unicode.IsSpace) {
			t.Fatalf("ParseTargetAddress(%q) = %+v, an unsafe address", s, p)
		}
		if p.Port < 1 || p.Port > 65535 || p.TPGT < 0 || p.TPGT > 65535 {
			t.Fatalf("ParseTargetAddress(%q) = %+v, port or tag out of range", s, p)
		}
		back := formatTargetAddress(p)
		q, err := ParseTargetAddress(back)
		if err != nil || q != p {
			t.Fatalf("ParseTargetAddress(%q) = %+v, %v, want %+v (from %q)", back, q, err, p, s)
		}
	})
}

// FuzzChapBinary: decodeBinary never panics and its output is bounded;
// what it decodes from hex encodes back to the same (lower-case) hex,
// and any challenge-sized value survives encodeHex and base64.
func FuzzChapBinary(f *testing.F) {
	for _, s := range []string{"0x", "0x0a0B", "0X", "0x0", "0bAAEC", "0BAQ==", "0b\nAA==", "0bAQ", "0b", "x", ""} {
		f.Add(s, []byte(s))
	}
	f.Add("0x"+strings.Repeat("ff", MaxChallenge), bytes.Repeat([]byte{0xff}, MaxChallenge+1))
	f.Fuzz(func(t *testing.T, s string, raw []byte) {
		b, err := decodeBinary(s)
		if len(s) > 2*MaxChallenge+2 && err == nil {
			t.Fatalf("decodeBinary(%d bytes) = %d bytes, want too long", len(s), len(b))
		}
		if err == nil {
			if len(b) > 3*MaxChallenge/2 {
				t.Fatalf("decodeBinary(%.40q) = %d bytes, over %d", s, len(b), 3*MaxChallenge/2)
			}
			switch s[:2] {
			case "0x", "0X":
				if got, want := encodeHex(b), "0x"+strings.ToLower(s[2:]); got != want {
					t.Fatalf("encodeHex(decodeBinary(%q)) = %q, want %q", s, got, want)
				}
			case "0b", "0B":
				if e := "0b" + base64.StdEncoding.EncodeToString(b); len(e) <= 2*MaxChallenge+2 {
					if got, err := decodeBinary(e); err != nil || !bytes.Equal(got, b) {
						t.Fatalf("decodeBinary(%q) = %x, %v, want %x", e, got, err, b)
					}
				}
			default:
				t.Fatalf("decodeBinary(%q) = %x, want an error for no 0x or 0b", s, b)
			}
		}
		if len(raw) > MaxChallenge {
			raw = raw[:MaxChallenge]
		}
		if got, err := decodeBinary(encodeHex(raw)); err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("decodeBinary(encodeHex(%x)) = %x, %v, want %x", raw, got, err, raw)
		}
		e := "0b" + base64.StdEncoding.EncodeToString(raw)
		if got, err := decodeBinary(e); err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("decodeBinary(%q) = %x, %v, want %x", e, got, err, raw)
		}
	})
}

// FuzzParseChapAlgs: an accepted list has one supported algorithm per
// comma-separated name, in order, and written back as names parses to
// the same list.
func FuzzParseChapAlgs(f *testing.F) {
	for _, s := range []string{"", "MD5", "SHA3-256,MD5", "SHA1, SHA256", "MD5,", ",", " ", "md5", "SHA3-256,SHA3-256"} {
		f.Add(s)
	}
	names := map[ChapAlg]string{}
	for _, n := range []string{"MD5", "SHA1", "SHA256", "SHA3-256"} {
		a, ok := chapByName(n)
		if !ok {
			f.Fatalf("chapByName(%q) fails", n)
		}
		names[a] = n
	}
	f.Fuzz(func(t *testing.T, s string) {
		algs, err := ParseChapAlgs(s)
		if err != nil {
			if algs != nil {
				t.Fatalf("ParseChapAlgs(%q) = %v with error %v", s, algs, err)
			}
			return
		}
		want := 1
		if s != "" {
			want = strings.Count(s, ",") + 1
		}
		if len(algs) != want {
			t.Fatalf("ParseChapAlgs(%q) = %v, want %d algorithms", s, algs, want)
		}
		var back []string
		for _, a := range algs {
			if _, ok := a.hash(); !ok {
				t.Fatalf("ParseChapAlgs(%q) = %v, holding unsupported %d", s, algs, a)
			}
			back = append(back, names[a])
		}
		again, err := ParseChapAlgs(strings.Join(back, ","))
		if err != nil || !slices.Equal(again, algs) {
			t.Fatalf("ParseChapAlgs(%q) = %v, %v, want %v", strings.Join(back, ","), again, err, algs)
		}
	})
}
