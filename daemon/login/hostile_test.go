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
	"reflect"
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

// redirectTo refuses the login with a redirection to addr ("" sends no
// TargetAddress).
func redirectTo(detail byte, addr string) script {
	return func(f *fakeTarget) error {
		req, _, err := f.read()
		if err != nil {
			return err
		}
		var t Text
		if addr != "" {
			t = Text{{"TargetAddress", addr}}
		}
		return f.status(req, 1, detail, t)
	}
}

// pipeDialer "dials" portals by starting the script registered for them
// on a net.Pipe, and records the portals dialed.
func pipeDialer(t *testing.T, targets map[Portal]script, dialed *[]Portal) func(context.Context, Portal) (net.Conn, error) {
	return func(_ context.Context, p Portal) (net.Conn, error) {
		*dialed = append(*dialed, p)
		s, ok := targets[p]
		if !ok {
			return nil, fmt.Errorf("no target at %+v", p)
		}
		conn, _ := startTarget(t, s)
		return conn, nil
	}
}

// TestConnectRedirect follows redirections, and gives up on loops and
// unusable addresses.
func TestConnectRedirect(t *testing.T) {
	a := Portal{Addr: "127.0.0.1", Port: 3260, TPGT: 1}
	b := Portal{Addr: "127.0.0.1", Port: 3261, TPGT: 1}
	c := Portal{Addr: "127.0.0.1", Port: 3260, TPGT: 2}
	tests := []struct {
		name    string
		targets map[Portal]script
		want    errWant // nil ok: success at last portal of dialed
		dialed  []Portal
	}{
		{"none", map[Portal]script{a: noAuthLogin}, errWant{}, []Portal{a}},
		{"temporary, default port", map[Portal]script{a: redirectTo(1, "127.0.0.1,2"), c: noAuthLogin}, errWant{}, []Portal{a, c}},
		{"permanent", map[Portal]script{a: redirectTo(2, "127.0.0.1:3261"), b: noAuthLogin}, errWant{}, []Portal{a, b}},
		{"loop", map[Portal]script{a: redirectTo(1, "127.0.0.1:3261,1"), b: redirectTo(1, "127.0.0.1:3260,1")}, wantStatus(1, 1, iscsierr.Login, false), []Portal{a, b, a, b, a}},
		{"unparsable address", map[Portal]script{a: redirectTo(1, "127.0.0.1/evil:3260")}, wantStatus(1, 1, iscsierr.Login, false), []Portal{a}},
		{"no address", map[Portal]script{a: redirectTo(1, "")}, wantStatus(1, 1, iscsierr.Login, false), []Portal{a}},
		{"refused after redirect", map[Portal]script{a: redirectTo(1, "127.0.0.1:3261"), b: answerStatus(2, 1)}, wantStatus(2, 1, iscsierr.LoginAuthFailed, false), []Portal{a, b}},
		{"nothing listening", map[Portal]script{a: redirectTo(1, "127.0.0.1:3262")}, errWant{"a dial error", func(err error) bool { return strings.Contains(err.Error(), "no target at") }}, []Portal{a, {Addr: "127.0.0.1", Port: 3262, TPGT: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var dialed []Portal
			ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
			defer cancel()
			conn, res, at, err := Connect(ctx, pipeDialer(t, tt.targets, &dialed), a, testConfig())
			switch {
			case tt.want.ok == nil && err != nil:
				t.Errorf("Connect() = %v, want success", err)
			case tt.want.ok == nil && (res == nil || conn == nil || at != tt.dialed[len(tt.dialed)-1]):
				t.Errorf("Connect() = %v, %+v, %+v, want a connection at %+v", conn, res, at, tt.dialed[len(tt.dialed)-1])
			case tt.want.ok != nil && (err == nil || !tt.want.ok(err)):
				t.Errorf("Connect() = %v, want %s", err, tt.want.desc)
			}
			if !reflect.DeepEqual(dialed, tt.dialed) {
				t.Errorf("Connect() dialed %+v, want %+v", dialed, tt.dialed)
			}
		})
	}
}

// tcpTarget serves s to one connection on a loopback listener.
func tcpTarget(t *testing.T, s script) Portal {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		_ = s(&fakeTarget{conn: conn, statSN: 0x100})
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Errorf("loopback target still running")
		}
	})
	return Portal{Addr: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, TPGT: 1}
}

// TestConnectRedirectTCP follows a redirection between two loopback
// listeners over real TCP.
func TestConnectRedirectTCP(t *testing.T) {
	second := tcpTarget(t, noAuthLogin)
	first := tcpTarget(t, redirectTo(1, "127.0.0.1:"+strconv.Itoa(second.Port)))
	dial := func(ctx context.Context, p Portal) (net.Conn, error) {
		if p.Addr != "127.0.0.1" {
			return nil, fmt.Errorf("test dials 127.0.0.1 only, not %q", p.Addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, "tcp", net.JoinHostPort(p.Addr, strconv.Itoa(p.Port)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	conn, res, at, err := Connect(ctx, dial, first, testConfig())
	if err != nil {
		t.Fatalf("Connect() = %v, want success", err)
	}
	defer conn.Close()
	if at != second || res.TSIH != 0x0100 {
		t.Errorf("Connect() = %+v, TSIH %#x, want %+v, 0x100", at, res.TSIH, second)
	}
}

// validName mirrors records.ValidateTargetName where it matters for
// safety: an iqn., eui. or naa. name of at most 223 bytes, without '/',
// ".." or control characters.
func validName(name string) error {
	lower := strings.ToLower(name)
	switch {
	case !strings.HasPrefix(lower, "iqn.") && !strings.HasPrefix(lower, "eui.") && !strings.HasPrefix(lower, "naa."):
		return fmt.Errorf("target name %.60q: not an iqn., eui. or naa. name", name)
	case len(name) > 223:
		return fmt.Errorf("target name %.60q: longer than 223 bytes", name)
	case strings.Contains(name, "/") || strings.Contains(name, ".."):
		return fmt.Errorf("target name %.60q: contains / or ..", name)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("target name %.60q: contains a control character", name)
	}
	return nil
}

// stResult is the state after a discovery login.
func stResult() *Result {
	return &Result{Params: Params{MaxRecvDataSegmentLength: 8192}, CmdSN: 1, StatSN: 0xff}
}

// sendTargetsAgainst runs SendTargets against a target playing s.
func sendTargetsAgainst(t *testing.T, s script) ([]Target, []string, func() error, error) {
	t.Helper()
	conn, wait := startTarget(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	var warnings []string
	start := time.Now()
	got, err := SendTargets(ctx, conn, stResult(), validName, func(w string) { warnings = append(warnings, w) })
	if d := time.Since(start); d > hostileTimeout+time.Second {
		t.Errorf("SendTargets took %v, deadline was %v", d, hostileTimeout)
	}
	return got, warnings, wait, err
}

// TestSendTargetsHostileNames: entries whose names could do harm are
// skipped with a warning, and the others kept.
func TestSendTargetsHostileNames(t *testing.T) {
	bad := []string{
		"iqn.2026-11.test:a/b",
		"iqn.2026-11.test:..",
		"iqn.2026-11.test:../../etc",
		"iqn.2026-11.test:a\nb",
		"iqn.2026-11.test:" + strings.Repeat("x", 400-len("iqn.2026-11.test:")),
		"../../etc/passwd",
		"",
	}
	answer := Text{{"TargetAddress", "127.0.0.1:3260,1"}} // before any name: ignored
	answer = append(answer, Pair{"TargetName", "iqn.2026-11.test:one"}, Pair{"TargetAddress", "127.0.0.1:3260,1"},
		Pair{"TargetAddress", "127.0.0.1/x"}) // a bad address of a good target
	for _, n := range bad {
		answer = append(answer, Pair{"TargetName", n}, Pair{"TargetAddress", "127.0.0.1:3261,1"})
	}
	answer = append(answer, Pair{"TargetName", "eui.0123456789abcdef"}, Pair{"TargetAddress", "127.0.0.1:3262,2"})
	want := []Target{
		{"iqn.2026-11.test:one", []Portal{{"127.0.0.1", 3260, 1}}},
		{"eui.0123456789abcdef", []Portal{{"127.0.0.1", 3262, 2}}},
	}
	got, warnings, wait, err := sendTargetsAgainst(t, func(f *fakeTarget) error { return f.sendTargets(answer.Encode(), 8192, 0) })
	if err != nil {
		t.Fatalf("SendTargets() = %v, want success", err)
	}
	if err := wait(); err != nil {
		t.Errorf("target: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SendTargets() = %+v, want %+v", got, want)
	}
	for _, tg := range got {
		if err := validName(tg.Name); err != nil {
			t.Errorf("SendTargets() returned invalid name: %v", err)
		}
	}
	if len(warnings) != len(bad)+1 {
		t.Errorf("SendTargets() warned %d times, want %d: %q", len(warnings), len(bad)+1, warnings)
	}
	for _, w := range warnings {
		if strings.ContainsAny(w, "\n\r") {
			t.Errorf("warning %q contains a line break", w)
		}
	}
}

// TestSendTargetsContinued: a discovery session logs in, gets an answer
// split across several text responses (mid-pair, under one TTT) and
// logs out.
func TestSendTargetsContinued(t *testing.T) {
	want := []Target{
		{"iqn.2026-11.test:alpha", []Portal{{"127.0.0.1", 3260, 1}, {"127.0.0.1", 3261, 2}}},
		{"iqn.2026-11.test:beta", []Portal{{"127.0.0.1", 3260, 1}}},
		{"naa.0123456789abcdef0123456789abcdef", nil},
	}
	var answer Text
	for _, tg := range want {
		answer = append(answer, Pair{"TargetName", tg.Name})
		for _, p := range tg.Portals {
			answer = append(answer, Pair{"TargetAddress", fmt.Sprintf("%s:%d,%d", p.Addr, p.Port, p.TPGT)})
		}
	}
	target := func(f *fakeTarget) error {
		discovery := func(keys Text) error {
			if v, ok := keys.Get("SessionType"); ok && v != "Discovery" {
				return fmt.Errorf("SessionType=%q, want Discovery", v)
			}
			return nil
		}
		if err := f.operational(nil, discovery); err != nil {
			return err
		}
		if err := f.sendTargets(answer.Encode(), 37, 0x1234); err != nil {
			return err
		}
		return f.logout()
	}
	conn, wait := startTarget(t, target)
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	cfg := testConfig()
	cfg.Discovery, cfg.TargetName = true, ""
	res, err := Login(ctx, conn, cfg)
	if err != nil {
		t.Fatalf("Login() = %v, want success", err)
	}
	got, err := SendTargets(ctx, conn, res, validName, func(w string) { t.Errorf("unexpected warning %q", w) })
	if err != nil {
		t.Fatalf("SendTargets() = %v, want success", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SendTargets() = %+v, want %+v", got, want)
	}
	if err := Logout(ctx, conn, res, 0); err != nil {
		t.Errorf("Logout() = %v, want success", err)
	}
	if err := wait(); err != nil {
		t.Errorf("target: %v", err)
	}
}

// TestSendTargetsLarge: an answer of more pairs than login text may hold
// is accepted.
func TestSendTargetsLarge(t *testing.T) {
	const n = MaxPairs // 2n pairs
	var answer Text
	for i := range n {
		answer = append(answer, Pair{"TargetName", fmt.Sprintf("iqn.2026-11.test:t%05d", i)}, Pair{"TargetAddress", "127.0.0.1:3260,1"})
	}
	got, _, wait, err := sendTargetsAgainst(t, func(f *fakeTarget) error { return f.sendTargets(answer.Encode(), 8192, 9) })
	if err != nil {
		t.Fatalf("SendTargets() of %d targets = %v, want success", n, err)
	}
	if err := wait(); err != nil {
		t.Errorf("target: %v", err)
	}
	if len(got) != n || got[n-1].Name != fmt.Sprintf("iqn.2026-11.test:t%05d", n-1) {
		t.Errorf("SendTargets() returned %d targets, want %d", len(got), n)
	}
}

// answerText is a target that reads the text request and answers with
// the PDU edit makes of a final text response carrying data.
func answerText(data string, edit func(*PDU)) script {
	return func(f *fakeTarget) error {
		req, _, err := f.readOp(OpTextReq)
		if err != nil {
			return err
		}
		p := f.textPDU(req, FlagFinal, 0xffffffff, []byte(data))
		if edit != nil {
			edit(p)
		}
		if err := f.send(p); err != nil {
			return err
		}
		return f.drain()
	}
}

// endlessText answers every text request with "more to come".
func endlessText(f *fakeTarget) error {
	for {
		req, _, err := f.readOp(OpTextReq)
		if err != nil {
			return err
		}
		if err := f.textResp(req, FlagContinue, 5, nil); err != nil {
			return err
		}
	}
}

// TestSendTargetsHostileTarget: malformed answers end in errors.
func TestSendTargetsHostileTarget(t *testing.T) {
	const ok = "TargetName=iqn.2026-11.test:a\x00"
	tests := []struct {
		name   string
		target script
		want   errWant
	}{
		{"segment beyond our limit", answerText(strings.Repeat("x", 8193), nil), wantIs(ErrTooLarge)},
		{"reject", answerText("", func(p *PDU) { p.BHS.SetOpcode(OpReject, false) }), wantIs(ErrProtocol)},
		{"login response", answerText(ok, func(p *PDU) { p.BHS.SetOpcode(OpLoginResp, false) }), wantIs(ErrProtocol)},
		{"wrong ITT", answerText(ok, func(p *PDU) { p.BHS.SetITT(99) }), wantIs(ErrProtocol)},
		{"text without final NUL", answerText("TargetName=iqn.2026-11.test:a", nil), wantIs(ErrProtocol)},
		{"key without =", answerText("TargetName\x00", nil), wantIs(ErrProtocol)},
		{"value too long", func(f *fakeTarget) error {
			return f.sendTargets([]byte("TargetName="+strings.Repeat("x", MaxKeyValue+1)+"\x00"), 8192, 3)
		}, wantIs(ErrProtocol)},
		{"endless continuation", endlessText, wantIs(ErrProtocol)},
		{"truncated", func(f *fakeTarget) error {
			if _, _, err := f.readOp(OpTextReq); err != nil {
				return err
			}
			return f.write(make([]byte, 30))
		}, wantIs(io.ErrUnexpectedEOF)},
		{"never answers", func(f *fakeTarget) error { return f.drain() }, wantTimeout()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _, _, err := sendTargetsAgainst(t, tt.target)
			if err == nil || !tt.want.ok(err) {
				t.Errorf("SendTargets() = %+v, %v, want %s", got, err, tt.want.desc)
			}
		})
	}
}
