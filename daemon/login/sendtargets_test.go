package login

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

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
