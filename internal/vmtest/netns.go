package vmtest

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Addresses of the guest's network, all inside the VM's namespace.
const (
	GuestAddr    = "10.0.2.15"  // the guest's eth0
	HostAddr     = "10.0.2.2"   // the namespace's end of the tap device
	TargetAddr   = "10.0.2.100" // where tests run tgtd (StartTarget)
	TargetPort   = 3260
	tapName      = "tap0"
	netnsPrefix  = "goiscsi-vm-"
	maxNamespace = 100 // namespaces tried per process
)

// makeNetNS creates a network namespace named goiscsi-vm-PID (or
// goiscsi-vm-PID-N when this process has one already) holding a tap
// device with HostAddr and TargetAddr on it, and removes it, after
// killing whatever still runs in it, when the test ends.
func makeNetNS(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	var name string
	for i := 0; name == ""; i++ {
		if i == maxNamespace {
			t.Fatalf("vmtest: no free namespace name %s%d-N", netnsPrefix, os.Getpid())
		}
		n := netnsPrefix + strconv.Itoa(os.Getpid())
		if i > 0 {
			n += "-" + strconv.Itoa(i)
		}
		if _, err := os.Stat("/run/netns/" + n); err == nil {
			continue
		}
		if _, err := run(ctx, "", 30*time.Second, "ip", "netns", "add", n); err != nil {
			t.Fatalf("vmtest: %v", err)
		}
		name = n
	}
	t.Cleanup(func() { removeNetNS(t, name) })
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"tuntap", "add", "dev", tapName, "mode", "tap"},
		{"addr", "add", HostAddr + "/24", "dev", tapName},
		{"addr", "add", TargetAddr + "/24", "dev", tapName},
		{"link", "set", tapName, "up"},
	} {
		if _, err := run(ctx, "", 30*time.Second, "ip", append([]string{"-n", name}, args...)...); err != nil {
			t.Fatalf("vmtest: namespace %s: %v", name, err)
		}
	}
	return name
}

// removeNetNS kills what the test left running in namespace name (its
// QEMU or tgtd, normally stopped already) and deletes it.
func removeNetNS(t testing.TB, name string) {
	ctx := context.Background()
	for i := 0; i < 50; i++ {
		out, err := run(ctx, "", 10*time.Second, "ip", "netns", "pids", name)
		pids := strings.Fields(out)
		if err != nil || len(pids) == 0 {
			break
		}
		for _, p := range pids {
			if pid, err := strconv.Atoi(p); err == nil && pid > 1 && pid != os.Getpid() {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := run(ctx, "", 30*time.Second, "ip", "netns", "del", name); err != nil {
		t.Errorf("vmtest: %v", err)
	}
}

// reapStale removes the namespaces of earlier test processes that died
// before their cleanup ran (goiscsi-vm-PID with no process PID), with
// the guests and tgtds they left running.
func reapStale(t testing.TB) {
	ents, _ := os.ReadDir("/run/netns")
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), netnsPrefix)
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 1 || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		t.Logf("vmtest: removing namespace %s, left by process %d", e.Name(), pid)
		removeNetNS(t, e.Name())
	}
}
