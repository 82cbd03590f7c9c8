package vmtest

import (
	"strings"
	"testing"
)

// TestVMBootPID1 boots guests from an iSCSI root disk with goiscsi as
// PID 1 of its own initramfs (initramfs.Build), configured the ways
// users configure it: dracut's netroot= (with and without mutual CHAP)
// and initramfs-tools' iscsi_*= options. Each reaches the root file
// system's /sbin/init; a wrong target name fails with a clear message.
func TestVMBootPID1(t *testing.T) {
	vm := New(t)
	tg := vm.StartTarget(t)
	const chapIQN = "iqn.2026-11.test:boot-chap"
	tg.AddTarget(1, BootIQN)
	tg.AddLUN(1, 1, vm.RootFS(t, 32<<20))
	tg.AddTarget(2, chapIQN)
	tg.AddLUN(2, 1, vm.RootFS(t, 32<<20))
	tg.AddAccount("tbuser", "tbsecret12345")
	tg.AddAccount("tbtarget", "tbmutual67890")
	tg.BindAccount(2, "tbuser", false)
	tg.BindAccount(2, "tbtarget", true)

	image, res := goiscsiImage(t, vm, nil)
	t.Logf("goiscsi initramfs: %d bytes, %d entries", res.Size, res.Entries)

	ip := "ip=" + GuestAddr + "::" + HostAddr + ":255.255.255.0::eth0:off"
	portal := TargetAddr + "::3260"
	tests := []struct {
		name, cmdline string
		ok            bool
		want          string // in the console
		also          string // in the console too, when set
	}{
		{"dracut", "netroot=iscsi:" + portal + "::" + BootIQN + " rd.iscsi.initiator=" + InitiatorIQN + " " + ip + " root=LABEL=goiscsi-root",
			true, "ROOT-INIT pid 1: " + RootMarker, ""},
		{"dracut-mutual-chap", "netroot=iscsi:tbuser:tbsecret12345:tbtarget:tbmutual67890@" + portal + "::" + chapIQN +
			" rd.iscsi.initiator=" + InitiatorIQN + " " + ip, true, "ROOT-INIT pid 1: " + RootMarker, ""},
		// ip='s dns field names a name server (none answers: no name is looked up).
		{"initramfs-tools", "iscsi_initiator=" + InitiatorIQN + " iscsi_target_name=" + BootIQN + " iscsi_target_ip=" + TargetAddr +
			" iscsi_target_port=3260 iscsi_target_group=1 " + ip + ":" + HostAddr + " root=/dev/sda", true, "ROOT-INIT pid 1: " + RootMarker,
			"name servers [" + HostAddr + "] (from ip=)"},
		{"wrong-target", "netroot=iscsi:" + portal + "::iqn.2026-11.test:nonexistent rd.iscsi.initiator=" + InitiatorIQN + " " + ip,
			false, "boot failed: login to iqn.2026-11.test:nonexistent", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			console, rc := vm.Boot(t, Config{Case: tt.name, Initramfs: image, Append: tt.cmdline})
			if !strings.Contains(console, tt.want) || (rc == 0) != tt.ok || (!tt.ok && rc != InitDied) {
				t.Fatalf("boot with %q: exit %d, console lacks %q", tt.cmdline, rc, tt.want)
			}
			if tt.also != "" && !strings.Contains(console, tt.also) {
				t.Errorf("console lacks %q", tt.also)
			}
			for _, l := range strings.Split(console, "\n") {
				if strings.Contains(l, "goiscsi:") || strings.HasPrefix(l, "ROOT-") || strings.Contains(l, "crng") {
					t.Log(strings.TrimSpace(l))
				}
			}
			if strings.Contains(console, "tbsecret12345") || strings.Contains(console, "tbmutual67890") {
				t.Errorf("the console shows a CHAP secret")
			}
		})
	}
}
