package vmtest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// faultHelpers start iscsid in the foreground with its log in
// /tmp/iscsid.log, log in to the data target through it, and write a
// checksummed pattern to its LUN in the background (faultWrite) so that
// a fault can strike in the middle of the write.
const faultHelpers = daemonHelpers + `
start_iscsid() {
	rm -f /run/iscsid.pid
	iscsid -f 2>>/tmp/iscsid.log &
	for i in $(seq 1 100); do [ -e /run/iscsid.pid ] && return 0; sleep 0.05; done
	echo "iscsid did not start"; cat /tmp/iscsid.log; exit 1
}
login_data() {
	iscsiadm -m discovery -t st -p 10.0.2.100:3260 >/dev/null || exit 1
	for kv in "$@"; do
		iscsiadm -m node -T iqn.2026-11.test:data -p 10.0.2.100:3260 -o update -n "${kv%%=*}" -v "${kv#*=}" || exit 1
	done
	iscsiadm -m node -T iqn.2026-11.test:data -p 10.0.2.100:3260 -l >/dev/null || exit 1
	sid=$(sid_of iqn.2026-11.test:data) && dev=$(lun_dev $sid 1) || { echo "no data disk"; exit 1; }
}
fault_write() {
	[ -e /tmp/pattern ] || dd if=/dev/urandom of=/tmp/pattern bs=1M count=24 2>/dev/null
	( dd if=/tmp/pattern of=/dev/$dev bs=64k conv=fsync 2>/tmp/dd.err; echo "DD-DONE $? $(uptime_s)" ) &
	ddpid=$!
}
fault_verify() {
	wait $ddpid
	echo 3 >/proc/sys/vm/drop_caches
	want=$(md5sum </tmp/pattern) got=$(dd if=/dev/$dev bs=1M count=24 2>/dev/null | md5sum)
	echo "VERIFY $([ "$want" = "$got" ] && echo same || echo DIFFERENT)"
}
target_back() {
	while ! nc -w 1 10.0.2.100 3260 </dev/null >/dev/null 2>&1; do sleep 0.05; done
	echo "BACK $(uptime_s)"
}
`

// marksAfter returns the values printed after each occurrence of a mark.
func marksAfter(console, mark string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(mark)+` (.*?)\r?$`).FindAllStringSubmatch(console, -1) {
		out = append(out, m[1])
	}
	return out
}

// secondsOf parses the n-th field of a mark's value as seconds.
func secondsOf(t *testing.T, v string, n int) float64 {
	t.Helper()
	f := strings.Fields(v)
	if len(f) <= n {
		t.Fatalf("mark value %q has no field %d", v, n)
	}
	s, err := strconv.ParseFloat(f[n], 64)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestVMTargetRestart: the target dies during a checksummed write and
// comes back 5 s later; the write completes within a second of the
// target's return with the data intact, and iscsid logs the recovery.
// Then iscsid is killed with SIGKILL and started again: it adopts the
// session, which again survives a target restart.
func TestVMTargetRestart(t *testing.T) {
	vm := New(t)
	tg := vm.StartTargets(t)
	restart := func() { time.Sleep(0); tg.Restart(t) }
	console, rc := vm.Boot(t, Config{Case: "target-restart", Timeout: 240 * time.Second,
		OnMark: map[string]func(){
			"FAULT-KILL-1": tg.Stop, "FAULT-RESTART-1": restart,
			"FAULT-KILL-2": tg.Stop, "FAULT-RESTART-2": restart,
		},
		Script: faultHelpers + `
start_iscsid
login_data
fault_write
sleep 0.3
echo FAULT-KILL-1
sleep 5
echo FAULT-RESTART-1
target_back
fault_verify
kill -9 $(cat /run/iscsid.pid)
start_iscsid
echo "ADOPTED $(iscsiadm -m session -r $sid -P 1 | grep -c 'Internal iscsid Session State: NO CHANGE')"
fault_write
sleep 0.3
echo FAULT-KILL-2
sleep 2
echo FAULT-RESTART-2
target_back
fault_verify
echo "===== iscsid log"; cat /tmp/iscsid.log; echo "===== end"
true
`})
	if rc != 0 {
		t.Fatalf("guest exit %d", rc)
	}
	back, done := marksAfter(console, "BACK"), marksAfter(console, "DD-DONE")
	verify := marksAfter(console, "VERIFY")
	if len(back) != 2 || len(done) != 2 || len(verify) != 2 {
		t.Fatalf("marks BACK %q DD-DONE %q VERIFY %q", back, done, verify)
	}
	for i := range 2 {
		if !strings.HasPrefix(done[i], "0 ") || verify[i] != "same" {
			t.Errorf("write %d: dd %q, read back %q", i+1, done[i], verify[i])
		}
		late := secondsOf(t, done[i], 1) - secondsOf(t, back[i], 0)
		t.Logf("write %d completed %.2f s after the target was back", i+1, late)
		if late > 1.0 {
			t.Errorf("write %d completed %.2f s after the target was back, want ≤ 1 s", i+1, late)
		}
	}
	if a := marksAfter(console, "ADOPTED"); len(a) != 1 || a[0] != "1" {
		t.Errorf("after a restart iscsid shows the session as its own %q times, want 1", a)
	}
	if n := strings.Count(console, "is operational after recovery"); n != 2 {
		t.Errorf("iscsid logged %d recoveries, want 2", n)
	}
	if !strings.Contains(console, "adopted session") {
		t.Errorf("the restarted iscsid did not log adopting the session")
	}
}
