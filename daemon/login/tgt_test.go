package login

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/internal/tgttest"
)

// TestTgtLogin logs a normal session in to a real target (tgt, on
// loopback) up to Full Feature Phase with no authentication, one-way and
// mutual CHAP, and checks that a wrong secret is exit status 24. tgt
// speaks CHAP with MD5 only, and reads only the first value of CHAP_A
// (it rejects "7,5" outright): the SHA algorithms are covered by
// known-answer tests and the scripted target instead.
func TestTgtLogin(t *testing.T) {
	tg := tgttest.Start(t)
	const (
		open   = "iqn.2026-11.test:open"
		oneway = "iqn.2026-11.test:oneway"
		mutual = "iqn.2026-11.test:mutual"
	)
	tg.AddTarget(1, open)
	tg.AddTarget(2, oneway)
	tg.AddTarget(3, mutual)
	tg.AddAccount("tbuser", "tbsecret12345")
	tg.AddAccount("tbtarget", "tbmutual67890")
	tg.BindAccount(2, "tbuser", false)
	tg.BindAccount(3, "tbuser", false)
	tg.BindAccount(3, "tbtarget", true)

	chap := Auth{Method: "CHAP", Username: "tbuser", Password: "tbsecret12345"}
	mutualAuth := chap
	mutualAuth.UsernameIn, mutualAuth.PasswordIn = "tbtarget", "tbmutual67890"
	wrong := chap
	wrong.Password = "not-the-secret"
	badTarget := mutualAuth
	badTarget.PasswordIn = "not-the-target-secret"
	tests := []struct {
		name   string
		target string
		auth   Auth
		code   iscsierr.Code // 0: success
	}{
		{"none", open, Auth{Method: "None"}, 0},
		{"one-way", oneway, chap, 0},
		{"mutual", mutual, mutualAuth, 0},
		{"mutual, SHA-256 offered too", mutual, withAlgs(mutualAuth, ChapMD5, ChapSHA256), 0},
		{"no credentials for a CHAP target", oneway, Auth{Method: "None"}, iscsierr.LoginAuthFailed},
		{"wrong secret", oneway, wrong, iscsierr.LoginAuthFailed},
		{"target fails mutual", mutual, badTarget, iscsierr.FatalLogin},
		{"unknown target", "iqn.2026-11.test:nonexistent", Auth{Method: "None"}, iscsierr.FatalLogin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tgtLogin(t, tg, tt.target, tt.auth)
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("Login(%s) = %v, want Full Feature Phase", tt.target, err)
				}
				if res.TSIH == 0 || res.Params.MaxRecvDataSegmentLength == 0 {
					t.Errorf("Login(%s) = %+v, want a TSIH and negotiated parameters", tt.target, res)
				}
				return
			}
			var coder interface{ Code() iscsierr.Code }
			if !errors.As(err, &coder) || coder.Code() != tt.code {
				t.Fatalf("Login(%s) = %v, want an error with exit status %d", tt.target, err, tt.code)
			}
			if err != nil && containsSecret(err.Error()) {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
}

func withAlgs(a Auth, algs ...ChapAlg) Auth {
	a.Algs = algs
	return a
}

func containsSecret(s string) bool {
	for _, secret := range []string{"tbsecret12345", "tbmutual67890", "not-the-secret", "not-the-target-secret"} {
		if strings.Contains(s, secret) {
			return true
		}
	}
	return false
}

// tgtLogin connects to tg and logs in to target with open-iscsi's
// default operational offer, then logs out.
func tgtLogin(t *testing.T, tg *tgttest.Target, target string, auth Auth) (*Result, error) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", tg.Portal(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := Config{
		InitiatorName: "iqn.2026-11.test:guest", TargetName: target,
		ISID: [6]byte{0x00, 0x02, 0x3d, 0x01, 0x00, 0x00}, CmdSN: 1, Auth: auth,
		Operational: Offer(nil, true),
	}
	res, err := Login(ctx, conn, cfg)
	if err != nil {
		return nil, err
	}
	if err := Logout(ctx, conn, res, 0); err != nil {
		t.Errorf("Logout after login to %s: %v", target, err)
	}
	return res, nil
}
