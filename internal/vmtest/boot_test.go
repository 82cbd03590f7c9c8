package vmtest

import (
	"strings"
	"testing"
)

// TestVMBootFromISCSI boots a guest from an iSCSI root disk: the
// initramfs runs goiscsi's iscsistart with open-iscsi's flags, mounts
// the LUN it brought and switches to it; the guest then runs the root
// file system's own /sbin/init.
func TestVMBootFromISCSI(t *testing.T) {
	vm := New(t)
	tg := vm.StartTarget(t)
	tg.AddTarget(1, BootIQN)
	tg.AddLUN(1, 1, vm.RootFS(t, 32<<20))
	console, rc := vm.Boot(t, Config{Case: "boot", Modules: []string{"ext4"}, Script: guestHelpers + `
` + iscsistart(BootIQN) + ` || exit 1
dev=$(lun_dev 1 1) || { echo "no block device for the root LUN"; exit 1; }
mkdir -p /newroot
mount -t ext4 -o ro /dev/$dev /newroot || exit 1
echo /newroot >/run/vmtest-switch-root
`})
	if rc != 0 || !strings.Contains(console, "ROOT-INIT pid 1: "+RootMarker) {
		t.Fatalf("guest exit %d; its root file system's /sbin/init did not run as PID 1 from the iSCSI disk", rc)
	}
	for _, l := range strings.Split(console, "\n") {
		if strings.HasPrefix(l, "ROOT-MOUNT") {
			t.Logf("guest booted from the iSCSI LUN: %s", l)
		}
	}
}
