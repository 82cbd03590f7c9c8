package vmtest

import (
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/goiscsi/goiscsi/internal/compat"
)

// daemonHelpers start iscsid and find sessions by target.
const daemonHelpers = guestHelpers + `
sid_of() {
	for d in /sys/class/iscsi_session/session*; do
		[ "$(cat $d/targetname)" = "$1" ] && { echo ${d##*session}; return 0; }
	done
	return 1
}
`

// openISCSIDaemon reads the reference outputs of open-iscsi's iscsiadm
// on the daemon path, by command line.
func openISCSIDaemon(t *testing.T) map[string]compat.Result {
	t.Helper()
	data, err := os.ReadFile("testdata/openiscsi-daemon.txt")
	if err != nil {
		t.Fatal(err)
	}
	var body []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasPrefix(l, "# ") {
			body = append(body, l)
		}
	}
	entries, err := compat.Parse([]byte(strings.Join(body, "")))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]compat.Result{}
	for _, e := range entries {
		if _, dup := out[e.Line]; !dup { // the first of a command that ran twice
			out[e.Line] = e.Result
		}
	}
	return out
}

var listingNumbers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`tcp: \[\d+\]`), "tcp: [#]"},
	{regexp.MustCompile(`SID: \d+`), "SID: #"},
	{regexp.MustCompile(`sid: \d+`), "sid: #"},
	{regexp.MustCompile(`Host Number: \d+`), "Host Number: #"},
	{regexp.MustCompile(`scsi\d+ Channel`), "scsi# Channel"},
	{regexp.MustCompile(`\bsd[a-z]+\b`), "sdX"},
	{regexp.MustCompile(`(?m)^\t(\w+): \d+$`), "\t$1: #"},
}

// normalizeListing makes a session or host listing independent of what
// differs between two runs that are the same: session, host and SCSI
// numbers and disk names (the kernel hands them out in the order the
// parallel logins and scans happen), counters, and the order of the
// per-target blocks and lines that follows from those numbers.
func normalizeListing(s string) string {
	for _, r := range listingNumbers {
		s = r.re.ReplaceAllString(s, r.with)
	}
	head, blocks := s, []string(nil)
	if i := strings.Index(s, "Target: "); i >= 0 {
		head = s[:i]
		blocks = strings.SplitAfter(s[i:], "\n")
		var joined []string
		for _, l := range blocks {
			if strings.HasPrefix(l, "Target: ") || len(joined) == 0 {
				joined = append(joined, l)
			} else {
				joined[len(joined)-1] += l
			}
		}
		blocks = joined
	} else {
		head, blocks = "", strings.SplitAfter(s, "\n")
	}
	sort.Strings(blocks)
	return head + strings.Join(blocks, "")
}

// nobody gives the guest an unprivileged user for su.
var nobody = map[string][]byte{
	"/etc/passwd": []byte("root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n"),
	"/etc/group":  []byte("root:x:0:\nnogroup:x:65534:\n"),
}

// TestVMDaemon runs iscsid in a guest and drives it with iscsiadm as
// open-iscsi's users do: discovery, login of every node, the session
// and host listings at every print level, statistics, a refused
// non-root request, logout, and a stop; each output is compared with
// open-iscsi 2.1.8's for the same guest and targets.
func TestVMDaemon(t *testing.T) {
	vm := New(t)
	vm.StartTargets(t)
	ref := openISCSIDaemon(t)
	console, rc := vm.Boot(t, Config{Case: "daemon", Timeout: 240e9, Files: nobody, Script: daemonHelpers + `
vmtest-run iscsid iscsid
vmtest-run discovery iscsiadm -m discovery -t st -p 10.0.2.100:3260
vmtest-run node iscsiadm -m node
node="-T iqn.2026-11.test:data -p 10.0.2.100:3260"
for i in $(seq 1 100); do iscsiadm -m node $node -o update -n node.session.cmds_max -v $((64 + 64 * (i % 2))) & done
wait
echo "UPDATED $(iscsiadm -m node $node | grep '^node.session.cmds_max = ') rc=$? files=$(find /etc/iscsi -type f | wc -l)"
iscsiadm -m node $node -o update -n node.session.cmds_max -v 128
vmtest-run login iscsiadm -m node -l
data=$(sid_of iqn.2026-11.test:data) && root=$(sid_of iqn.2026-11.test:root) || { echo "no sessions"; exit 1; }
lun_dev $data 1 >/dev/null && lun_dev $root 1 >/dev/null || { echo "no disks"; exit 1; }
echo "FLUSHER $(flusher_threads $(cat /run/iscsid.pid))"
echo "MEMORY $(grep -E '^(VmHWM|VmRSS|VmLck):' /proc/$(cat /run/iscsid.pid)/status | tr -s ' \t\n' ' ')"
vmtest-run session iscsiadm -m session
vmtest-run session-P0 iscsiadm -m session -P 0
vmtest-run session-P1 iscsiadm -m session -P 1
vmtest-run session-P2 iscsiadm -m session -P 2
vmtest-run session-P3 iscsiadm -m session -P 3
vmtest-run session-r iscsiadm -m session -r $data -P 1
vmtest-run stats iscsiadm -m session -r $root -s
vmtest-run host iscsiadm -m host
vmtest-run host-P1 iscsiadm -m host -P 1
vmtest-run nonroot su -s /bin/sh -c "iscsiadm -m session -r $data -u" nobody
vmtest-run logout iscsiadm -m node -u
vmtest-run nosessions iscsiadm -m session
vmtest-run relogin iscsiadm -m node -T iqn.2026-11.test:root -p 10.0.2.100:3260 -l
vmtest-run extra iscsiadm -m session -r $(sid_of iqn.2026-11.test:root) -o new
echo "SESSIONS $(ls -d /sys/class/iscsi_session/session* | wc -l)"
vmtest-run again iscsiadm -m node -T iqn.2026-11.test:root -p 10.0.2.100:3260 -l
iscsiadm -m node -T iqn.2026-11.test:root -p 10.0.2.100:3260 -o update -n node.session.nr_sessions -v 4
vmtest-run nr iscsiadm -m node -T iqn.2026-11.test:root -p 10.0.2.100:3260 -l
echo "NRSESSIONS $(ls -d /sys/class/iscsi_session/session* | wc -l)"
vmtest-run stop iscsiadm -k 0
vmtest-run stopped iscsiadm -m session -r $(sid_of iqn.2026-11.test:root) -u
true
`})
	if rc != 0 {
		t.Fatalf("guest exit %d", rc)
	}
	exact := []struct{ name, ref string }{
		{"discovery", "iscsiadm -m discovery -t st -p 10.0.2.100:3260"},
		{"node", "iscsiadm -m node"},
		{"login", "iscsiadm -m node -l"},
		{"nosessions", "iscsiadm -m session"},
		{"relogin", "iscsiadm -m node -T iqn.2026-11.test:root -p 10.0.2.100:3260 -l"},
	}
	listings := []struct{ name, ref string }{
		{"session", "iscsiadm -m session"},
		{"session-P0", "iscsiadm -m session -P 0"},
		{"session-P1", "iscsiadm -m session -P 1"},
		{"session-P2", "iscsiadm -m session -P 2"},
		{"session-P3", "iscsiadm -m session -P 3"},
		{"session-r", "iscsiadm -m session -r 1 -P 1"},
		{"stats", "iscsiadm -m session -r 2 -s"},
		{"host", "iscsiadm -m host"},
		{"host-P1", "iscsiadm -m host -P 1"},
		{"logout", "iscsiadm -m node -u"},
	}
	// The "-m session" after logout is the second one in the reference.
	refNoSessions := compat.Result{Stderr: "iscsiadm: No active sessions.\n", Status: 21}
	for _, c := range exact {
		want, ok := ref[c.ref]
		if c.name == "nosessions" {
			want, ok = refNoSessions, true
		}
		if !ok {
			t.Fatalf("no reference for %q", c.ref)
		}
		got := result(t, console, c.name)
		if got.Stdout != want.Stdout || got.Stderr != want.Stderr || got.RC != want.Status {
			t.Errorf("%s:\ngot  stdout %q stderr %q exit %d\nwant stdout %q stderr %q exit %d (open-iscsi)",
				c.ref, got.Stdout, got.Stderr, got.RC, want.Stdout, want.Stderr, want.Status)
		}
	}
	for _, c := range listings {
		want := ref[c.ref]
		got := result(t, console, c.name)
		if normalizeListing(got.Stdout) != normalizeListing(want.Stdout) || got.Stderr != want.Stderr || got.RC != want.Status {
			t.Errorf("%s:\ngot (exit %d, stderr %q):\n%s\nwant (open-iscsi, exit %d):\n%s", c.ref, got.RC, got.Stderr, got.Stdout, want.Status, want.Stdout)
		}
	}
	if u := marksAfter(console, "UPDATED"); len(u) != 1 || !regexp.MustCompile(`^node.session.cmds_max = (64|128) rc=0 files=\d+$`).MatchString(u[0]) {
		t.Errorf("after 100 concurrent updates the record reads %q", u)
	}
	if m := marksAfter(console, "MEMORY"); len(m) == 1 {
		t.Logf("iscsid with 2 sessions: %s", m[0])
		v := regexp.MustCompile(`VmHWM: (\d+) kB`).FindStringSubmatch(m[0])
		if v == nil {
			t.Fatalf("MEMORY %q", m[0])
		}
		hwm, _ := strconv.Atoi(v[1])
		if hwm > 7*1024 {
			t.Errorf("iscsid VmHWM %d kB with 2 sessions, want ≤ 7 MB", hwm)
		}
	} else {
		t.Errorf("no MEMORY mark")
	}
	if r := result(t, console, "extra"); r.RC != 0 || !strings.Contains(r.Stdout, "(multiple)") || marksAfter(console, "SESSIONS")[0] != "2" {
		t.Errorf("extra session: %+v, sessions %q", r, marksAfter(console, "SESSIONS"))
	}
	// Logging in to a node whose session exists logs in nothing, and
	// says so as open-iscsi 2.1.8 does.
	wantAgain := Run{RC: 15, Stderr: "iscsiadm: default: 1 session requested, but 2 already present.\niscsiadm: Could not log into all portals\n"}
	if r := result(t, console, "again"); r != wantAgain {
		t.Errorf("login to a logged-in node: %+v, want %+v", r, wantAgain)
	}
	checkFlusher(t, console)
	// node.session.nr_sessions 4 with 2 present: two more sessions.
	nr := result(t, console, "nr")
	if nr.RC != 0 || strings.Count(nr.Stdout, "Logging in to [iface: default, target: iqn.2026-11.test:root") != 2 ||
		strings.Count(nr.Stdout, "successful.") != 2 || marksAfter(console, "NRSESSIONS")[0] != "4" {
		t.Errorf("login with node.session.nr_sessions 4: %+v, sessions %q", nr, marksAfter(console, "NRSESSIONS"))
	}
	for name, wantRC := range map[string]int{"iscsid": 0, "nonroot": 13, "stop": 0, "stopped": 20} {
		if got := result(t, console, name); got.RC != wantRC {
			t.Errorf("%s: %+v, want exit %d", name, got, wantRC)
		}
	}
}

// checkFlusher reads a FLUSHER mark ("marked/all" threads of iscsid)
// and wants every thread marked PR_SET_IO_FLUSHER.
func checkFlusher(t *testing.T, console string) {
	t.Helper()
	f := marksAfter(console, "FLUSHER")
	if len(f) != 1 {
		t.Errorf("FLUSHER marks %q", f)
		return
	}
	m, n, _ := strings.Cut(f[0], "/")
	if m != n || m == "0" || m == "" {
		t.Errorf("iscsid threads marked PR_SET_IO_FLUSHER: %s, want all", f[0])
	}
}
