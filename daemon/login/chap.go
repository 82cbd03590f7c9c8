package login

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
)

// CHAP challenge bounds: shorter ones are refused as too weak, longer
// ones as hostile.
const (
	MinChallenge = 16
	MaxChallenge = 1024
)

// ChapAlg is a CHAP_A value.
type ChapAlg int

// CHAP algorithms (RFC 7143 section 12.1.3, RFC 9653 for SHA).
const (
	ChapMD5     ChapAlg = 5
	ChapSHA1    ChapAlg = 6
	ChapSHA256  ChapAlg = 7
	ChapSHA3256 ChapAlg = 8
)

// chapByName is the algorithm chap_algs names n.
func chapByName(n string) (ChapAlg, bool) {
	switch n {
	case "MD5":
		return ChapMD5, true
	case "SHA1":
		return ChapSHA1, true
	case "SHA256":
		return ChapSHA256, true
	case "SHA3-256":
		return ChapSHA3256, true
	}
	return 0, false
}

func (a ChapAlg) hash() (hash.Hash, bool) {
	switch a {
	case ChapMD5:
		return md5.New(), true
	case ChapSHA1:
		return sha1.New(), true
	case ChapSHA256:
		return sha256.New(), true
	case ChapSHA3256:
		return sha3.New256(), true
	}
	return nil, false
}

// ParseChapAlgs reads node.session.auth.chap_algs ("SHA3-256,MD5").
func ParseChapAlgs(s string) ([]ChapAlg, error) {
	if s == "" {
		return []ChapAlg{ChapMD5}, nil
	}
	var out []ChapAlg
	for _, n := range strings.Split(s, ",") {
		a, ok := chapByName(strings.TrimSpace(n))
		if !ok {
			return nil, fmt.Errorf("unknown CHAP algorithm %q", n)
		}
		out = append(out, a)
	}
	return out, nil
}

// ChapResponse computes H(id || secret || challenge).
func ChapResponse(a ChapAlg, id byte, secret string, challenge []byte) ([]byte, error) {
	h, ok := a.hash()
	if !ok {
		return nil, fmt.Errorf("unsupported CHAP algorithm %d", a)
	}
	h.Write([]byte{id})
	h.Write([]byte(secret))
	h.Write(challenge)
	return h.Sum(nil), nil
}

// Auth holds CHAP credentials. Secrets are never formatted into errors.
type Auth struct {
	Method     string // "None" or "CHAP"
	Username   string
	Password   string
	UsernameIn string // mutual CHAP: the target's name
	PasswordIn string
	Algs       []ChapAlg
}

// Mutual reports whether the target must authenticate itself too.
func (a Auth) Mutual() bool { return a.UsernameIn != "" || a.PasswordIn != "" }

// checkSecrets refuses mutual CHAP with the same secret both ways: RFC
// 7143 section 12.1.3 requires them to differ, as a target knowing one
// could otherwise answer for the other. The error names no secret.
func (a Auth) checkSecrets() error {
	if a.Mutual() && subtle.ConstantTimeCompare([]byte(a.Password), []byte(a.PasswordIn)) == 1 {
		return &AuthError{Reason: "mutual CHAP needs password_in to differ from password"}
	}
	return nil
}

// decodeBinary reads a binary value: "0x" hex or "0b" base64.
func decodeBinary(s string) ([]byte, error) {
	if len(s) > 2*MaxChallenge+2 {
		return nil, errors.New("binary value too long")
	}
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		return hex.DecodeString(s[2:])
	case strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0B"):
		return base64.StdEncoding.DecodeString(s[2:])
	}
	return nil, errors.New("binary value is neither 0x hex nor 0b base64")
}

func encodeHex(b []byte) string { return "0x" + hex.EncodeToString(b) }

// chapState is one CHAP exchange from the initiator's side.
type chapState struct {
	auth         Auth
	log          *ChallengeLog // challenges of other logins; may be nil
	alg          ChapAlg
	ourID        byte
	ourChallenge []byte
}

// offerAlgs is the CHAP_A list, in preference order.
func (c *chapState) offerAlgs() string {
	var s []string
	for _, a := range c.auth.Algs {
		s = append(s, strconv.Itoa(int(a)))
	}
	return strings.Join(s, ",")
}

// answer reads the target's CHAP_A, CHAP_I and CHAP_C and returns our
// CHAP_N and CHAP_R, plus our own challenge for mutual CHAP.
func (c *chapState) answer(t Text, random io.Reader) (Text, error) {
	if err := c.auth.checkSecrets(); err != nil {
		return nil, err
	}
	aStr, _ := t.Get("CHAP_A")
	iStr, okI := t.Get("CHAP_I")
	cStr, okC := t.Get("CHAP_C")
	a, err := strconv.Atoi(aStr)
	if err != nil || !c.allowed(ChapAlg(a)) {
		return nil, &AuthError{Reason: fmt.Sprintf("target chose CHAP_A=%.20q, not one of %s", aStr, c.offerAlgs())}
	}
	c.alg = ChapAlg(a)
	id, err := strconv.ParseUint(iStr, 10, 8)
	if !okI || err != nil {
		return nil, &AuthError{Reason: fmt.Sprintf("bad CHAP_I %.20q", iStr)}
	}
	challenge, err := decodeBinary(cStr)
	if !okC || err != nil {
		return nil, &AuthError{Reason: fmt.Sprintf("bad CHAP_C: %v", err)}
	}
	if len(challenge) < MinChallenge || len(challenge) > MaxChallenge {
		return nil, &AuthError{Reason: fmt.Sprintf("CHAP_C of %d bytes, want %d to %d", len(challenge), MinChallenge, MaxChallenge)}
	}
	if c.log.contains(challenge) {
		return nil, &AuthError{Reason: "target reflected a challenge we issued"}
	}
	resp, err := ChapResponse(c.alg, byte(id), c.auth.Password, challenge)
	if err != nil {
		return nil, err
	}
	out := Text{{"CHAP_N", c.auth.Username}, {"CHAP_R", encodeHex(resp)}}
	if !c.auth.Mutual() {
		return out, nil
	}
	h, _ := c.alg.hash()
	ours := make([]byte, h.Size())
	var idb [1]byte
	if _, err := io.ReadFull(random, idb[:]); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(random, ours); err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(ours, challenge) == 1 {
		return nil, &AuthError{Reason: "target challenge equals ours"}
	}
	c.ourID, c.ourChallenge = idb[0], ours
	c.log.add(ours)
	return append(out, Pair{"CHAP_I", strconv.Itoa(int(idb[0]))}, Pair{"CHAP_C", encodeHex(ours)}), nil
}

func (c *chapState) allowed(a ChapAlg) bool {
	for _, x := range c.auth.Algs {
		if x == a {
			return true
		}
	}
	return false
}

// verify checks the target's CHAP_N and CHAP_R in mutual CHAP.
func (c *chapState) verify(t Text) error {
	name, _ := t.Get("CHAP_N")
	rStr, ok := t.Get("CHAP_R")
	if !ok {
		return &AuthError{Reason: "target sent no CHAP_R"}
	}
	if name != c.auth.UsernameIn {
		return &AuthError{Reason: fmt.Sprintf("target CHAP_N %.60q is not the configured username_in", name)}
	}
	got, err := decodeBinary(rStr)
	if err != nil {
		return &AuthError{Reason: fmt.Sprintf("bad CHAP_R: %v", err)}
	}
	want, err := ChapResponse(c.alg, c.ourID, c.auth.PasswordIn, c.ourChallenge)
	if err != nil {
		return err
	}
	if len(got) != len(want) {
		return &AuthError{Reason: fmt.Sprintf("target CHAP_R of %d bytes, want %d", len(got), len(want))}
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return &AuthError{Reason: "target CHAP_R is wrong (username_in/password_in mismatch)"}
	}
	return nil
}
