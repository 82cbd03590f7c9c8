package login

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// hostileTimeout is the context deadline of every exchange with a
// scripted target; each must end well within it plus a second.
const hostileTimeout = time.Second

// Secrets of the CHAP tests; no error may contain them.
const (
	secretOut = "initiator-secret-1"
	secretIn  = "target-secret-22"
)

func testConfig() Config {
	return Config{
		InitiatorName: "iqn.2026-11.test:guest",
		TargetName:    "iqn.2026-11.test:disk",
		ISID:          [6]byte{0x00, 0x02, 0x3d, 0x00, 0x00, 0x01},
		CmdSN:         1,
		Operational:   Offer(nil, true),
	}
}

func mutualConfig(algs ...ChapAlg) Config {
	cfg := testConfig()
	cfg.Auth = Auth{Method: "CHAP", Username: "tbuser", Password: secretOut,
		UsernameIn: "tbtarget", PasswordIn: secretIn, Algs: algs}
	return cfg
}

// goodCHAP is a well-behaved mutual-CHAP target for mutualConfig.
func goodCHAP(alg ChapAlg) *chapTarget {
	return &chapTarget{alg: alg, id: 7, user: "tbuser", secret: secretOut, userIn: "tbtarget", secretIn: secretIn}
}

// errWant is the error a case must end in.
type errWant struct {
	desc string
	ok   func(error) bool
}

func wantIs(target error) errWant {
	return errWant{fmt.Sprintf("an error wrapping %q", target), func(err error) bool { return errors.Is(err, target) }}
}

func wantAuth() errWant {
	return errWant{"an *AuthError", func(err error) bool { var ae *AuthError; return errors.As(err, &ae) }}
}

func wantTimeout() errWant {
	return errWant{"a net.Error with Timeout()", func(err error) bool {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}}
}

// wantFraming accepts the errors of a stream that is not iSCSI at all.
func wantFraming() errWant {
	return errWant{"a protocol error or an unexpected EOF", func(err error) bool {
		return errors.Is(err, ErrProtocol) || errors.Is(err, io.ErrUnexpectedEOF)
	}}
}

func wantStatus(class, detail byte, code iscsierr.Code, retryable bool) errWant {
	return errWant{
		fmt.Sprintf("a *StatusError %02x/%02x with Code() %d and Retryable() %v", class, detail, code, retryable),
		func(err error) bool {
			var st *StatusError
			return errors.As(err, &st) && st.Class == class && st.Detail == detail && st.Code() == code && st.Retryable() == retryable
		},
	}
}

// loginAgainst logs cfg in to a target playing s, within hostileTimeout.
func loginAgainst(t *testing.T, s script, cfg Config) (*Result, func() error, error) {
	t.Helper()
	conn, wait := startTarget(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	start := time.Now()
	res, err := Login(ctx, conn, cfg)
	if d := time.Since(start); d > hostileTimeout+time.Second {
		t.Errorf("Login took %v, deadline was %v", d, hostileTimeout)
	}
	return res, wait, err
}

// answerWith is a target that reads the first login request, sends b
// and hangs up, or falls silent if hang.
func answerWith(b []byte, hang bool) script {
	return func(f *fakeTarget) error {
		if _, _, err := f.read(); err != nil {
			return err
		}
		if err := f.write(b); err != nil || !hang {
			return err
		}
		return f.drain()
	}
}

// answerPDU is a target that reads the first login request and answers
// with the PDU edit makes of a successful final response.
func answerPDU(edit func(req, rsp *PDU)) script {
	return func(f *fakeTarget) error {
		req, _, err := f.read()
		if err != nil {
			return err
		}
		rsp := f.loginResp(req, loginFlags(true, StageOperational, StageFullFeature), 0, 0, Text{{"TargetPortalGroupTag", "1"}}.Encode())
		edit(req, rsp)
		if err := f.send(rsp); err != nil {
			return err
		}
		return f.drain()
	}
}

// answerData is answerPDU with the response's data segment set to d.
func answerData(d string) script {
	return answerPDU(func(_, rsp *PDU) { rsp.Data = []byte(d) })
}

// answerStatus is a target that refuses the login with class/detail.
func answerStatus(class, detail byte) script {
	return func(f *fakeTarget) error {
		req, _, err := f.read()
		if err != nil {
			return err
		}
		return f.status(req, class, detail, nil)
	}
}

// truncatedBHS sends 20 bytes of a login response and hangs up.
func truncatedBHS(f *fakeTarget) error {
	req, _, err := f.read()
	if err != nil {
		return err
	}
	b, err := f.loginResp(req, loginFlags(true, StageOperational, StageFullFeature), 0, 0, nil).Marshal(Digests{})
	if err != nil {
		return err
	}
	return f.write(b[:20])
}

// hugeSegment announces a data segment of 16 MiB - 1 bytes and sends 16.
func hugeSegment(f *fakeTarget) error {
	req, _, err := f.read()
	if err != nil {
		return err
	}
	b, err := f.loginResp(req, loginFlags(true, StageOperational, StageFullFeature), 0, 0, nil).Marshal(Digests{})
	if err != nil {
		return err
	}
	b[5], b[6], b[7] = 0xff, 0xff, 0xff
	if err := f.write(append(b, make([]byte, 16)...)); err != nil {
		return err
	}
	return f.drain()
}

// endlessContinuation answers every request with an empty response that
// promises more text.
func endlessContinuation(f *fakeTarget) error {
	for {
		req, _, err := f.read()
		if err != nil {
			return err
		}
		if err := f.send(f.loginResp(req, FlagContinue|loginFlags(false, StageOperational, StageFullFeature), 0, 0, nil)); err != nil {
			return err
		}
	}
}

// manyKeys answers with more distinct keys than login text may hold.
func manyKeys() script {
	var t Text
	for i := range MaxPairs + 1 {
		t = append(t, Pair{"K" + strconv.Itoa(i), "1"})
	}
	return answerPDU(func(_, rsp *PDU) { rsp.Data = t.Encode() })
}

// TestLoginHostileTarget runs logins against targets that misbehave;
// each must end in the expected error within the deadline.
func TestLoginHostileTarget(t *testing.T) {
	tests := []struct {
		name   string
		target script
		want   errWant
	}{
		{"truncated BHS", truncatedBHS, wantIs(io.ErrUnexpectedEOF)},
		{"wrong opcode", answerPDU(func(_, rsp *PDU) { rsp.BHS.SetOpcode(OpTextResp, false) }), wantIs(ErrProtocol)},
		{"reject instead of response", answerPDU(func(_, rsp *PDU) { rsp.BHS.SetOpcode(OpReject, false) }), wantIs(ErrProtocol)},
		{"16 MiB data segment", hugeSegment, wantIs(ErrTooLarge)},
		{"text without final NUL", answerData("TargetPortalGroupTag=1"), wantIs(ErrProtocol)},
		{"key without =", answerData("TargetPortalGroupTag\x00"), wantIs(ErrProtocol)},
		{"empty key", answerData("=1\x00"), wantIs(ErrProtocol)},
		{"duplicate key", answerData("TargetPortalGroupTag=1\x00TargetPortalGroupTag=2\x00"), wantIs(ErrProtocol)},
		{"too many keys", manyKeys(), wantIs(ErrProtocol)},
		{"bad number", answerData("MaxRecvDataSegmentLength=12abc\x00"), wantIs(ErrProtocol)},
		{"T and C both set", answerPDU(func(_, rsp *PDU) { rsp.BHS[1] |= FlagContinue }), wantIs(ErrProtocol)},
		{"wrong stage", answerPDU(func(_, rsp *PDU) { rsp.BHS[1] = loginFlags(true, StageSecurity, StageFullFeature) }), wantIs(ErrProtocol)},
		{"wrong ITT", answerPDU(func(_, rsp *PDU) { rsp.BHS.SetITT(7) }), wantIs(ErrProtocol)},
		{"endless continuation", endlessContinuation, wantIs(ErrProtocol)},
		{"never answers", func(f *fakeTarget) error { return f.drain() }, wantTimeout()},
		{"closes at once", func(*fakeTarget) error { return nil }, wantIs(io.ErrClosedPipe)},
		{"garbage 0xff", answerWith(bytes.Repeat([]byte{0xff}, 64), false), wantFraming()},
		{"garbage 0xff, then silence", answerWith(bytes.Repeat([]byte{0xff}, 64), true), wantTimeout()},
		{"garbage zeros", answerWith(make([]byte, 64), false), wantFraming()},
		{"HTTP answer", answerWith([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), false), wantFraming()},
		{"authentication failure", answerStatus(2, 1), wantStatus(2, 1, iscsierr.LoginAuthFailed, false)},
		{"not authorized", answerStatus(2, 2), wantStatus(2, 2, iscsierr.LoginAuthFailed, false)},
		{"target not found", answerStatus(2, 3), wantStatus(2, 3, iscsierr.FatalLogin, false)},
		{"service unavailable", answerStatus(3, 1), wantStatus(3, 1, iscsierr.Login, true)},
		{"unknown status", answerStatus(0x7f, 0x7f), wantStatus(0x7f, 0x7f, iscsierr.Login, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, _, err := loginAgainst(t, tt.target, testConfig())
			if err == nil || !tt.want.ok(err) {
				t.Errorf("Login() = %+v, %v, want %s", res, err, tt.want.desc)
			}
		})
	}
}

// TestLoginUnknownKey: a key we do not know is answered NotUnderstood and
// the login still completes.
func TestLoginUnknownKey(t *testing.T) {
	const key = "X-com.example.Frobnicate"
	answered := false
	check := func(keys Text) error {
		if v, ok := keys.Get(key); ok {
			if v != "NotUnderstood" {
				return fmt.Errorf("initiator answered %s=%q, want NotUnderstood", key, v)
			}
			answered = true
		}
		return nil
	}
	target := func(f *fakeTarget) error { return f.operational(Text{{key, "Yes"}}, check) }
	res, wait, err := loginAgainst(t, target, testConfig())
	if err != nil {
		t.Fatalf("Login() = %v, want success", err)
	}
	if err := wait(); err != nil {
		t.Errorf("target: %v", err)
	}
	if !answered {
		t.Errorf("initiator never answered %s", key)
	}
	if res.TSIH != 0x0100 || res.Params.TargetPortalGroupTag != 1 {
		t.Errorf("Login() = TSIH %#x TPGT %d, want 0x100 1", res.TSIH, res.Params.TargetPortalGroupTag)
	}
}

// TestLoginCancel: cancelling a context without deadline interrupts a
// login the target never answers.
func TestLoginCancel(t *testing.T) {
	conn, _ := startTarget(t, func(f *fakeTarget) error { return f.drain() })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	errc := make(chan error, 1)
	go func() { _, err := Login(ctx, conn, testConfig()); errc <- err }()
	select {
	case err := <-errc:
		if err == nil {
			t.Errorf("Login() after cancel = nil, want an error")
		}
	case <-time.After(hostileTimeout + time.Second):
		t.Fatalf("Login() still running after cancel")
	}
}

// TestMutualCHAP logs in with mutual CHAP for every algorithm against a
// target computing the responses with the crypto packages itself.
func TestMutualCHAP(t *testing.T) {
	tests := []struct {
		alg     ChapAlg
		chalLen int // our challenge is as long as the digest
	}{
		{ChapMD5, 16}, {ChapSHA1, 20}, {ChapSHA256, 32}, {ChapSHA3256, 32},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.alg)), func(t *testing.T) {
			t.Parallel()
			target := goodCHAP(tt.alg)
			res, wait, err := loginAgainst(t, target.serve, mutualConfig(ChapSHA3256, ChapSHA256, ChapSHA1, ChapMD5))
			if err != nil {
				t.Fatalf("Login() with CHAP_A=%d = %v, want success", tt.alg, err)
			}
			if err := wait(); err != nil {
				t.Errorf("target: %v", err)
			}
			if len(target.gotChallenge) != tt.chalLen {
				t.Errorf("our CHAP_C for CHAP_A=%d has %d bytes, want %d", tt.alg, len(target.gotChallenge), tt.chalLen)
			}
			if res.TSIH != 0x0100 {
				t.Errorf("Login() TSIH = %#x, want 0x100", res.TSIH)
			}
		})
	}
}

// TestOneWayCHAP logs in with CHAP in one direction only.
func TestOneWayCHAP(t *testing.T) {
	cfg := mutualConfig(ChapMD5)
	cfg.Auth.UsernameIn, cfg.Auth.PasswordIn = "", ""
	target := goodCHAP(ChapMD5)
	target.userIn = ""
	if _, wait, err := loginAgainst(t, target.serve, cfg); err != nil {
		t.Fatalf("Login() = %v, want success", err)
	} else if err := wait(); err != nil {
		t.Errorf("target: %v", err)
	}
}

// TestCHAPHostileTarget: bad challenges and bad proofs from the target
// end in an AuthError that contains no secret.
func TestCHAPHostileTarget(t *testing.T) {
	challenge := func(c string) *chapTarget { ct := goodCHAP(ChapMD5); ct.challenge = c; return ct }
	response := func(r func([]byte) string) *chapTarget { ct := goodCHAP(ChapMD5); ct.response = r; return ct }
	long := bytes.Repeat([]byte{0x5a}, MaxChallenge+1)
	tests := []struct {
		name   string
		target *chapTarget
		want   errWant
	}{
		{"challenge too short", challenge("0x" + strings.Repeat("ab", MinChallenge-1)), wantAuth()},
		{"challenge too long hex", challenge("0x" + hex.EncodeToString(long)), wantAuth()},
		{"challenge too long base64", challenge("0b" + base64.StdEncoding.EncodeToString(long)), wantAuth()},
		{"challenge bad hex", challenge("0x" + strings.Repeat("zz", 16)), wantAuth()},
		{"challenge odd hex", challenge("0x" + strings.Repeat("a", 33)), wantAuth()},
		{"challenge bad base64", challenge("0b!!!!" + strings.Repeat("A", 20)), wantAuth()},
		{"challenge without prefix", challenge(strings.Repeat("ab", 16)), wantAuth()},
		{"challenge empty", challenge("0x"), wantAuth()},
		{"response wrong length", response(func(r []byte) string { return "0x" + hex.EncodeToString(r[:8]) }), wantAuth()},
		{"response too long", response(func(r []byte) string { return "0x" + hex.EncodeToString(append(r, r...)) }), wantAuth()},
		{"response wrong", response(func(r []byte) string { r[0] ^= 1; return "0x" + hex.EncodeToString(r) }), wantAuth()},
		{"response bad hex", response(func([]byte) string { return "0xnothex" }), wantAuth()},
		{"response base64 of wrong", response(func(r []byte) string { r[3] ^= 0x80; return "0b" + base64.StdEncoding.EncodeToString(r) }), wantAuth()},
		{"target name wrong", func() *chapTarget { ct := goodCHAP(ChapMD5); ct.userIn = "impostor"; return ct }(), wantAuth()},
		{"we fail the target", func() *chapTarget { ct := goodCHAP(ChapMD5); ct.secret = "other-secret-333"; return ct }(), wantStatus(2, 1, iscsierr.LoginAuthFailed, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := loginAgainst(t, tt.target.serve, mutualConfig(ChapMD5))
			if err == nil || !tt.want.ok(err) {
				t.Fatalf("Login() = %v, want %s", err, tt.want.desc)
			}
			if msg := err.Error(); strings.Contains(msg, secretOut) || strings.Contains(msg, secretIn) {
				t.Errorf("Login() error %q contains a secret", msg)
			}
		})
	}
}

// TestCHAPSameSecretBothWays: mutual CHAP with password_in equal to
// password is refused before anything is sent, without naming the secret.
func TestCHAPSameSecretBothWays(t *testing.T) {
	cfg := mutualConfig(ChapMD5)
	cfg.Auth.PasswordIn = cfg.Auth.Password
	sent := false
	target := func(f *fakeTarget) error {
		if _, _, err := f.read(); err == nil {
			sent = true
		}
		return nil
	}
	_, wait, err := loginAgainst(t, target, cfg)
	if err == nil || !wantAuth().ok(err) {
		t.Fatalf("Login() with password_in = password: %v, want an *AuthError", err)
	}
	if strings.Contains(err.Error(), secretOut) {
		t.Errorf("Login() error %q contains the secret", err)
	}
	_ = wait()
	if sent {
		t.Errorf("Login() sent a request before refusing the configuration")
	}
}

// TestCHAPReflectedChallenge: two logins share a ChallengeLog; the
// second target sends as its challenge the one we issued to the first,
// in either encoding, and must not get an answer.
func TestCHAPReflectedChallenge(t *testing.T) {
	encodings := map[string]func([]byte) string{
		"hex":    func(b []byte) string { return "0x" + hex.EncodeToString(b) },
		"base64": func(b []byte) string { return "0b" + base64.StdEncoding.EncodeToString(b) },
	}
	for name, enc := range encodings {
		t.Run(name, func(t *testing.T) {
			log := &ChallengeLog{}
			cfg := mutualConfig(ChapMD5)
			cfg.Challenges = log
			first := goodCHAP(ChapMD5)
			_, wait, err := loginAgainst(t, first.serve, cfg)
			if err != nil {
				t.Fatalf("first Login() = %v, want success", err)
			}
			if err := wait(); err != nil {
				t.Fatalf("first target: %v", err)
			}
			second := goodCHAP(ChapMD5)
			second.challenge = enc(first.gotChallenge)
			_, _, err = loginAgainst(t, second.serve, cfg)
			if err == nil || !wantAuth().ok(err) {
				t.Errorf("second Login() with our own challenge reflected = %v, want an *AuthError", err)
			}
		})
	}
}

// TestChallengeLogBounded: the log forgets the oldest challenge once
// full, and a nil log records nothing.
func TestChallengeLogBounded(t *testing.T) {
	var log ChallengeLog
	chal := func(i int) []byte { return []byte(fmt.Sprintf("challenge-%04d", i)) }
	for i := range challengeLogSize + 1 {
		log.add(chal(i))
	}
	if log.contains(chal(0)) {
		t.Errorf("contains(oldest) = true after %d more, want false", challengeLogSize)
	}
	for _, i := range []int{1, challengeLogSize} {
		if !log.contains(chal(i)) {
			t.Errorf("contains(%q) = false, want true", chal(i))
		}
	}
	var none *ChallengeLog
	none.add(chal(1))
	if none.contains(chal(1)) {
		t.Errorf("nil log contains(%q) = true, want false", chal(1))
	}
}

// TestChallengeLogConcurrent exercises the log from several logins at
// once (run with -race).
func TestChallengeLogConcurrent(t *testing.T) {
	var log ChallengeLog
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 100 {
				c := []byte{byte(g), byte(i)}
				log.add(c)
				_ = log.contains(c)
			}
		}()
	}
	for range 4 {
		<-done
	}
}
