package vmtest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestVMBootDHCP boots goiscsi's initramfs with ip=dhcp against a
// dnsmasq serving GuestAddr on the VM's tap device, inside the test's
// namespace only: with no netroot= the target comes from the DHCP root
// path (RFC 4173, option 17); with netroot= DHCP gives the address and
// the name server (dnsmasq itself, which knows the target as
// "target.test"), and netroot= names the target "target": the search
// domain from DHCP completes it.
func TestVMBootDHCP(t *testing.T) {
	vm := New(t)
	tg := vm.StartTarget(t)
	tg.AddTarget(1, BootIQN)
	tg.AddLUN(1, 1, vm.RootFS(t, 32<<20))
	portal := "target::3260"
	startDNSMasq(t, vm.NetNS, "iscsi:"+TargetAddr+"::3260:1:"+BootIQN)

	image, _ := goiscsiImage(t, vm, nil)
	fromRootPath := "target from the DHCP root path: " + BootIQN
	tests := []struct {
		name, cmdline string
		rootPath      bool // the target comes from the root path
	}{
		{"root-path", "ip=dhcp rd.iscsi.initiator=" + InitiatorIQN, true},
		{"no-ip", "rd.iscsi.initiator=" + InitiatorIQN + " root=dhcp", true}, // dracut's root=dhcp; no ip=: DHCP anyway
		{"netroot", "ip=eth0:dhcp netroot=iscsi:" + portal + "::" + BootIQN + " rd.iscsi.initiator=" + InitiatorIQN + " root=LABEL=goiscsi-root", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			console, rc := vm.Boot(t, Config{Case: "dhcp-" + tt.name, Initramfs: image, Append: tt.cmdline})
			for _, l := range strings.Split(console, "\n") {
				if strings.Contains(l, "goiscsi:") || strings.HasPrefix(l, "ROOT-") {
					t.Log(strings.TrimSpace(l))
				}
			}
			if rc != 0 || !strings.Contains(console, "ROOT-INIT pid 1: "+RootMarker) {
				t.Fatalf("boot with %q: exit %d, console lacks the root's init", tt.cmdline, rc)
			}
			if !strings.Contains(console, "network: eth0 is "+GuestAddr+"/24 from DHCP server "+HostAddr) {
				t.Errorf("the console does not show the DHCP lease")
			}
			if strings.Contains(console, fromRootPath) != tt.rootPath {
				t.Errorf("target from the root path: %v, want %v", !tt.rootPath, tt.rootPath)
			}
			if !strings.Contains(console, "hostname goiscsi-dhcp from DHCP") {
				t.Errorf("the DHCP hostname was not set")
			}
			if !strings.Contains(console, "name servers ["+HostAddr+"], search test (from DHCP)") {
				t.Errorf("the console does not show the name server from DHCP")
			}
		})
	}
}

// startDNSMasq runs dnsmasq as a DHCP server on the tap device of
// namespace netns, leasing GuestAddr to GuestMAC with a router, rootPath,
// the domain "test" and itself as the name server, which answers for
// target.test (TargetAddr) and nothing else (no upstream servers); it is
// killed when the test ends. Never on the host's own
// interfaces: it runs under "ip netns exec" and binds tapName only.
func startDNSMasq(t *testing.T, netns, rootPath string) {
	t.Helper()
	bin, err := exec.LookPath("dnsmasq")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/dnsmasq")
	}
	if err != nil {
		t.Skip(skipPrefix + "dnsmasq is not installed (dist/test-deps.sh installs dnsmasq-base)")
	}
	dir := t.TempDir()
	cmd := exec.Command("ip", "netns", "exec", netns, bin,
		"--no-daemon", "--conf-file=/dev/null", "--log-facility=-", "--log-dhcp", "--log-queries",
		"--no-resolv", "--no-hosts", "--host-record=target.test,"+TargetAddr,
		"--dhcp-option=option:domain-name,test", "--dhcp-option=option:dns-server,"+HostAddr,
		"--interface="+tapName, "--bind-interfaces", "--except-interface=lo",
		"--dhcp-leasefile="+filepath.Join(dir, "leases"), "--dhcp-authoritative", "--no-ping",
		"--dhcp-range="+GuestAddr+","+GuestAddr+",255.255.255.0",
		"--dhcp-host="+GuestMAC+","+GuestAddr+",goiscsi-dhcp",
		"--dhcp-option=option:router,"+HostAddr,
		"--dhcp-option=option:root-path,"+rootPath)
	log := &lockedBuf{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dnsmasq: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		t.Logf("dnsmasq log:\n%s", log)
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "DHCP, IP range") {
		select {
		case <-done:
			t.Fatalf("dnsmasq exited: %s", log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("dnsmasq did not start within 10s: %s", log)
		}
	}
}

// lockedBuf is a log written by a process and read by the test.
type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
