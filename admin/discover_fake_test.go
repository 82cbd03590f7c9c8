package admin

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// fakeTarget is a scripted iSCSI target on a loopback port. The i-th
// connection it accepts is played by the i-th script, the last script
// playing any further ones. verdicts stops the target and returns each
// connection's verdict on the initiator, in the order of the connections.
type fakeTarget struct {
	port     int
	verdicts func() []error
}

// script plays the target on one connection; its error is the target's
// verdict on the initiator.
type script func(*targetConn) error

// targetConn is the target's end of one connection.
type targetConn struct {
	net.Conn
	statSN uint32
}

// startFake listens on 127.0.0.1 and serves scripts until the test ends.
// Connections have a deadline, so that no script outlives the test.
func startFake(t *testing.T, scripts ...script) *fakeTarget {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var errs []*error // appended by the accept loop, each set by its connection's goroutine
	wg.Go(func() {
		for i := 0; ; i++ {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			verdict, s := new(error), scripts[min(i, len(scripts)-1)]
			errs = append(errs, verdict)
			wg.Go(func() {
				defer conn.Close()
				*verdict = s(&targetConn{Conn: conn, statSN: 0x100})
			})
		}
	})
	stop := sync.OnceValue(func() []error {
		_ = ln.Close()
		wg.Wait()
		var out []error
		for _, e := range errs {
			out = append(out, *e)
		}
		return out
	})
	t.Cleanup(func() { stop() })
	return &fakeTarget{port: ln.Addr().(*net.TCPAddr).Port, verdicts: stop}
}

func (f *fakeTarget) portal() string { return "127.0.0.1:" + strconv.Itoa(f.port) }

// Byte 1 of login responses that move to the next stage.
const (
	toOperational = login.FlagFinal | login.StageSecurity<<2 | login.StageOperational
	toFullFeature = login.FlagFinal | login.StageOperational<<2 | login.StageFullFeature
)

// read reads one PDU, which must have opcode op, and its text.
func (c *targetConn) read(op byte) (*login.PDU, login.Text, error) {
	p, err := login.ReadPDU(c, login.MaxTextData, login.Digests{})
	if err != nil {
		return nil, nil, err
	}
	if got := p.BHS.Opcode(); got != op {
		return nil, nil, fmt.Errorf("initiator sent opcode %#02x, want %#02x", got, op)
	}
	t, err := login.ParseText(p.Data, false)
	return p, t, err
}

// next replies to req as reply does and reads the next request, of
// opcode nextOp.
func (c *targetConn) next(req *login.PDU, op, flags byte, t login.Text, nextOp byte) (*login.PDU, login.Text, error) {
	if err := c.reply(req, op, flags, t); err != nil {
		return nil, nil, err
	}
	return c.read(nextOp)
}

// reply answers req with opcode op, byte 1 flags and text t; status, if
// given, is a login response's status class and detail.
func (c *targetConn) reply(req *login.PDU, op, flags byte, t login.Text, status ...byte) error {
	var p login.PDU
	p.BHS.SetOpcode(op, false)
	p.BHS[1] = flags
	switch op {
	case login.OpLoginResp:
		copy(p.BHS[8:14], req.BHS[8:14]) // ISID
		if flags == toFullFeature {
			p.BHS.Put16(14, 0x0100) // TSIH
		}
		copy(p.BHS[36:38], status)
	case login.OpTextResp:
		p.BHS.Put32(20, 0xffffffff)
	}
	p.BHS.SetITT(req.BHS.ITT())
	p.BHS.Put32(24, c.statSN)
	p.BHS.Put32(28, req.BHS.U32(24))
	p.BHS.Put32(32, req.BHS.U32(24)+8)
	p.Data = t.Encode()
	c.statSN++
	return login.WritePDU(c, &p, login.Digests{})
}

// chapCheck is the CHAP a target requires, and its own proof in mutual
// CHAP (when userIn is set); lie makes that proof wrong.
type chapCheck struct {
	user, secret, userIn, secretIn string
	lie                            bool
}

// chapMD5 is MD5(id || secret || challenge), computed here rather than
// with the login package.
func chapMD5(id byte, secret string, challenge []byte) string {
	h := md5.New()
	h.Write([]byte{id})
	h.Write([]byte(secret))
	h.Write(challenge)
	return "0x" + hex.EncodeToString(h.Sum(nil))
}

// security plays the Security stage from its first request on and
// returns the first request of the Operational stage.
func (c *targetConn) security(req *login.PDU, keys login.Text, ch *chapCheck) (*login.PDU, error) {
	if m, _ := keys.Get("AuthMethod"); !slices.Contains(strings.Split(m, ","), "CHAP") {
		return nil, fmt.Errorf("initiator offered AuthMethod=%q, want CHAP", m)
	}
	req, keys, err := c.next(req, login.OpLoginResp, 0, login.Text{{Key: "TargetPortalGroupTag", Value: "1"}, {Key: "AuthMethod", Value: "CHAP"}}, login.OpLoginReq)
	if err != nil {
		return nil, err
	}
	if a, _ := keys.Get("CHAP_A"); !slices.Contains(strings.Split(a, ","), "5") {
		return nil, fmt.Errorf("initiator offered CHAP_A=%q, want 5 among them", a)
	}
	challenge := []byte("sixteen byte chl")
	chal := login.Text{{Key: "CHAP_A", Value: "5"}, {Key: "CHAP_I", Value: "7"}, {Key: "CHAP_C", Value: "0x" + hex.EncodeToString(challenge)}}
	if req, keys, err = c.next(req, login.OpLoginResp, 0, chal, login.OpLoginReq); err != nil {
		return nil, err
	}
	n, _ := keys.Get("CHAP_N")
	r, _ := keys.Get("CHAP_R")
	if want := chapMD5(7, ch.secret, challenge); n != ch.user || r != want {
		_ = c.reply(req, login.OpLoginResp, 0, nil, 2, 1)
		return nil, fmt.Errorf("initiator answered CHAP_N=%q CHAP_R=%s, want %q %s", n, r, ch.user, want)
	}
	var proof login.Text
	if ch.userIn != "" {
		iStr, _ := keys.Get("CHAP_I")
		cStr, _ := keys.Get("CHAP_C")
		id, err := strconv.ParseUint(iStr, 10, 8)
		theirs, _ := hex.DecodeString(strings.TrimPrefix(cStr, "0x"))
		if err != nil || len(theirs) < 16 {
			return nil, fmt.Errorf("initiator challenged with CHAP_I=%q CHAP_C=%q", iStr, cStr)
		}
		if ch.lie {
			theirs[0] ^= 1
		}
		proof = login.Text{{Key: "CHAP_N", Value: ch.userIn}, {Key: "CHAP_R", Value: chapMD5(byte(id), ch.secretIn, theirs)}}
	}
	req, _, err = c.next(req, login.OpLoginResp, toOperational, proof, login.OpLoginReq)
	return req, err
}

// discoveryScript logs a discovery session in (with CHAP when ch is
// set), answers SendTargets=All with answer, then the logout.
func discoveryScript(ch *chapCheck, answer login.Text) script {
	return func(c *targetConn) error {
		req, keys, err := c.read(login.OpLoginReq)
		if err != nil {
			return err
		}
		if v, _ := keys.Get("SessionType"); v != "Discovery" {
			return fmt.Errorf("initiator asked for SessionType=%q, want Discovery", v)
		}
		if ch != nil {
			if req, err = c.security(req, keys, ch); err != nil {
				return err
			}
		}
		op := login.Text{{Key: "TargetPortalGroupTag", Value: "1"}, {Key: "MaxRecvDataSegmentLength", Value: "8192"}}
		if req, keys, err = c.next(req, login.OpLoginResp, toFullFeature, op, login.OpTextReq); err != nil {
			return err
		}
		if v, _ := keys.Get("SendTargets"); v != "All" {
			return fmt.Errorf("initiator sent %q, want SendTargets=All", keys)
		}
		if req, _, err = c.next(req, login.OpTextResp, login.FlagFinal, answer, login.OpLogoutReq); err != nil {
			return err
		}
		return c.reply(req, login.OpLogoutResp, login.FlagFinal, nil)
	}
}

// targets is a SendTargets answer listing names, each at portal with
// portal group 1.
func targets(portal string, names ...string) login.Text {
	var t login.Text
	for _, n := range names {
		t = append(t, login.Pair{Key: "TargetName", Value: n}, login.Pair{Key: "TargetAddress", Value: portal + ",1"})
	}
	return t
}

// stLines is the output of discovering names at portal.
func stLines(portal string, names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s,1 %s\n", portal, n)
	}
	return b.String()
}

// nodeFiles lists the node records under root, relative to root/nodes.
func nodeFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	dir := filepath.Join(root, "nodes")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// wantNodes is the node record files discovery of names at 127.0.0.1:port
// writes, in nodeFiles' order.
func wantNodes(port int, names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, filepath.Join(n, "127.0.0.1,"+strconv.Itoa(port)+",1", "default"))
	}
	slices.Sort(out)
	return out
}

// discoveryDB creates the discovery record of portal and sets the
// name/value pairs of settings on it.
func discoveryDB(t *testing.T, root, portal string, settings ...string) {
	t.Helper()
	steps := [][]string{{"-m", "discoverydb", "-t", "st", "-p", portal, "-o", "new"}}
	for i := 0; i+1 < len(settings); i += 2 {
		steps = append(steps, []string{"-m", "discoverydb", "-t", "st", "-p", portal, "-o", "update", "-n", settings[i], "-v", settings[i+1]})
	}
	for _, args := range steps {
		if stdout, stderr, st := runAdmin(t, root, args...); st != 0 {
			t.Fatalf("iscsiadm %s = %d (stdout %q, stderr %q), want 0", strings.Join(args, " "), st, stdout, stderr)
		}
	}
}

const stFailed = "iscsiadm: Could not perform SendTargets discovery: "

// lastLine is the last line of s, without its newline.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestDiscoverFakeCHAP discovers through one-way and mutual CHAP set on
// the discovery record, and fails when either side proves wrong.
func TestDiscoverFakeCHAP(t *testing.T) {
	const user, secret, userIn, secretIn = "disc-user", "out-secret-0123", "disc-target", "in-secret-4567"
	names := []string{"iqn.2026-11.test:zeta", "iqn.2026-11.test:alpha", "iqn.2026-11.test:mid"}
	oneWay := []string{"discovery.sendtargets.auth.authmethod", "CHAP",
		"discovery.sendtargets.auth.username", user, "discovery.sendtargets.auth.password", secret}
	mutual := append(slices.Clone(oneWay), "discovery.sendtargets.auth.username_in", userIn,
		"discovery.sendtargets.auth.password_in", secretIn)
	tests := []struct {
		name     string
		settings []string
		target   chapCheck
		discover []string // the discovery command, the portal appended
		status   int      // the exit status
		last     string   // the last stderr line on failure
		verdict  string   // in the target's verdict; "" wants none
	}{
		{"one-way", oneWay, chapCheck{user: user, secret: secret},
			[]string{"-m", "discoverydb", "-t", "st", "-D", "-p"}, 0, "", ""},
		{"mutual", mutual, chapCheck{user: user, secret: secret, userIn: userIn, secretIn: secretIn},
			[]string{"-m", "discovery", "-t", "st", "-p"}, 0, "", ""},
		{"mutual, target proves wrong", mutual, chapCheck{user: user, secret: secret, userIn: userIn, secretIn: secretIn, lie: true},
			[]string{"-m", "discovery", "-t", "st", "-p"}, 19,
			stFailed + "encountered non-retryable iSCSI login failure", "EOF"},
		{"wrong secret", oneWay, chapCheck{user: user, secret: "other-secret-89"},
			[]string{"-m", "discoverydb", "-t", "st", "-D", "-p"}, 24,
			stFailed + "iSCSI login failed due to authorization failure", "CHAP_R"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := startFake(t, func(c *targetConn) error {
				return discoveryScript(&tt.target, targets(c.LocalAddr().String(), names...))(c)
			})
			root := newRoot(t)
			discoveryDB(t, root, tg.portal(), tt.settings...)
			args := append(slices.Clone(tt.discover), tg.portal())
			stdout, stderr, st := runAdmin(t, root, args...)
			verdicts := tg.verdicts()
			for _, s := range []string{secret, secretIn, tt.target.secret} {
				if strings.Contains(stdout+stderr, s) {
					t.Errorf("iscsiadm %s printed a CHAP secret: stdout %q, stderr %q", strings.Join(args, " "), stdout, stderr)
				}
			}
			if tt.status == 0 {
				if want := stLines(tg.portal(), names...); st != 0 || stdout != want || stderr != "" {
					t.Errorf("iscsiadm %s = %d, %q, %q, want 0, %q, \"\"", strings.Join(args, " "), st, stdout, stderr, want)
				}
				if got, want := nodeFiles(t, root), wantNodes(tg.port, names...); !slices.Equal(got, want) {
					t.Errorf("node records after discovery = %q, want %q", got, want)
				}
			} else {
				if st != tt.status || stdout != "" || lastLine(stderr) != tt.last {
					t.Errorf("iscsiadm %s = %d, %q, %q, want %d, \"\", ending %q", strings.Join(args, " "), st, stdout, stderr, tt.status, tt.last)
				}
				if got := nodeFiles(t, root); len(got) != 0 {
					t.Errorf("node records after failed discovery = %q, want none", got)
				}
			}
			if len(verdicts) != 1 || (tt.verdict == "") != (verdicts[0] == nil) || verdicts[0] != nil && !strings.Contains(verdicts[0].Error(), tt.verdict) {
				t.Errorf("target verdicts = %v, want one %q", verdicts, tt.verdict)
			}
		})
	}
}

// TestDiscoverFakeHostileNames: a SendTargets answer full of names and
// addresses that could escape the record root or forge record lines has
// only its valid target printed and written.
func TestDiscoverFakeHostileNames(t *testing.T) {
	const ok = "iqn.2026-11.test:ok"
	tg := startFake(t, func(c *targetConn) error {
		p := c.LocalAddr().String()
		answer := targets(p, "../../evil", "iqn.2026-11.test:a/../../../evil", "iqn.2026-11.test:evil/x")
		answer = append(answer, targets(p, ok)...)
		answer = append(answer, login.Pair{Key: "TargetAddress", Value: "..:3260,1"},
			login.Pair{Key: "TargetAddress", Value: "../evil:3260,1"},
			login.Pair{Key: "TargetAddress", Value: p + ",1\nnode.startup = automatic"})
		answer = append(answer, targets(p, "iqn.2026-11.test:evil\nnode.startup = automatic",
			"iqn.2026-11.test:evil"+strings.Repeat("x", 400-len("iqn.2026-11.test:evil")), ".", "..")...)
		return discoveryScript(nil, answer)(c)
	})
	tmp := filepath.Dir(t.TempDir())
	evilBefore := evilIn(t, filepath.Dir(tmp))
	base := t.TempDir()
	root := filepath.Join(base, "iscsi")
	if err := os.CopyFS(root, os.DirFS(newRoot(t))); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, st := runAdmin(t, root, "-m", "discovery", "-t", "st", "-p", tg.portal())
	if want := stLines(tg.portal(), ok); st != 0 || stdout != want {
		t.Errorf("iscsiadm -m discovery -t st -p %s = %d, %q (stderr %q), want 0, %q", tg.portal(), st, stdout, stderr, want)
	}
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "iscsiadm: ") {
			t.Errorf("stderr line %q does not start with \"iscsiadm: \" (forged by a target name?)", line)
		}
	}
	if got, want := nodeFiles(t, root), wantNodes(tg.port, ok); !slices.Equal(got, want) {
		t.Errorf("node records = %q, want %q", got, want)
	}
	err := filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(tmp, p)
		if strings.Contains(rel, "evil") || strings.Contains(rel, "..") || strings.Contains(rel, "\n") {
			t.Errorf("discovery of hostile names created %q", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := evilIn(t, filepath.Dir(tmp)); !slices.Equal(got, evilBefore) {
		t.Errorf("entries named evil in %s = %q, want %q as before discovery", filepath.Dir(tmp), got, evilBefore)
	}
	if v := tg.verdicts(); len(v) != 1 || v[0] != nil {
		t.Errorf("target verdicts = %v, want one nil", v)
	}
}

// evilIn lists the entries of dir whose names contain "evil".
func evilIn(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.Contains(e.Name(), "evil") {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestDiscoverFakeRedirect follows a login redirection to a second portal.
func TestDiscoverFakeRedirect(t *testing.T) {
	names := []string{"iqn.2026-11.test:moved-b", "iqn.2026-11.test:moved-a"}
	second := startFake(t, func(c *targetConn) error {
		return discoveryScript(nil, targets(c.LocalAddr().String(), names...))(c)
	})
	first := startFake(t, func(c *targetConn) error {
		req, _, err := c.read(login.OpLoginReq)
		if err != nil {
			return err
		}
		return c.reply(req, login.OpLoginResp, 0, login.Text{{Key: "TargetAddress", Value: second.portal() + ",1"}}, 1, 1)
	})
	root := newRoot(t)
	stdout, stderr, st := runAdmin(t, root, "-m", "discovery", "-t", "st", "-p", first.portal())
	if want := stLines(second.portal(), names...); st != 0 || stdout != want || stderr != "" {
		t.Errorf("iscsiadm -m discovery -t st -p %s = %d, %q, %q, want 0, %q, \"\"", first.portal(), st, stdout, stderr, want)
	}
	if got, want := nodeFiles(t, root), wantNodes(second.port, names...); !slices.Equal(got, want) {
		t.Errorf("node records = %q, want %q", got, want)
	}
	for _, tg := range []*fakeTarget{first, second} {
		if v := tg.verdicts(); len(v) != 1 || v[0] != nil {
			t.Errorf("target %s verdicts = %v, want one nil", tg.portal(), v)
		}
	}
}

// TestDiscoverFakeTargetError: a target error (status class 3) is
// retried; the second login succeeds. A target that keeps failing gives
// up after reopen_max more tries.
func TestDiscoverFakeTargetError(t *testing.T) {
	names := []string{"iqn.2026-11.test:busy"}
	unavailable := func(c *targetConn) error {
		req, _, err := c.read(login.OpLoginReq)
		if err != nil {
			return err
		}
		return c.reply(req, login.OpLoginResp, 0, nil, 3, 1)
	}
	tg := startFake(t, unavailable, func(c *targetConn) error {
		return discoveryScript(nil, targets(c.LocalAddr().String(), names...))(c)
	})
	root := newRoot(t)
	stdout, stderr, st := runAdmin(t, root, "-m", "discovery", "-t", "st", "-p", tg.portal())
	wantErr := "iscsiadm: discovery login to 127.0.0.1 rejected: target error (03/01)\n"
	if want := stLines(tg.portal(), names...); st != 0 || stdout != want || stderr != wantErr {
		t.Errorf("iscsiadm -m discovery -t st -p %s = %d, %q, %q, want 0, %q, %q", tg.portal(), st, stdout, stderr, want, wantErr)
	}

	always := startFake(t, unavailable)
	root = newRoot(t)
	discoveryDB(t, root, always.portal(), "discovery.sendtargets.reopen_max", "1")
	_, stderr, st = runAdmin(t, root, "-m", "discoverydb", "-t", "st", "-p", always.portal(), "-D")
	if st != int(iscsierr.Login) || strings.Count(stderr, "target error (03/01)") != 2 || !strings.HasPrefix(lastLine(stderr), stFailed) {
		t.Errorf("discovery against a target that stays unavailable = %d, %q, want %d after two tries", st, stderr, iscsierr.Login)
	}
}

// TestDiscoverFakeRefused: a closed port is tried reopen_max more times,
// then discovery fails with a connection failure.
func TestDiscoverFakeRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	portal := ln.Addr().String()
	ln.Close()
	root := newRoot(t)
	discoveryDB(t, root, portal, "discovery.sendtargets.reopen_max", "2")
	stdout, stderr, st := runAdmin(t, root, "-m", "discovery", "-t", "st", "-p", portal)
	want := strings.Repeat("iscsiadm: cannot make connection to 127.0.0.1: Connection refused\n", 3) +
		"iscsiadm: connection login retries (reopen_max) 2 exceeded\n" +
		stFailed + "encountered connection failure\n"
	if st != 4 || stdout != "" || stderr != want {
		t.Errorf("iscsiadm -m discovery -t st -p %s = %d, %q, %q, want 4, \"\", %q", portal, st, stdout, stderr, want)
	}
	if got := nodeFiles(t, root); len(got) != 0 {
		t.Errorf("node records = %q, want none", got)
	}
}

// TestDiscoverFakeSilent: a target that never answers the login is given
// up on after the discovery record's login timeout.
func TestDiscoverFakeSilent(t *testing.T) {
	tg := startFake(t, func(c *targetConn) error {
		if _, _, err := c.read(login.OpLoginReq); err != nil {
			return err
		}
		_, err := io.Copy(io.Discard, c)
		return err
	})
	root := newRoot(t)
	discoveryDB(t, root, tg.portal(), "discovery.sendtargets.timeo.login_timeout", "1",
		"discovery.sendtargets.timeo.auth_timeout", "0")
	start := time.Now()
	stdout, stderr, st := runAdmin(t, root, "-m", "discovery", "-t", "st", "-p", tg.portal())
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("discovery from a silent target took %v, want under 5s", d)
	}
	if want := stFailed + "connection timed out"; st != 8 || stdout != "" || lastLine(stderr) != want {
		t.Errorf("iscsiadm -m discovery -t st -p %s = %d, %q, %q, want 8, \"\", ending %q", tg.portal(), st, stdout, stderr, want)
	}
	if got := nodeFiles(t, root); len(got) != 0 {
		t.Errorf("node records = %q, want none", got)
	}
}

// TestDiscoverFakeGarbage: bytes that are not a login response fail the
// discovery cleanly.
func TestDiscoverFakeGarbage(t *testing.T) {
	bhs := func(op byte, dataLen int, tail string) []byte {
		b := make([]byte, login.BHSLen)
		b[0], b[1] = op, toFullFeature
		b[5], b[6], b[7] = byte(dataLen>>16), byte(dataLen>>8), byte(dataLen)
		return append(b, tail...)
	}
	tests := []struct {
		name  string
		bytes []byte
	}{
		{"http", []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")},
		{"all ones", []byte(strings.Repeat("\xff", 64))},
		{"huge data segment", bhs(login.OpLoginResp, 0xffffff, "")},
		{"truncated data", bhs(login.OpLoginResp, 100, "TargetPortalGroupTag=1")},
		{"text without NUL", bhs(login.OpLoginResp, 8, "garbage!")},
		{"text response", bhs(login.OpTextResp, 0, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := startFake(t, func(c *targetConn) error {
				if _, _, err := c.read(login.OpLoginReq); err != nil {
					return err
				}
				_, err := c.Write(tt.bytes)
				return err
			})
			root := newRoot(t)
			stdout, stderr, st := runAdmin(t, root, "-m", "discovery", "-t", "st", "-p", tg.portal())
			if st == 0 || stdout != "" || !strings.HasPrefix(lastLine(stderr), stFailed) {
				t.Errorf("iscsiadm -m discovery -t st -p %s = %d, %q, %q, want failure ending %q…", tg.portal(), st, stdout, stderr, stFailed)
			}
			if got := nodeFiles(t, root); len(got) != 0 {
				t.Errorf("node records = %q, want none", got)
			}
		})
	}
}
