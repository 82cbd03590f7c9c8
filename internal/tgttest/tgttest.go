// Package tgttest runs the Linux SCSI target framework (Debian's tgt) as
// a real iSCSI target for tests: one private tgtd per test, listening on
// 127.0.0.1 on a port of its own, with its own management socket, so
// tests never touch a target the machine runs and never send traffic
// beyond loopback. StartAt runs it instead inside a network namespace
// the test made, on an address there. Tests that need it are skipped,
// saying why, when the machine lacks root or tgt.
package tgttest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Target is a running tgtd.
type Target struct {
	t     testing.TB
	Addr  string // 127.0.0.1, or the address given to StartAt
	Port  int
	NetNS string // network namespace tgtd runs in; "" for the host's
	ctl   string // management port, as tgtadm -C takes it
	cmd   *exec.Cmd
	log   *syncBuf
}

// Available reports why tgt cannot be used here, or "" when it can.
func Available() string {
	if os.Geteuid() != 0 {
		return "host tier: tgtd needs root"
	}
	for _, p := range []string{"tgtd", "tgtadm"} {
		if _, err := exec.LookPath(p); err != nil {
			return "host tier: tgt is not installed (apt-get install tgt)"
		}
	}
	return ""
}

// Start runs a tgtd for the test and stops it at the test's end. It
// skips the test when Available says tgt cannot run.
func Start(t testing.TB) *Target {
	t.Helper()
	if why := Available(); why != "" {
		t.Skip(why)
	}
	return start(t, "", "127.0.0.1", freePort(t))
}

// StartAt runs a tgtd inside the network namespace netns (through "ip
// netns exec"), listening on addr:port, an address that namespace
// already has; it stops at the test's end. Its management socket is a
// file, reached from the host as for Start. It skips the test when
// Available says tgt cannot run.
func StartAt(t testing.TB, netns, addr string, port int) *Target {
	t.Helper()
	if why := Available(); why != "" {
		t.Skip(why)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("host tier: ip (iproute2) is not installed")
	}
	return start(t, netns, addr, port)
}

func start(t testing.TB, netns, addr string, port int) *Target {
	t.Helper()
	seed := port
	if netns != "" {
		seed = port + os.Getpid()
	}
	tg := &Target{t: t, Addr: addr, Port: port, NetNS: netns, ctl: controlPort(seed), log: &syncBuf{}}
	args := []string{"tgtd", "-f", "-C", tg.ctl, "--iscsi", fmt.Sprintf("portal=%s", tg.Portal())}
	if netns != "" {
		args = append([]string{"ip", "netns", "exec", netns}, args...)
	}
	tg.cmd = exec.Command(args[0], args[1:]...)
	tg.cmd.Stdout, tg.cmd.Stderr = tg.log, tg.log
	if err := tg.cmd.Start(); err != nil {
		t.Fatalf("starting tgtd: %v", err)
	}
	t.Cleanup(tg.stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := tg.adm("--mode", "target", "--op", "show"); err == nil && tg.listening() {
			return tg
		}
		if time.Now().After(deadline) {
			t.Fatalf("tgtd did not come up on %s within 10s; its log:\n%s", tg.Portal(), tg.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort picks a loopback port nobody listens on.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// controlPort picks tgtd's management port (tgtd takes 0 to 32767; it
// names the socket /var/run/tgtd/socket.N) from the iSCSI port, avoiding
// one in use.
func controlPort(port int) string {
	n := 1000 + port%30000
	for i := 0; i < 100; i++ {
		c := strconv.Itoa(1000 + (n-1000+i)%30000)
		if _, err := os.Stat(filepath.Join(controlDir, "socket."+c)); err != nil {
			return c
		}
	}
	return strconv.Itoa(n)
}

// controlDir is where tgtd puts its management sockets.
const controlDir = "/var/run/tgtd"

func (tg *Target) listening() bool {
	if tg.NetNS != "" {
		return listeningIn(tg.cmd.Process.Pid, tg.Addr, tg.Port)
	}
	c, err := net.DialTimeout("tcp", tg.Portal(), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func (tg *Target) stop() {
	if tg.cmd.Process == nil {
		return
	}
	_ = tg.cmd.Process.Kill()
	_ = tg.cmd.Wait()
	// tgtd leaves its management socket and lock behind when killed.
	for _, suffix := range []string{"", ".lock"} {
		_ = os.Remove(filepath.Join(controlDir, "socket."+tg.ctl+suffix))
	}
}

// Portal is "addr:port", as tgtd and iscsiadm -p take it.
func (tg *Target) Portal() string { return net.JoinHostPort(tg.Addr, strconv.Itoa(tg.Port)) }

// adm runs tgtadm against this tgtd.
func (tg *Target) adm(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "tgtadm", append([]string{"-C", tg.ctl, "--lld", "iscsi"}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("tgtadm %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Adm runs tgtadm and fails the test on error.
func (tg *Target) Adm(args ...string) string {
	tg.t.Helper()
	out, err := tg.adm(args...)
	if err != nil {
		tg.t.Fatal(err)
	}
	return out
}

// AddTarget creates target tid named name, open to every initiator.
func (tg *Target) AddTarget(tid int, name string) {
	tg.t.Helper()
	id := strconv.Itoa(tid)
	tg.Adm("--mode", "target", "--op", "new", "--tid", id, "--targetname", name)
	tg.Adm("--mode", "target", "--op", "bind", "--tid", id, "--initiator-address", "ALL")
}

// AddLUN backs LUN lun of target tid with the file at path.
func (tg *Target) AddLUN(tid, lun int, path string) {
	tg.t.Helper()
	tg.Adm("--mode", "logicalunit", "--op", "new", "--tid", strconv.Itoa(tid), "--lun", strconv.Itoa(lun), "--backing-store", path)
}

// AddAccount creates a CHAP account.
func (tg *Target) AddAccount(user, password string) {
	tg.t.Helper()
	tg.Adm("--mode", "account", "--op", "new", "--user", user, "--password", password)
}

// BindAccount makes target tid require user's CHAP (incoming), or prove
// itself with it (outgoing: mutual CHAP). Target 0 is discovery.
func (tg *Target) BindAccount(tid int, user string, outgoing bool) {
	tg.t.Helper()
	args := []string{"--mode", "account", "--op", "bind", "--tid", strconv.Itoa(tid), "--user", user}
	if outgoing {
		args = append(args, "--outgoing")
	}
	tg.Adm(args...)
}

// Log is what tgtd printed so far.
func (tg *Target) Log() string { return tg.log.String() }

// syncBuf collects tgtd's output, written by exec's copying goroutine.
type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
