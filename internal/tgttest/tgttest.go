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

// Target is a running tgtd. Stop and Restart may be called from any
// goroutine (a vmtest OnMark function, say), also while another calls
// its configuration methods.
type Target struct {
	t     testing.TB
	Addr  string // 127.0.0.1, or the address given to StartAt
	Port  int
	NetNS string // network namespace tgtd runs in; "" for the host's
	log   *syncBuf

	mu    sync.Mutex // serializes tgtadm calls, Stop and Restart
	ctl   string     // management port, as tgtadm -C takes it
	cmd   *exec.Cmd  // the running tgtd; nil once stopped
	calls [][]string // the tgtadm configuration calls made, replayed by Restart
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
	t.Cleanup(tg.cleanup)
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if err := tg.launch(tg.Portal()); err != nil {
		t.Fatal(err)
	}
	return tg
}

// launch starts tgtd with its iSCSI portal on portal and waits until it
// answers tgtadm and, if portal is tg.Portal(), listens there. tg.mu is
// held.
func (tg *Target) launch(portal string) error {
	args := []string{"tgtd", "-f", "-C", tg.ctl, "--iscsi", "portal=" + portal}
	if tg.NetNS != "" {
		args = append([]string{"ip", "netns", "exec", tg.NetNS}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = tg.log, tg.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting tgtd: %w", err)
	}
	tg.cmd = cmd
	return tg.await(func() bool {
		_, err := tg.adm("--mode", "target", "--op", "show")
		return err == nil && (portal != tg.Portal() || tg.listening())
	})
}

// await waits up to 10 s for ready, killing tgtd if it never is.
func (tg *Target) await(ready func() bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for !ready() {
		if time.Now().After(deadline) {
			tg.kill()
			return fmt.Errorf("tgtd did not come up on %s within 10s; its log:\n%s", tg.Portal(), tg.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
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

// listening reports whether tgtd listens on its portal.
func (tg *Target) listening() bool {
	if tg.NetNS != "" {
		return listeningIn(tg.cmd.Process.Pid, tg.Addr, tg.Port)
	}
	return dialable(tg.Portal())
}

// dialable reports whether a TCP connect to the host's addr succeeds.
func dialable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// closed reports whether nothing listens on the portal any more (inside
// the namespace, asked through a process started there).
func (tg *Target) closed() bool {
	if tg.NetNS == "" {
		return !dialable(tg.Portal())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", tg.NetNS, "cat", "/proc/net/tcp").Output()
	return err == nil && !listensOn(string(out), tg.Addr, tg.Port)
}

// kill kills tgtd (SIGKILL) and waits for it to exit. tg.mu is held.
func (tg *Target) kill() {
	if tg.cmd == nil {
		return
	}
	if tg.cmd.Process != nil {
		_ = tg.cmd.Process.Kill()
		_ = tg.cmd.Wait()
	}
	tg.cmd = nil
}

// removeSocket removes the management socket and lock tgtd leaves
// behind when killed.
func (tg *Target) removeSocket() {
	for _, suffix := range []string{"", ".lock"} {
		_ = os.Remove(filepath.Join(controlDir, "socket."+tg.ctl+suffix))
	}
}

// cleanup stops whatever tgtd runs at the test's end.
func (tg *Target) cleanup() {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.kill()
	tg.removeSocket()
}

// Stop kills tgtd (SIGKILL, as a crash or power loss would: initiators
// see their connections reset, or no answer) and returns once it has
// exited and nothing listens on its portal; a stopped Target refuses
// connections. Restart brings it back. Stopping a stopped Target does
// nothing. Failures are reported with t.Errorf, which is safe from any
// goroutine.
func (tg *Target) Stop() {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.kill()
	// The management socket stays, unused, until Restart or the test's
	// end, so that no other tgtd takes its number meanwhile (tgtd
	// replaces the file when it starts).
	deadline := time.Now().Add(5 * time.Second)
	for !tg.closed() {
		if time.Now().After(deadline) {
			tg.t.Errorf("tgttest: %s still listened on 5s after tgtd was killed", tg.Portal())
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Restart stops tgtd if it runs, starts it again on the same address,
// port and namespace (and management port), and replays every
// configuration made through AddTarget, AddLUN, AddAccount, BindAccount
// and Adm, in order, so that it serves the same targets, LUNs (the same
// backing files, hence the same contents) and accounts as before.
// Sessions are not restored: initiators must log in again. The portal
// refuses connections until the configuration is complete (tgtd listens
// on an unused port meanwhile), so an initiator retrying its connection
// never finds a half-configured target. Restart returns once it is
// ready. Failures are reported with t.Errorf (safe from any goroutine,
// such as a vmtest OnMark function), not Fatal; the test's end stops
// the restarted tgtd as it would have the first.
func (tg *Target) Restart(t testing.TB) {
	t.Helper()
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.kill()
	if err := tg.relaunch(); err != nil {
		tg.kill()
		t.Errorf("tgttest: restarting tgtd: %v", err)
	}
}

// relaunch is Restart's work. tg.mu is held.
func (tg *Target) relaunch() error {
	// Port 0: the kernel picks a port, which nobody dials.
	if err := tg.launch(net.JoinHostPort(tg.Addr, "0")); err != nil {
		return err
	}
	for _, args := range tg.calls {
		if _, err := tg.adm(args...); err != nil {
			return fmt.Errorf("replaying the configuration: %w", err)
		}
	}
	out, err := tg.adm("--mode", "portal", "--op", "show")
	if err != nil {
		return err
	}
	// "Portal: 10.0.2.100:40823,1"
	temp, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(out), "Portal:")), ",")
	if _, err := tg.adm("--mode", "portal", "--op", "delete", "--param", "portal="+temp); err != nil {
		return err
	}
	if _, err := tg.adm("--mode", "portal", "--op", "new", "--param", "portal="+tg.Portal()); err != nil {
		return err
	}
	return tg.await(tg.listening)
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

// Adm runs tgtadm and fails the test on error. Calls that change the
// configuration (all but --op show) are recorded for Restart to replay.
func (tg *Target) Adm(args ...string) string {
	tg.t.Helper()
	tg.mu.Lock()
	out, err := tg.adm(args...)
	if err == nil && !isQuery(args) {
		tg.calls = append(tg.calls, append([]string(nil), args...))
	}
	tg.mu.Unlock()
	if err != nil {
		tg.t.Fatal(err)
	}
	return out
}

// isQuery reports whether tgtadm args only read the configuration.
func isQuery(args []string) bool {
	for i, a := range args {
		if (a == "--op" || a == "-o") && i+1 < len(args) {
			return args[i+1] == "show" || args[i+1] == "stat"
		}
		if a == "--op=show" || a == "--op=stat" {
			return true
		}
	}
	return false
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
