package vmtest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/internal/tgttest"
)

// The daemon part's targets: benchScaleTargets more on StartTargets'
// tgtd (tids from benchScaleTid, one 1 MiB LUN each), and
// benchDiscoveryTargets on a tgtd of their own at TargetAddr:
// benchDiscoveryPort (LUN 0 only: tgt lists a target in SendTargets
// whether or not it has a disk).
const (
	benchScaleTargets     = 64
	benchScaleTid         = 101
	benchScaleLUNSize     = 1 << 20
	benchDiscoveryTargets = 1000
	benchDiscoveryPort    = 3261
)

// benchScaleIQN is the name of scale target i (1-based): iqn.2026-11.test:t01….
func benchScaleIQN(i int) string { return fmt.Sprintf("iqn.2026-11.test:t%02d", i) }

// benchDiscoveryIQN is the name of discovery target i: iqn.2026-11.test:d0001….
func benchDiscoveryIQN(i int) string { return fmt.Sprintf("iqn.2026-11.test:d%04d", i) }

// benchDaemonStart starts the daemon at @ISCSID@ (it daemonizes and
// returns when ready, open-iscsi's as goiscsi's), between two kernel
// log marks, and waits for its pid file; iscsid_mem prints VmHWM, VmRSS
// and VmLck of its main process and of every other process running the
// same binary (open-iscsi's forked logger).
const benchDaemonStart = `
fail() { echo "BENCH-FAIL $*"; dmesg | grep BENCH-; exit 1; }
procmem() { echo "BENCH-MEM $1 $(grep -E '^(VmHWM|VmRSS|VmLck):' /proc/$2/status | tr -s ' \t\n' ' ')"; }
iscsid_mem() {
	procmem "$1-main" $main
	exe=$(readlink /proc/$main/exe)
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" != "$main" ] && [ "$(readlink $p/exe 2>/dev/null)" = "$exe" ] && procmem "$1-other" $pid
	done
}
logged_in() { cat /sys/class/iscsi_session/session*/state 2>/dev/null | grep -c '^LOGGED_IN$'; }
disks() { ls /sys/block | grep -c '^sd'; }
@PREP@
rm -f /run/iscsid.pid
echo "<6>BENCH-DSTART" >/dev/kmsg
@ISCSID@ >/tmp/iscsid.out 2>&1
rc=$?
echo "<6>BENCH-DREADY" >/dev/kmsg
[ $rc = 0 ] || { cat /tmp/iscsid.out; fail "iscsid exit $rc"; }
i=0
while [ ! -s /run/iscsid.pid ]; do
	i=$((i + 1)); [ $i -le 200 ] || fail "no /run/iscsid.pid"; sleep 0.05
done
main=$(cat /run/iscsid.pid)
`

// benchMemoryScript reads iscsid's memory with two sessions:
// discovery (66 node records), then root and data logged in one by one.
const benchMemoryScript = benchDaemonStart + `
@ADM@ -m discovery -t st -p @PORTAL@ >/tmp/disc.out 2>&1 || { rc=$?; cat /tmp/disc.out; fail "discovery exit $rc"; }
echo "BENCH-RECORDS $(@ADM@ -m node 2>/dev/null | wc -l)"
@ADM@ -m node -T @ROOT@ -p @PORTAL@ -l >/tmp/two.out 2>&1 || { rc=$?; cat /tmp/two.out; fail "login to root exit $rc"; }
@ADM@ -m node -T @DATA@ -p @PORTAL@ -l >>/tmp/two.out 2>&1 || { rc=$?; cat /tmp/two.out; fail "login to data exit $rc"; }
echo "BENCH-TWO $(logged_in)"
iscsid_mem two
dmesg | grep BENCH-
`

// benchScaleScript times "iscsiadm -m node -l" after a discovery (not
// timed) made the 66 node records, between two kernel log marks, and
// then the wait until all their disks are there.
const benchScaleScript = benchDaemonStart + `
@ADM@ -m discovery -t st -p @PORTAL@ >/tmp/disc.out 2>&1 || { rc=$?; cat /tmp/disc.out; fail "discovery exit $rc"; }
echo "BENCH-RECORDS $(@ADM@ -m node 2>/dev/null | wc -l)"
echo "<6>BENCH-LSTART" >/dev/kmsg
@ADM@ -m node -l >/tmp/login.out 2>&1
rc=$?
echo "<6>BENCH-LDONE" >/dev/kmsg
echo "BENCH-LOGIN-RC $rc"
echo "BENCH-SESSIONS $(logged_in)"
[ $rc = 0 ] || { tail -n 20 /tmp/login.out; fail "iscsiadm -m node -l exit $rc"; }
dmesg | grep BENCH-
i=0
while [ "$(disks)" -lt @DISKS@ ] && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.05; done
echo "<6>BENCH-DISKS" >/dev/kmsg
echo "BENCH-NDISKS $(disks)"
iscsid_mem all
dmesg | grep BENCH-
`

// benchDiscoveryScript times a SendTargets discovery of the 1,000
// targets between two kernel log marks and counts the node records it
// made.
const benchDiscoveryScript = benchDaemonStart + `
echo "<6>BENCH-SSTART" >/dev/kmsg
@ADM@ -m discovery -t st -p @PORTAL@ >/tmp/disc.out 2>&1
rc=$?
echo "<6>BENCH-SDONE" >/dev/kmsg
echo "BENCH-DISC-RC $rc"
[ $rc = 0 ] || { tail -n 20 /tmp/disc.out; fail "discovery exit $rc"; }
echo "BENCH-DISC-LINES $(grep -c '^@PORTAL@,1 iqn' /tmp/disc.out)"
echo "BENCH-RECORDS $(@ADM@ -m node 2>/dev/null | grep -c '^@PORTAL@,1 iqn')"
iscsid_mem disc
dmesg | grep BENCH-
`

// benchUsers are the guest's /etc/passwd and /etc/group: open-iscsi's
// iscsid refuses iscsiadm's requests when it cannot name their user
// ("peeruser_unix: unknown local user with uid 0"). Both initiators get
// them.
func benchUsers() map[string][]byte {
	return map[string][]byte{
		"/etc/passwd": []byte("root:x:0:0:root:/root:/bin/sh\n"),
		"/etc/group":  []byte("root:x:0:\n"),
	}
}

// daemonImpl is how one initiator runs on the daemon path in a guest.
type daemonImpl struct {
	name      string            // goiscsi, open-iscsi
	iscsid    string            // the command that starts the daemon
	iscsiadm  string            // the iscsiadm binary
	prep      string            // shell run first
	files     map[string][]byte // more guest files
	reference bool              // open-iscsi: a failure is reported as not measured, not as a test failure
	side      *daemonSide
}

// procMem is one process's memory, in kB.
type procMem struct{ hwm, rss, lck float64 }

// daemonSide is what one initiator gave on the daemon path over the runs.
type daemonSide struct {
	start         []float64 // iscsid exec → return, s
	hwm, rss, lck []float64 // iscsid's main process after 2 logins, kB
	logger        []float64 // VmHWM of its other processes (open-iscsi's logger) after 2 logins, kB; summed per run
	others        int       // how many other processes it had
	hwmAll        []float64 // main process VmHWM after the 66 logins, kB
	login         []float64 // iscsiadm -m node -l, 66 records, s
	disks         []float64 // end of that login → all 66 disks present, s
	discovery     []float64 // discovery of 1,000 targets, s
	hwmDisc       []float64 // main process VmHWM after the discovery, kB
	failMemory    string    // why the 2-session boot gave no numbers
	failLogin     string    // why the 64-target boot gave none
	failDiscovery string    // why the discovery boot gave none
}

// benchDaemonReport is the daemon part of BENCHMARKS.md.
type benchDaemonReport struct {
	ran    bool
	g, o   daemonSide
	oNLibs int // distinct libraries of open-iscsi's iscsid and iscsiadm, the loader included
}

// benchDaemon is TestBench's daemon part: iscsid's memory with two
// sessions, the login to 64 targets, and a discovery of 1,000 targets,
// for goiscsi and open-iscsi in alternate boots, runs times each.
// The LUN files go in dir, which must outlive the subtest: tgtd keeps
// serving them (and replays them when restarted) after it.
func benchDaemon(t *testing.T, vm *VM, tg *tgttest.Target, oi *OpenISCSI, runs int, dir string, rep *benchDaemonReport) {
	start := time.Now()
	for i := 1; i <= benchScaleTargets; i++ {
		file := filepath.Join(dir, fmt.Sprintf("t%02d.img", i))
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(file, benchScaleLUNSize); err != nil {
			t.Fatal(err)
		}
		tg.AddTarget(benchScaleTid+i-1, benchScaleIQN(i))
		tg.AddLUN(benchScaleTid+i-1, 1, file)
	}
	disc := tgttest.StartAt(t, vm.NetNS, TargetAddr, benchDiscoveryPort)
	for i := 1; i <= benchDiscoveryTargets; i++ {
		disc.AddTarget(i, benchDiscoveryIQN(i))
	}
	t.Logf("targets: %d more on %s, %d on %s, set up in %.1fs", benchScaleTargets, tg.Portal(), benchDiscoveryTargets, disc.Portal(),
		time.Since(start).Seconds())
	oFiles, err := oi.DaemonGuestFiles()
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	gFiles := map[string][]byte{}
	for name, b := range benchUsers() {
		gFiles[name], oFiles[name] = b, b
	}
	if _, _, rep.oNLibs, err = oi.Sizes("iscsid", "iscsiadm"); err != nil {
		t.Fatalf("bench: %v", err)
	}
	impls := []*daemonImpl{
		{name: "goiscsi", iscsid: "iscsid", iscsiadm: "iscsiadm", files: gFiles, side: &rep.g},
		{name: "open-iscsi", iscsid: "/bin/open-iscsi/iscsid", iscsiadm: "/bin/open-iscsi/iscsiadm",
			prep: "chmod 755 /lib64/ld-linux-x86-64.so.2", files: oFiles, reference: true, side: &rep.o},
	}
	for i := 1; i <= runs; i++ {
		// A fresh tgtd for each boot that logs in: no session of an
		// earlier guest is left for a login to reinstate.
		for _, im := range impls {
			benchRestart(t, tg)
			benchMemoryBoot(t, vm, im, fmt.Sprintf("bench-memory-%s-%d", im.name, i))
		}
		for _, im := range impls {
			benchRestart(t, tg)
			benchScaleBoot(t, vm, im, fmt.Sprintf("bench-login64-%s-%d", im.name, i))
		}
		for _, im := range impls {
			benchDiscoveryBoot(t, vm, im, fmt.Sprintf("bench-discovery-%s-%d", im.name, i))
		}
		t.Logf("run %d/%d: iscsid VmHWM %s / %s kB, 64 logins %s / %s s, discovery of %d %s / %s s (goiscsi / open-iscsi)", i, runs,
			lastOr(rep.g.hwm, "%.0f"), lastOr(rep.o.hwm, "%.0f"), lastOr(rep.g.login, "%.3f"), lastOr(rep.o.login, "%.3f"),
			benchDiscoveryTargets, lastOr(rep.g.discovery, "%.3f"), lastOr(rep.o.discovery, "%.3f"))
	}
	rep.ran = true
}

// benchRestart restarts tgtd with its configuration, failing the test
// if it does not come back.
func benchRestart(t *testing.T, tg *tgttest.Target) {
	t.Helper()
	start, failed := time.Now(), t.Failed()
	tg.Restart(t)
	if !failed && t.Failed() {
		t.FailNow()
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Logf("restarting tgtd took %.1fs", d.Seconds())
	}
}

// lastOr is the last value of v in format f, or "—".
func lastOr(v []float64, f string) string {
	if len(v) == 0 {
		return "—"
	}
	return fmt.Sprintf(f, last(v))
}

// failed reports a boot that gave no numbers: a test failure for
// goiscsi, the reason the measure is missing for open-iscsi.
func (im *daemonImpl) failed(t *testing.T, why *string, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if !im.reference {
		t.Errorf("%s", msg)
	} else {
		t.Logf("not measured: %s", msg)
	}
	if *why == "" {
		*why = msg
	}
}

func (im *daemonImpl) script(s, portal string) string {
	return strings.NewReplacer("@PREP@", im.prep, "@ISCSID@", im.iscsid, "@ADM@", im.iscsiadm, "@PORTAL@", portal,
		"@ROOT@", RootIQN, "@DATA@", DataIQN, "@DISKS@", strconv.Itoa(benchScaleTargets+2)).Replace(s)
}

// memLine is one BENCH-MEM line: a label, then /proc/PID/status lines.
var memLine = regexp.MustCompile(`BENCH-MEM (\S+) ([^\r\n]*)`)

// memField is one "VmXXX: N kB" of a BENCH-MEM line.
var memField = regexp.MustCompile(`(VmHWM|VmRSS|VmLck): +(\d+) kB`)

// benchMems maps each BENCH-MEM label to the processes' memory, in the
// order printed.
func benchMems(console string) map[string][]procMem {
	m := map[string][]procMem{}
	for _, l := range memLine.FindAllStringSubmatch(console, -1) {
		var p procMem
		n := 0
		for _, f := range memField.FindAllStringSubmatch(l[2], -1) {
			v, _ := strconv.ParseFloat(f[2], 64)
			switch f[1] {
			case "VmHWM":
				p.hwm = v
			case "VmRSS":
				p.rss = v
			case "VmLck":
				p.lck = v
			}
			n++
		}
		if n == 3 {
			m[l[1]] = append(m[l[1]], p)
		}
	}
	return m
}

// benchMemoryBoot boots once for iscsid's memory with 2 sessions.
func benchMemoryBoot(t *testing.T, vm *VM, im *daemonImpl, name string) {
	t.Helper()
	s := im.side
	portal := TargetAddr + ":" + strconv.Itoa(TargetPort)
	console, rc := vm.Boot(t, Config{Case: name, Script: im.script(benchMemoryScript, portal), Files: im.files, Timeout: 600 * time.Second})
	marks, mems := kmsgMarks(console), benchMems(console)
	a, okA := marks["BENCH-DSTART"]
	b, okB := marks["BENCH-DREADY"]
	switch {
	case rc != 0:
		im.failed(t, &s.failMemory, "%s: guest exit %d: %s", name, rc, guestMark(console, "BENCH-FAIL "))
		return
	case !okA || !okB:
		im.failed(t, &s.failMemory, "%s: kernel log marks %v", name, marks)
		return
	case guestMark(console, "BENCH-RECORDS ") != strconv.Itoa(benchScaleTargets+2) || guestMark(console, "BENCH-TWO ") != "2":
		im.failed(t, &s.failMemory, "%s: %s node records, %s sessions after root and data; want %d, 2", name,
			guestMark(console, "BENCH-RECORDS "), guestMark(console, "BENCH-TWO "), benchScaleTargets+2)
		return
	case len(mems["two-main"]) != 1:
		im.failed(t, &s.failMemory, "%s: no memory figures for iscsid", name)
		return
	}
	s.start = append(s.start, b-a)
	m := mems["two-main"][0]
	s.hwm, s.rss, s.lck = append(s.hwm, m.hwm), append(s.rss, m.rss), append(s.lck, m.lck)
	var other float64
	for _, p := range mems["two-other"] {
		other += p.hwm
	}
	s.logger = append(s.logger, other)
	s.others = len(mems["two-other"])
	t.Logf("%s: iscsid start %.3f s; with 2 sessions VmHWM %.0f kB, VmRSS %.0f kB, VmLck %.0f kB; %d other process(es), VmHWM %.0f kB",
		name, last(s.start), m.hwm, m.rss, m.lck, s.others, other)
}

// benchScaleBoot boots once for the login to 64 targets (66 node
// records).
func benchScaleBoot(t *testing.T, vm *VM, im *daemonImpl, name string) {
	t.Helper()
	s := im.side
	portal := TargetAddr + ":" + strconv.Itoa(TargetPort)
	console, rc := vm.Boot(t, Config{Case: name, Script: im.script(benchScaleScript, portal), Files: im.files, Timeout: 600 * time.Second})
	marks, mems := kmsgMarks(console), benchMems(console)
	want := strconv.Itoa(benchScaleTargets + 2)
	switch {
	case rc != 0:
		im.failed(t, &s.failLogin, "%s: guest exit %d: %s", name, rc, guestMark(console, "BENCH-FAIL "))
		return
	case guestMark(console, "BENCH-RECORDS ") != want || guestMark(console, "BENCH-SESSIONS ") != want:
		im.failed(t, &s.failLogin, "%s: %s node records, %s sessions after -m node -l; want %s, %s", name,
			guestMark(console, "BENCH-RECORDS "), guestMark(console, "BENCH-SESSIONS "), want, want)
		return
	}
	for _, k := range []string{"BENCH-LSTART", "BENCH-LDONE", "BENCH-DISKS"} {
		if _, ok := marks[k]; !ok {
			im.failed(t, &s.failLogin, "%s: no kernel log mark %s", name, k)
			return
		}
	}
	if n := guestMark(console, "BENCH-NDISKS "); n != want {
		t.Logf("%s: %s disks 30 s after the login, want %s", name, n, want)
	}
	s.login = append(s.login, marks["BENCH-LDONE"]-marks["BENCH-LSTART"])
	s.disks = append(s.disks, marks["BENCH-DISKS"]-marks["BENCH-LDONE"])
	if m := mems["all-main"]; len(m) == 1 {
		s.hwmAll = append(s.hwmAll, m[0].hwm)
	}
	t.Logf("%s: %s logins %.3f s, then disks %.3f s; iscsid VmHWM with %s sessions %s kB", name, want, last(s.login), last(s.disks),
		want, lastOr(s.hwmAll, "%.0f"))
}

// benchDiscoveryBoot boots once for the discovery of 1,000 targets.
func benchDiscoveryBoot(t *testing.T, vm *VM, im *daemonImpl, name string) {
	t.Helper()
	s := im.side
	portal := TargetAddr + ":" + strconv.Itoa(benchDiscoveryPort)
	console, rc := vm.Boot(t, Config{Case: name, Script: im.script(benchDiscoveryScript, portal), Files: im.files, Timeout: 600 * time.Second})
	marks, mems := kmsgMarks(console), benchMems(console)
	a, okA := marks["BENCH-SSTART"]
	b, okB := marks["BENCH-SDONE"]
	want := strconv.Itoa(benchDiscoveryTargets)
	switch {
	case rc != 0:
		im.failed(t, &s.failDiscovery, "%s: guest exit %d: %s", name, rc, guestMark(console, "BENCH-FAIL "))
		return
	case !okA || !okB:
		im.failed(t, &s.failDiscovery, "%s: kernel log marks %v", name, marks)
		return
	case guestMark(console, "BENCH-DISC-LINES ") != want || guestMark(console, "BENCH-RECORDS ") != want:
		im.failed(t, &s.failDiscovery, "%s: discovery printed %s targets and left %s node records, want %s", name,
			guestMark(console, "BENCH-DISC-LINES "), guestMark(console, "BENCH-RECORDS "), want)
		return
	}
	s.discovery = append(s.discovery, b-a)
	if m := mems["disc-main"]; len(m) == 1 {
		s.hwmDisc = append(s.hwmDisc, m[0].hwm)
	}
	t.Logf("%s: discovery of %s targets %.3f s, %s node records; iscsid VmHWM then %s kB", name, want, b-a,
		guestMark(console, "BENCH-RECORDS "), lastOr(s.hwmDisc, "%.0f"))
}
