package login

import (
	"bytes"
	"fmt"
	"strings"
)

// Limits on text keys (RFC 7143 section 6.1: key names up to 63 bytes;
// values up to 8192 bytes for the longest, CHAP challenges).
const (
	MaxKeyName  = 63
	MaxKeyValue = 8192
	MaxPairs    = 4096
)

// Pair is one key=value.
type Pair struct {
	Key, Value string
}

// Text is an ordered list of pairs, as carried in login and text PDUs.
type Text []Pair

// Get returns the value of key k.
func (t Text) Get(k string) (string, bool) {
	for _, p := range t {
		if p.Key == k {
			return p.Value, true
		}
	}
	return "", false
}

// Encode returns the pairs as NUL-terminated "key=value" strings.
func (t Text) Encode() []byte {
	n := 0
	for _, p := range t {
		n += len(p.Key) + len(p.Value) + 2
	}
	var b bytes.Buffer
	b.Grow(n)
	for _, p := range t {
		b.WriteString(p.Key)
		b.WriteByte('=')
		b.WriteString(p.Value)
		b.WriteByte(0)
	}
	return b.Bytes()
}

// ParseText splits a data segment into at most MaxPairs pairs. Every
// pair must end in NUL and hold '=' after a non-empty key of allowed
// characters; keys may not repeat unless allowRepeat (SendTargets answers
// repeat TargetName and TargetAddress).
func ParseText(data []byte, allowRepeat bool) (Text, error) {
	return parseText(data, allowRepeat, MaxPairs)
}

// parseText is ParseText with a bound of maxPairs pairs, for answers
// bounded in bytes by their caller (SendTargets).
func parseText(data []byte, allowRepeat bool, maxPairs int) (Text, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if data[len(data)-1] != 0 {
		return nil, fmt.Errorf("%w: text does not end in NUL", ErrProtocol)
	}
	// Sized for the usual answer; a NUL-padded hostile one is not
	// worth its NUL count in pairs.
	t := make(Text, 0, min(bytes.Count(data, []byte{0}), 64))
	seen := map[string]bool{}
	for rest := data[:len(data)-1]; len(rest) > 0; {
		var item []byte
		item, rest, _ = bytes.Cut(rest, []byte{0})
		if len(item) == 0 {
			continue // padding NULs some targets send
		}
		k, v, ok := strings.Cut(string(item), "=")
		if !ok {
			return nil, fmt.Errorf("%w: text item %.40q has no '='", ErrProtocol, item)
		}
		if err := checkKey(k); err != nil {
			return nil, err
		}
		if len(v) > MaxKeyValue {
			return nil, fmt.Errorf("%w: value of %s longer than %d bytes", ErrProtocol, k, MaxKeyValue)
		}
		if !allowRepeat {
			if seen[k] {
				return nil, fmt.Errorf("%w: key %s sent twice", ErrProtocol, k)
			}
			seen[k] = true
		}
		if len(t) >= maxPairs {
			return nil, fmt.Errorf("%w: more than %d keys", ErrProtocol, maxPairs)
		}
		t = append(t, Pair{k, v})
	}
	return t, nil
}

// checkKey allows what RFC 7143 section 6.1 allows in key names.
func checkKey(k string) error {
	if k == "" || len(k) > MaxKeyName {
		return fmt.Errorf("%w: key name %.40q empty or too long", ErrProtocol, k)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == '@' || c == '_') {
			return fmt.Errorf("%w: key name %.40q has character %#02x", ErrProtocol, k, c)
		}
	}
	return nil
}
