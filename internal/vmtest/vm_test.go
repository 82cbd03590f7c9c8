package vmtest

import (
	"regexp"
	"strings"
	"testing"
)

// TestVM boots guests running goiscsi against a tgtd in the VM's
// namespace: one boot per case.
func TestVM(t *testing.T) {
	vm := New(t)
	vm.StartTargets(t)

	t.Run("transport", func(t *testing.T) {
		console, rc := vm.Boot(t, Config{Case: "transport", Script: `
for m in scsi_transport_iscsi libiscsi libiscsi_tcp iscsi_tcp sd_mod virtio_net; do
	grep -q "^$m " /proc/modules || { echo "module $m is not loaded"; exit 1; }
done
echo "tcp transport handle: $(cat /sys/class/iscsi_transport/tcp/handle)"
vmtest-run version iscsiadm --version
`})
		if rc != 0 {
			t.Fatalf("guest exit %d", rc)
		}
		m := regexp.MustCompile(`tcp transport handle: ([0-9]+)`).FindStringSubmatch(console)
		if m == nil {
			t.Fatal("no /sys/class/iscsi_transport/tcp/handle in the guest")
		}
		t.Logf("iscsi_tcp transport handle %s", m[1])
		if r := result(t, console, "version"); r.Stdout != "iscsiadm version 2.1.8\n" {
			t.Errorf("iscsiadm --version in the guest: %+v", r)
		}
	})

	t.Run("discovery", func(t *testing.T) {
		console, rc := vm.Boot(t, Config{Case: "discovery", Script: `
vmtest-run discovery iscsiadm -m discovery -t st -p ` + TargetAddr + `:3260
vmtest-run nodes iscsiadm -m node
`})
		want := TargetAddr + ":3260,1 " + RootIQN + "\n" + TargetAddr + ":3260,1 " + DataIQN + "\n"
		r := result(t, console, "discovery")
		t.Logf("guest's iscsiadm -m discovery -t st -p %s:3260 (exit %d):\n%s", TargetAddr, r.RC, r.Stdout)
		if r != (Run{Stdout: want}) {
			t.Errorf("iscsiadm -m discovery -t st -p %s:3260 = %+v, want stdout %q, exit 0", TargetAddr, r, want)
		}
		if r := result(t, console, "nodes"); r.RC != 0 || !sameLines(r.Stdout, want) {
			t.Errorf("iscsiadm -m node after discovery = %+v, want the two targets", r)
		}
		if rc != 0 {
			t.Errorf("guest exit %d", rc)
		}
	})

	t.Run("refused", func(t *testing.T) {
		console, _ := vm.Boot(t, Config{Case: "refused", Script: `
vmtest-run refused iscsiadm -m discovery -t st -p ` + TargetAddr + `:3261
`})
		r := result(t, console, "refused")
		t.Logf("guest's iscsiadm -m discovery -t st -p %s:3261 (exit %d):\n%s", TargetAddr, r.RC, r.Stderr)
		last := "iscsiadm: Could not perform SendTargets discovery: encountered connection failure\n"
		if r.RC != 4 || r.Stdout != "" || !strings.HasSuffix(r.Stderr, last) ||
			!strings.Contains(r.Stderr, "iscsiadm: cannot make connection to "+TargetAddr+": Connection refused\n") {
			t.Errorf("discovery of a port nobody listens on = %+v, want exit 4 and stderr ending %q", r, last)
		}
	})
}

func result(t *testing.T, console, name string) Run {
	t.Helper()
	r, err := Result(console, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sameLines reports whether a and b hold the same lines in any order.
func sameLines(a, b string) bool {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(x) != len(y) {
		return false
	}
	seen := map[string]int{}
	for i := range x {
		seen[x[i]]++
		seen[y[i]]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}
