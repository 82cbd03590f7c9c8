package vmtest

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// harnessScript is TestVMHarness's guest: (a) the host kills the target
// at HARNESS-KILL and restarts it at HARNESS-RESTART; (b) it cuts the
// link at HARNESS-CUT and restores it at HARNESS-RESTORE; then a login
// to the restarted target reads its disk. The guest polls for each of
// the host's actions, bounded, and prints "HARNESS-RESULT name value".
var harnessScript = guestHelpers + `
connects() { timeout 4 nc -w 2 ` + TargetAddr + ` ` + strconv.Itoa(TargetPort) + ` </dev/null >/dev/null 2>&1; }
carrier() { cat /sys/class/net/eth0/carrier 2>/dev/null; }
result() { echo "HARNESS-RESULT $*"; }
# poll N CMD...: run CMD every 0.1 s until it succeeds, N times at most.
poll() {
	n=$1; shift
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt $n ] || return 1
		sleep 0.1
	done
}
refused() { ! connects; }
carrier_is() { [ "$(carrier)" = "$1" ]; }

connects && result before up || result before down
echo HARNESS-KILL
poll 50 refused && result killed down || result killed up
t0=$(uptime_s)
echo HARNESS-RESTART
poll 150 connects && result restarted up || result restarted down
result restart-window "$t0 $(uptime_s)"

echo HARNESS-CUT
poll 100 carrier_is 0; result cut-carrier "$(carrier)"
connects && result cut-connect up || result cut-connect down
echo HARNESS-RESTORE
poll 100 carrier_is 1; result restored-carrier "$(carrier)"
poll 50 connects && result restored-connect up || result restored-connect down

vmtest-run login ` + iscsistart(RootIQN) + `
dev=$(lun_dev 1 1) || { echo "no block device for session 1"; exit 1; }
vmtest-run sector1000 dd if=/dev/$dev bs=512 skip=1000 count=1
`

// TestVMHarness proves the fault-injection harness: Config.OnMark
// functions run as the guest prints their marks, Target.Stop and
// Restart take the target away and bring it back as it was, and
// VM.Monitor's set_link cuts and restores the guest's link.
func TestVMHarness(t *testing.T) {
	vm := New(t)
	tg := vm.StartTargets(t)

	var mu sync.Mutex
	var host []string // what the host did, in order
	did := func(action string) {
		mu.Lock()
		defer mu.Unlock()
		host = append(host, action)
	}
	link := func(state string) {
		did("link " + state)
		out, err := vm.Monitor("set_link " + NICName + " " + state)
		if err != nil {
			t.Errorf("set_link %s %s: %v", NICName, state, err)
			return
		}
		if out != "" {
			t.Logf("set_link %s %s: %q", NICName, state, out)
		}
	}
	start := time.Now()
	console, rc := vm.Boot(t, Config{Case: "harness", Monitor: true, Timeout: 90 * time.Second, Script: harnessScript,
		OnMark: map[string]func(){
			"HARNESS-KILL": func() { did("stop"); tg.Stop() },
			"HARNESS-RESTART": func() {
				time.Sleep(time.Second)
				did("restart")
				tg.Restart(t)
			},
			"HARNESS-CUT":     func() { link("off") },
			"HARNESS-RESTORE": func() { link("on") },
		}})
	t.Logf("boot, faults and login took %.1fs; host did %q", time.Since(start).Seconds(), host)

	want := []string{"stop", "restart", "link off", "link on"}
	if strings.Join(host, ",") != strings.Join(want, ",") {
		t.Errorf("host actions %q, want %q", host, want)
	}
	results := map[string]string{}
	for _, m := range regexp.MustCompile(`HARNESS-RESULT (\S+) ([^\r\n]*)`).FindAllStringSubmatch(console, -1) {
		results[m[1]] = m[2]
	}
	for _, c := range []struct{ name, want, what string }{
		{"before", "up", "the target accepts connections at first"},
		{"killed", "down", "Stop makes connections fail"},
		{"restarted", "up", "Restart makes them succeed again"},
		{"cut-carrier", "0", "set_link off drops eth0's carrier"},
		{"cut-connect", "down", "no connection while the link is cut"},
		{"restored-carrier", "1", "set_link on brings the carrier back"},
		{"restored-connect", "up", "connections work again after set_link on"},
	} {
		if got := results[c.name]; got != c.want {
			t.Errorf("%s: guest's %s = %q, want %q", c.what, c.name, got, c.want)
		}
	}
	if f := strings.Fields(results["restart-window"]); len(f) == 2 {
		t0, _ := strconv.ParseFloat(f[0], 64)
		t1, _ := strconv.ParseFloat(f[1], 64)
		t.Logf("guest: HARNESS-RESTART to a successful connect: %.2fs (the host waits 1s, then restarts)", t1-t0)
	}
	if r := result(t, console, "login"); r.RC != 0 || !strings.Contains(r.Stderr, "is operational now") {
		t.Errorf("login to the restarted target = %+v", r)
	}
	if r := result(t, console, "sector1000"); r.RC != 0 || r.Stdout != string(RootSector(1000)) {
		t.Errorf("sector 1000 of the restarted target's root LUN = %q (exit %d), want %q", clip(r.Stdout), r.RC, clip(string(RootSector(1000))))
	}
	if rc != 0 {
		t.Errorf("guest exit %d", rc)
	}
	if _, err := vm.Monitor("info network"); err == nil {
		t.Errorf("Monitor works after the guest ended")
	}
}

// TestConsoleMarks checks that marks fire once each, on complete lines
// however the output is split, and not on a partial line.
func TestConsoleMarks(t *testing.T) {
	var got []string
	run := func(f func()) { f() }
	c := newConsole(map[string]func(){
		"MARK-A": func() { got = append(got, "A") },
		"MARK-B": func() { got = append(got, "B") },
		"MARK-C": func() { got = append(got, "C") },
	}, run)
	for _, chunk := range []string{"boot\r\nMAR", "K-A\r", "\nMARK-A again\r\n", "x MARK-B y MARK-C", " z"} {
		if _, err := c.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(got, "") != "A" {
		t.Errorf("before the line with B and C ends: fired %q, want A", got)
	}
	c.Write([]byte("\r\nMARK-B\n"))
	if strings.Join(got, "") != "ABC" {
		t.Errorf("fired %q, want A, B, C once each", got)
	}
	if !strings.HasPrefix(c.String(), "boot\r\nMARK-A\r\n") {
		t.Errorf("console = %q", c.String())
	}
}

func TestMonitorAnswer(t *testing.T) {
	for in, want := range map[string]string{
		"s\x1b[K\x1b[Dset_link n0 off\x1b[K\r\n(qemu) ":                     "",
		"i\x1b[K\x1b[Dinfo version\x1b[K\r\n7.2.22Debian\r\n(qemu) ":        "7.2.22Debian\n",
		"set_link x off\x1b[K\r\nError: Device 'x' not found\r\n(qemu) ":    "Error: Device 'x' not found\n",
		"info network\x1b[K\r\nnic0: index=0\r\n \\ n0: index=0\r\n(qemu) ": "nic0: index=0\n \\ n0: index=0\n",
	} {
		if got := monitorAnswer(in); got != want {
			t.Errorf("monitorAnswer(%q) = %q, want %q", in, got, want)
		}
	}
}
