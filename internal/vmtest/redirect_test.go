package vmtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/internal/tgttest"
)

// redirectAddr is a second target address on the tap, where a tgtd
// answers every login to RootIQN with a redirect to TargetAddr.
const redirectAddr = "10.0.2.101"

// TestVMRedirect logs in through a portal whose target answers with a
// temporary redirect (tgt's RedirectAddress) to the portal that serves
// the disk: iscsistart follows it through the kernel, the session's
// connection is at the address named, and the disk is the root LUN.
// Then iscsid adopts the session and the serving tgtd restarts: the
// recovery starts again from the configured portal, is redirected, and
// the disk reads again.
func TestVMRedirect(t *testing.T) {
	vm := New(t)
	tg := vm.StartTargets(t)
	if _, err := run(context.Background(), "", 30*time.Second, "ip", "-n", vm.NetNS, "addr", "add", redirectAddr+"/24", "dev", tapName); err != nil {
		t.Fatalf("second address: %v", err)
	}
	red := tgttest.StartAt(t, vm.NetNS, redirectAddr, TargetPort)
	red.AddTarget(1, RootIQN)
	for _, kv := range [][2]string{{"RedirectAddress", TargetAddr}, {"RedirectPort", "3260"}, {"RedirectReason", "Temporary"}} {
		red.Adm("--mode", "target", "--op", "update", "--tid", "1", "--name", kv[0], "--value", kv[1])
	}
	console, rc := vm.Boot(t, Config{Case: "redirect", Timeout: 120 * time.Second,
		OnMark: map[string]func(){"REDIRECT-STOP": tg.Stop, "REDIRECT-BACK": func() { tg.Restart(t) }},
		Script: faultHelpers + `
iscsistart -i ` + InitiatorIQN + ` -t ` + RootIQN + ` -g 1 -a ` + redirectAddr + ` -p 3260 -P node.session.initial_login_retry_max=0 2>&1
echo "LOGIN-RC $?"
c=$(echo /sys/class/iscsi_connection/connection1:0)
echo "CONN $(cat $c/address):$(cat $c/port) persistent $(cat $c/persistent_address):$(cat $c/persistent_port)"
d=$(lun_dev 1 1) && echo "SECTOR0 $(dd if=/dev/$d bs=512 count=1 2>/dev/null | head -n 1)"
start_iscsid
echo REDIRECT-STOP
sleep 1
echo REDIRECT-BACK
for i in $(seq 1 100); do grep -q "operational after recovery" /tmp/iscsid.log && break; sleep 0.1; done
echo "RECOVERED $(grep -c 'operational after recovery' /tmp/iscsid.log)"
echo 3 >/proc/sys/vm/drop_caches
echo "SECTOR0-AGAIN $(dd if=/dev/$d bs=512 count=1 2>/dev/null | head -n 1)"
echo "CONN-AGAIN $(cat $c/address):$(cat $c/port)"
show_iscsid_log
`})
	if rc != 0 {
		t.Fatalf("guest exit %d", rc)
	}
	want := map[string]string{
		"LOGIN-RC":      "0",
		"CONN":          TargetAddr + ":3260 persistent " + redirectAddr + ":3260",
		"SECTOR0":       "goiscsi vmtest root sector 0",
		"RECOVERED":     "1",
		"SECTOR0-AGAIN": "goiscsi vmtest root sector 0",
		"CONN-AGAIN":    TargetAddr + ":3260",
	}
	for mark, w := range want {
		if got := marksAfter(console, mark); len(got) != 1 || got[0] != w {
			t.Errorf("%s %q, want %q", mark, got, w)
		}
	}
	for _, l := range strings.Split(console, "\n") {
		if strings.Contains(l, "operational") || strings.Contains(l, "redirect") {
			t.Logf("%s", strings.TrimSpace(l))
		}
	}
}
