package vmtest

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/boot/ibft"
)

// ibftTable writes an iBFT ACPI table (as iPXE or a NIC's option ROM
// would leave it) naming the guest's NIC and target, with CHAP when
// user is set.
func ibftTable(t *testing.T, target, user, secret, ruser, rsecret string) string {
	t.Helper()
	mac, err := net.ParseMAC(GuestMAC)
	if err != nil {
		t.Fatal(err)
	}
	tb := ibft.IBFT{
		Initiator: ibft.Initiator{Name: InitiatorIQN, Valid: true, Boot: true},
		NIC0: ibft.NIC{Valid: true, Boot: true, Global: true, Origin: ibft.OriginManual,
			IPNet:   &net.IPNet{IP: net.ParseIP(GuestAddr).To4(), Mask: net.CIDRMask(24, 32)},
			Gateway: net.ParseIP(HostAddr).To4(), PrimaryDNS: net.ParseIP(HostAddr).To4(), MACAddress: mac},
		Target0: ibft.Target{Valid: true, Boot: true, Target: &net.TCPAddr{IP: net.ParseIP(TargetAddr).To4(), Port: TargetPort},
			BootLUN: 1, TargetName: target, NICAssociation: 0},
	}
	if user != "" {
		tb.Target0.CHAP, tb.Target0.CHAPType, tb.Target0.CHAPName, tb.Target0.CHAPSecret = true, 1, user, secret
		if ruser != "" {
			tb.Target0.RCHAP, tb.Target0.CHAPType = true, 2
			tb.Target0.ReverseCHAPName, tb.Target0.ReverseCHAPSecret = ruser, rsecret
		}
	}
	file := filepath.Join(t.TempDir(), "ibft.bin")
	if err := os.WriteFile(file, tb.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestVMBootIBFT boots from the target an iBFT names: goiscsi as PID 1
// with rd.iscsi.firmware takes the initiator, the NIC's address and the
// target (with mutual CHAP) from the table; and in a busybox image,
// iscsistart -f prints the table and iscsistart -b logs in from it.
func TestVMBootIBFT(t *testing.T) {
	vm := New(t)
	tg := vm.StartTarget(t)
	tg.AddTarget(1, BootIQN)
	tg.AddLUN(1, 1, vm.RootFS(t, 32<<20))
	tg.AddAccount("tbuser", "tbsecret12345")
	tg.AddAccount("tbtarget", "tbmutual67890")
	tg.BindAccount(1, "tbuser", false)
	tg.BindAccount(1, "tbtarget", true)
	table := ibftTable(t, BootIQN, "tbuser", "tbsecret12345", "tbtarget", "tbmutual67890")

	t.Run("pid1", func(t *testing.T) {
		image, _ := goiscsiImage(t, vm, nil)
		console, rc := vm.Boot(t, Config{Case: "ibft-pid1", Initramfs: image, Append: "rd.iscsi.firmware=1",
			QEMUArgs: []string{"-acpitable", "file=" + table}})
		for _, l := range strings.Split(console, "\n") {
			if strings.Contains(l, "goiscsi:") || strings.HasPrefix(l, "ROOT-") {
				t.Log(strings.TrimSpace(l))
			}
		}
		if rc != 0 || !strings.Contains(console, "ROOT-INIT pid 1: "+RootMarker) {
			t.Fatalf("guest exit %d: did not boot from the iBFT's target", rc)
		}
		if strings.Contains(console, "tbsecret12345") || strings.Contains(console, "tbmutual67890") {
			t.Errorf("the console shows a CHAP secret")
		}
		if !strings.Contains(console, "name servers ["+HostAddr+"] (from iBFT)") {
			t.Errorf("the console does not show the iBFT's name server")
		}
	})

	t.Run("iscsistart", func(t *testing.T) {
		console, rc := vm.Boot(t, Config{Case: "ibft-iscsistart", Modules: []string{"iscsi_ibft"},
			QEMUArgs: []string{"-acpitable", "file=" + table}, Script: guestHelpers + `
vmtest-run print iscsistart -f
vmtest-run boot iscsistart -b
dev=$(lun_dev 1 1) || { echo "no block device"; exit 1; }
echo "IBFT-DISK $dev"
`})
		if r := result(t, console, "print"); r.RC != 0 || !strings.Contains(r.Stdout, "node.name = "+BootIQN+"\n") ||
			!strings.Contains(r.Stdout, "iface.ipaddress = "+GuestAddr+"\n") {
			t.Errorf("iscsistart -f = %+v", r)
		}
		want := "iscsistart: Connection1:0 to [target: " + BootIQN + ", portal: " + TargetAddr + ",3260] through [iface: default] is operational now\n"
		if r := result(t, console, "boot"); r.RC != 0 || !strings.HasSuffix(r.Stderr, want) {
			t.Errorf("iscsistart -b = %+v, want exit 0 and stderr ending %q", r, want)
		}
		if rc != 0 || !strings.Contains(console, "IBFT-DISK sd") {
			t.Errorf("guest exit %d: no disk from iscsistart -b", rc)
		}
	})
}
