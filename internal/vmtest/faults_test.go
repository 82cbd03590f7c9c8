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
// a fault can strike in the middle of the write; show_iscsid_log prints
// iscsid's log between markers the tests cut at.
const faultHelpers = daemonHelpers + `
show_iscsid_log() { echo "===== iscsid log"; cat /tmp/iscsid.log; echo "===== end"; }
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
	[ -e /tmp/pattern ] || dd if=/dev/urandom of=/tmp/pattern bs=1M count=4 2>/dev/null
	( dd if=/tmp/pattern of=/dev/$dev bs=64k conv=fsync 2>/tmp/dd.err; echo "DD-DONE $? $(uptime_s)" ) &
	ddpid=$!
}
fault_verify() {
	wait $ddpid
	echo 3 >/proc/sys/vm/drop_caches
	want=$(md5sum </tmp/pattern) got=$(dd if=/dev/$dev bs=1M count=4 2>/dev/null | md5sum)
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
echo FAULT-KILL-1
sleep 0.5
fault_write
sleep 4.5
echo FAULT-RESTART-1
target_back
fault_verify
kill -9 $(cat /run/iscsid.pid)
start_iscsid
echo "FLUSHER $(flusher_threads $(cat /run/iscsid.pid))"
echo "ADOPTED $(iscsiadm -m session -r $sid -P 1 | grep -c 'Internal iscsid Session State: NO CHANGE')"
echo FAULT-KILL-2
sleep 0.5
fault_write
sleep 1.5
echo FAULT-RESTART-2
target_back
fault_verify
show_iscsid_log
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
		if late < 0 || late > 1.0 {
			t.Errorf("write %d completed %.2f s after the target was back, want ≤ 1 s", i+1, late)
		}
	}
	checkFlusher(t, console) // iscsid -f executes itself marked
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

// TestVMLinkCut cuts the guest's link through the QEMU monitor during
// a checksummed write: for 10 s, shorter than replacement_timeout, the
// write resumes within a second of the link's return with the data
// intact; for 12 s with replacement_timeout 3 (and NOP-Outs every 2 s),
// the write fails with an I/O error instead of hanging, and the session
// comes back once the link does.
func TestVMLinkCut(t *testing.T) {
	vm := New(t)
	vm.StartTargets(t)
	link := func(state string) func() {
		return func() {
			if out, err := vm.Monitor("set_link " + NICName + " " + state); err != nil {
				t.Errorf("set_link %s: %v %s", state, err, out)
			}
		}
	}
	// The write starts once the fault is in place, so that it is in
	// flight when the link or the target returns.
	t.Run("short", func(t *testing.T) {
		console, rc := vm.Boot(t, Config{Case: "link-cut-short", Monitor: true, Timeout: 240 * time.Second,
			OnMark: map[string]func(){"FAULT-CUT": link("off"), "FAULT-RESTORE": link("on")},
			Script: faultHelpers + `
start_iscsid
login_data
echo FAULT-CUT
sleep 0.5
fault_write
sleep 9.5
echo FAULT-RESTORE
while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ]; do sleep 0.05; done
echo "BACK $(uptime_s)"
fault_verify
show_iscsid_log
true
`})
		if rc != 0 {
			t.Fatalf("guest exit %d", rc)
		}
		back, done, verify := marksAfter(console, "BACK"), marksAfter(console, "DD-DONE"), marksAfter(console, "VERIFY")
		if len(back) != 1 || len(done) != 1 || len(verify) != 1 {
			t.Fatalf("marks BACK %q DD-DONE %q VERIFY %q", back, done, verify)
		}
		if !strings.HasPrefix(done[0], "0 ") || verify[0] != "same" {
			t.Errorf("dd %q, read back %q", done[0], verify[0])
		}
		late := secondsOf(t, done[0], 1) - secondsOf(t, back[0], 0)
		t.Logf("write completed %.2f s after the link was back", late)
		if late < 0 || late > 1.0 {
			t.Errorf("write completed %.2f s after the link was back, want ≤ 1 s", late)
		}
	})
	t.Run("long", func(t *testing.T) {
		console, rc := vm.Boot(t, Config{Case: "link-cut-long", Monitor: true, Timeout: 240 * time.Second,
			OnMark: map[string]func(){"FAULT-CUT": link("off"), "FAULT-RESTORE": link("on")},
			Script: faultHelpers + `
start_iscsid
login_data node.session.timeo.replacement_timeout=3 node.conn[0].timeo.noop_out_interval=2 node.conn[0].timeo.noop_out_timeout=2
echo FAULT-CUT
echo "CUT $(uptime_s)"
sleep 0.5
fault_write
wait $ddpid
echo FAULT-RESTORE
while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ]; do sleep 0.05; done
for i in $(seq 1 100); do [ "$(cat /sys/class/iscsi_session/session$sid/state)" = LOGGED_IN ] && break; sleep 0.1; done
echo "STATE $(cat /sys/class/iscsi_session/session$sid/state)"
dd if=/dev/$dev of=/dev/null bs=1M count=1 2>/dev/null && echo "READ ok"
show_iscsid_log
true
`})
		if rc != 0 {
			t.Fatalf("guest exit %d", rc)
		}
		cut, done := marksAfter(console, "CUT"), marksAfter(console, "DD-DONE")
		if len(cut) != 1 || len(done) != 1 {
			t.Fatalf("marks CUT %q DD-DONE %q", cut, done)
		}
		took := secondsOf(t, done[0], 1) - secondsOf(t, cut[0], 0)
		t.Logf("the write failed %.1f s into the cut: %s", took, done[0])
		if strings.HasPrefix(done[0], "0 ") || took > 30 {
			t.Errorf("write during a long cut: dd %q after %.1f s, want an I/O error well before 30 s", done[0], took)
		}
		if s := marksAfter(console, "STATE"); len(s) != 1 || s[0] != "LOGGED_IN" || !strings.Contains(console, "READ ok") {
			t.Errorf("after the link returned: state %q, read ok %v", s, strings.Contains(console, "READ ok"))
		}
	})
}

// TestVMBootRecovery: iscsistart --recover leaves a recovery process
// that recovers the session before any iscsid runs (the target dies and
// comes back during a write); an iscsid started later takes the session
// over from it, and recovers it from then on.
func TestVMBootRecovery(t *testing.T) {
	vm := New(t)
	tg := vm.StartTargets(t)
	console, rc := vm.Boot(t, Config{Case: "boot-recovery", Timeout: 240 * time.Second,
		OnMark: map[string]func(){
			"FAULT-KILL-1": tg.Stop, "FAULT-RESTART-1": func() { tg.Restart(t) },
			"FAULT-KILL-2": tg.Stop, "FAULT-RESTART-2": func() { tg.Restart(t) },
		},
		Script: faultHelpers + `
recoverers() { grep -l '^@goiscsi' /proc/[0-9]*/cmdline 2>/dev/null | wc -l; }
vmtest-run start ` + iscsistart(DataIQN, "--recover") + `
sid=$(sid_of ` + DataIQN + `) && dev=$(lun_dev $sid 1) || { echo "no data disk"; exit 1; }
for i in $(seq 1 100); do [ "$(recoverers)" = 1 ] && break; sleep 0.05; done
echo "RECOVERERS $(recoverers)"
sleep 1
echo FAULT-KILL-1
sleep 0.5
fault_write
sleep 2
echo FAULT-RESTART-1
target_back
fault_verify
start_iscsid
sleep 0.5
echo "RECOVERERS $(recoverers)"
echo FAULT-KILL-2
sleep 0.5
fault_write
sleep 2
echo FAULT-RESTART-2
target_back
fault_verify
echo "===== kernel log"; dmesg | grep iscsid; show_iscsid_log
true
`})
	if rc != 0 {
		t.Fatalf("guest exit %d", rc)
	}
	if r := result(t, console, "start"); r.RC != 0 || !strings.Contains(r.Stderr, "recovery process") {
		t.Errorf("iscsistart --recover: %+v", r)
	}
	if n := marksAfter(console, "RECOVERERS"); len(n) != 2 || n[0] != "1" || n[1] != "0" {
		t.Errorf("recovery processes before and after iscsid started: %q, want 1 then 0", n)
	}
	if v := marksAfter(console, "VERIFY"); len(v) != 2 || v[0] != "same" || v[1] != "same" {
		t.Errorf("writes across the target's restarts read back %q", v)
	}
	kernelLog, iscsidLog, _ := strings.Cut(console, "===== iscsid log")
	if !strings.Contains(kernelLog, "is operational after recovery") {
		t.Errorf("the recovery process did not recover the session before iscsid ran")
	}
	if !strings.Contains(iscsidLog, "taking over the sessions from the boot-time recovery process") ||
		!strings.Contains(iscsidLog, "is operational after recovery") {
		t.Errorf("iscsid did not take over and recover the session")
	}
}
