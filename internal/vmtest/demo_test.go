package vmtest

import (
	"os"
	"strings"
	"testing"
)

// TestDemo is "make demo": it serves an ext4 root disk with tgtd inside
// a network namespace of its own, builds goiscsi's initramfs, and boots
// a QEMU guest from the disk with goiscsi as PID 1 and a dracut-style
// command line, showing the guest's console. It runs only when
// GOISCSI_DEMO=1.
func TestDemo(t *testing.T) {
	if os.Getenv("GOISCSI_DEMO") != "1" {
		t.Skip("the demo runs with GOISCSI_DEMO=1 (make demo)")
	}
	vm := New(t)
	tg := vm.StartTarget(t)
	tg.AddTarget(1, BootIQN)
	tg.AddLUN(1, 1, vm.RootFS(t, 32<<20))
	image, res := goiscsiImage(t, vm, nil)
	cmdline := "netroot=iscsi:" + TargetAddr + "::3260::" + BootIQN + " rd.iscsi.initiator=" + InitiatorIQN +
		" ip=" + GuestAddr + "::" + HostAddr + ":255.255.255.0::eth0:off root=LABEL=goiscsi-root"
	t.Logf("target: tgtd serving %s (LUN 1: ext4, label goiscsi-root) on %s:3260 in namespace %s", BootIQN, TargetAddr, vm.NetNS)
	t.Logf("initramfs: %d bytes (goiscsi as /init, %d kernel modules)", res.Size, len(res.Modules.Paths))
	t.Logf("kernel %s, command line: %s", vm.Kernel.Version, cmdline)
	console, rc := vm.Boot(t, Config{Case: "demo", Initramfs: image, Append: cmdline})
	for _, l := range strings.Split(console, "\n") {
		t.Log("| " + strings.TrimRight(l, "\r"))
	}
	if rc != 0 || !strings.Contains(console, "ROOT-INIT pid 1: "+RootMarker) {
		t.Fatalf("the guest did not reach its root file system's init (exit %d)", rc)
	}
	t.Logf("DEMO OK: the guest booted from the iSCSI disk %s with goiscsi as PID 1 and ran its /sbin/init", BootIQN)
}
