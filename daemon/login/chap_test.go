package login

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
)

// TestChapResponseKnownAnswers checks H(id || secret || challenge).
//
// The expected digests were computed outside Go, with Python's hashlib
// over the concatenated bytes, e.g.
//
//	python3 -c 'import hashlib; print(hashlib.sha3_256(bytes([1]) + b"secret" + bytes(range(16))).hexdigest())'
//
// (hashlib.md5, sha1, sha256 and sha3_256 for CHAP_A 5, 6, 7 and 8).
// The two "trace" MD5 vectors are also the CHAP_R values open-iscsi and
// tgt exchanged in testdata/login-mutual.hex.
func TestChapResponseKnownAnswers(t *testing.T) {
	inc16 := "000102030405060708090a0b0c0d0e0f"
	traceC := "441d5565cb4652563fd9f0a0da3a0593f5e453165d625fff6dfd9ba018d2a0bd75d8a2edae37acf7d15ec614ccd603c93905"
	desc32 := "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0"
	tests := []struct {
		name      string
		alg       ChapAlg
		id        byte
		secret    string
		challenge string // hex
		want      string // hex
	}{
		// RFC 1994-style: identifier 1, secret "secret", challenge 0x00..0x0f.
		{"MD5 id 1", ChapMD5, 0x01, "secret", inc16, "740e86463bda3a4d7017d6e0fba0699d"},
		{"SHA1 id 1", ChapSHA1, 0x01, "secret", inc16, "3890198f5112376188a9742805758384545583a6"},
		{"SHA256 id 1", ChapSHA256, 0x01, "secret", inc16, "28b96c916cf784528bbfaa6ad7e012cab293437604aae8d66a3295b319132cef"},
		{"SHA3-256 id 1", ChapSHA3256, 0x01, "secret", inc16, "bdceca071be509f41acf88309bb6d12e51526c23a2d18f22c2bb8ed199c36fd8"},
		// Identifier 0, empty secret, 16 zero bytes.
		{"MD5 zero", ChapMD5, 0x00, "", strings.Repeat("00", 16), "f3c8bdb6b9df478f227af2ce61c8a5a1"},
		{"SHA1 zero", ChapSHA1, 0x00, "", strings.Repeat("00", 16), "ed24e12820f2f900ae383b7cc4f2b31c402db1be"},
		{"SHA256 zero", ChapSHA256, 0x00, "", strings.Repeat("00", 16), "0a88111852095cae045340ea1f0b279944b2a756a213d9b50107d7489771e159"},
		{"SHA3-256 zero", ChapSHA3256, 0x00, "", strings.Repeat("00", 16), "bdd1dd30c21c5981ee06582fd5234b70a24990af7bc554c5cdac42c0eef1dffe"},
		// Identifier 0xff, a secret with NUL and 0xff, challenge 0xff..0xe0.
		{"MD5 binary secret", ChapMD5, 0xff, "pass\x00word\xff", desc32, "51ea0dbe8767817477ba462493d1e623"},
		{"SHA1 binary secret", ChapSHA1, 0xff, "pass\x00word\xff", desc32, "8e25714f523336b4e49e6e22027f705d7d1ddf1c"},
		{"SHA256 binary secret", ChapSHA256, 0xff, "pass\x00word\xff", desc32, "fa1747639b55b7dd6b3694c9cf5eef69069b5c3afeaf17fcdf304e81beccdcfd"},
		{"SHA3-256 binary secret", ChapSHA3256, 0xff, "pass\x00word\xff", desc32, "77130fc2570caff175719864b30673e291202213a43ce193670ba445565ab920"},
		// The reference trace: the initiator's answer, then the target's.
		{"MD5 trace initiator", ChapMD5, 1, "tbsecret12345", traceC, "24c7b1faa37f23e378807ad02ce26625"},
		{"SHA1 trace initiator", ChapSHA1, 1, "tbsecret12345", traceC, "8c77c5b4f53d9a2eca044246de42de7032abc4a1"},
		{"SHA256 trace initiator", ChapSHA256, 1, "tbsecret12345", traceC, "c474b01e8b52af8c56da4a6ca9d8e4f6daeae500fdab43a6a33e7898a14dc69a"},
		{"SHA3-256 trace initiator", ChapSHA3256, 1, "tbsecret12345", traceC, "9181bbb49d43f02e3f17d53160649ab69149707df45f7a262f0330a5b06f5e71"},
		{"MD5 trace target", ChapMD5, 160, "tbmutual67890", "5cd8a815c369e33c3b1c3317e2c9a785", "7247f4f446eac7424ec74a4b87be3db2"},
		{"SHA1 trace target", ChapSHA1, 160, "tbmutual67890", "5cd8a815c369e33c3b1c3317e2c9a785", "67b0b5bc7dcc426cf33e7b96d7d5dcb77d25f5e7"},
		{"SHA256 trace target", ChapSHA256, 160, "tbmutual67890", "5cd8a815c369e33c3b1c3317e2c9a785", "1285a365b6f0ce7c4235438e4f181e99bd25c4f686915c358b37c8c73662eb7f"},
		{"SHA3-256 trace target", ChapSHA3256, 160, "tbmutual67890", "5cd8a815c369e33c3b1c3317e2c9a785", "8531928a087cb0bfd2dd4d90cc2dcb00dacdc3dae8f32c1d53a8e2c37b4cc297"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			challenge, err := hex.DecodeString(tt.challenge)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ChapResponse(tt.alg, tt.id, tt.secret, challenge)
			if err != nil {
				t.Fatalf("ChapResponse(%d, %d, secret, %s) error %v", tt.alg, tt.id, tt.challenge, err)
			}
			if hex.EncodeToString(got) != tt.want {
				t.Errorf("ChapResponse(%d, %d, secret, %s) = %x, want %s", tt.alg, tt.id, tt.challenge, got, tt.want)
			}
		})
	}
}

func TestChapResponseUnsupported(t *testing.T) {
	for _, a := range []ChapAlg{-1, 0, 4, 9, 255} {
		got, err := ChapResponse(a, 1, "s3cr3t-value", []byte("challenge"))
		if err == nil {
			t.Errorf("ChapResponse(%d, ...) = %x, want an error", a, got)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t-value") {
			t.Errorf("ChapResponse(%d, ...) error %q shows the secret", a, err)
		}
	}
}

func TestParseChapAlgsCases(t *testing.T) {
	tests := []struct {
		in   string
		want []ChapAlg
		ok   bool
	}{
		{"", []ChapAlg{ChapMD5}, true},
		{"MD5", []ChapAlg{ChapMD5}, true},
		{"SHA1", []ChapAlg{ChapSHA1}, true},
		{"SHA256", []ChapAlg{ChapSHA256}, true},
		{"SHA3-256", []ChapAlg{ChapSHA3256}, true},
		{"SHA3-256,MD5", []ChapAlg{ChapSHA3256, ChapMD5}, true},
		{"MD5,SHA3-256", []ChapAlg{ChapMD5, ChapSHA3256}, true},
		{"SHA3-256,SHA256,SHA1,MD5", []ChapAlg{ChapSHA3256, ChapSHA256, ChapSHA1, ChapMD5}, true},
		{"SHA1, SHA256", []ChapAlg{ChapSHA1, ChapSHA256}, true},
		{" MD5 ", []ChapAlg{ChapMD5}, true},
		{"SHA512", nil, false},
		{"MD5,SHA512", nil, false},
		{"MD5,", nil, false},
		{",MD5", nil, false},
		{"MD5,,SHA1", nil, false},
		{"5", nil, false},
		{"SHA3_256", nil, false},
		{" ", nil, false},
		{",", nil, false},
	}
	for _, tt := range tests {
		got, err := ParseChapAlgs(tt.in)
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("ParseChapAlgs(%q) = %v, %v, want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDecodeBinaryCases(t *testing.T) {
	max := bytes.Repeat([]byte{0xab}, MaxChallenge)
	tests := []struct {
		name string
		in   string
		want []byte
		ok   bool
	}{
		{"0x lower", "0x0a0b", []byte{0x0a, 0x0b}, true},
		{"0x mixed case", "0x0A0b", []byte{0x0a, 0x0b}, true},
		{"0X prefix", "0XdeadBEEF", []byte{0xde, 0xad, 0xbe, 0xef}, true},
		{"0x empty", "0x", []byte{}, true},
		{"odd hex", "0x0", nil, false},
		{"odd hex long", "0x0a0", nil, false},
		{"bad hex digit", "0x0g", nil, false},
		{"space in hex", "0x0a 0b", nil, false},
		{"0b base64", "0bAAEC", []byte{0, 1, 2}, true},
		{"0B base64", "0BAAEC", []byte{0, 1, 2}, true},
		{"0b padded", "0bAQ==", []byte{1}, true},
		{"0b missing padding", "0bAQ", nil, false},
		{"0b bad character", "0bAA!C", nil, false},
		{"0b URL alphabet", "0b-_-_", nil, false},
		{"no prefix", "deadbeef", nil, false},
		{"decimal", "1234", nil, false},
		{"empty", "", nil, false},
		{"prefix only 0", "0", nil, false},
		{"0o prefix", "0o17", nil, false},
		{"longest hex", encodeHex(max), max, true},
		{"hex one byte too long", encodeHex(append(max, 0)), nil, false},
		{"hex far too long", "0x" + strings.Repeat("00", 1<<20), nil, false},
		{"longest base64", "0b" + strings.Repeat("AAAA", MaxChallenge/2), make([]byte, MaxChallenge/2*3), true},
		{"base64 too long", "0b" + strings.Repeat("AAAA", MaxChallenge/2+1), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeBinary(tt.in)
			if (err == nil) != tt.ok || (tt.ok && !bytes.Equal(got, tt.want)) {
				t.Errorf("decodeBinary(%.40q) = %x, %v, want %x ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestEncodeHexRoundTrip(t *testing.T) {
	for _, b := range [][]byte{{}, {0}, {0xff, 0x00, 0x10}, bytes.Repeat([]byte{0x5a}, MaxChallenge)} {
		s := encodeHex(b)
		if !strings.HasPrefix(s, "0x") || strings.ToLower(s) != s {
			t.Errorf("encodeHex(%x) = %q, want lower-case 0x hex", b, s)
		}
		if got, err := decodeBinary(s); err != nil || !bytes.Equal(got, b) {
			t.Errorf("decodeBinary(encodeHex(%x)) = %x, %v, want %x", b, got, err, b)
		}
		s = "0b" + base64.StdEncoding.EncodeToString(b)
		if got, err := decodeBinary(s); err != nil || !bytes.Equal(got, b) {
			t.Errorf("decodeBinary(%q) = %x, %v, want %x", s, got, err, b)
		}
	}
}
