package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goiscsi/goiscsi/daemon/ipc"
	"github.com/goiscsi/goiscsi/internal/compat"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/sysfs/sysfstest"
)

// sysfsTree copies a captured sysfs tree of ../sysfs/testdata into a
// temporary directory (sysfstest.Copy) and returns its root.
func sysfsTree(t *testing.T, scenario string) string {
	t.Helper()
	return sysfstest.Copy(t, filepath.Join("..", "sysfs", "testdata", scenario))
}

// writeAttr overwrites one attribute file of a tree.
func writeAttr(t *testing.T, root, rel, value string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, rel), []byte(value+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testDaemonSocket is the iscsid socket the listing tests use; a test
// that wants iscsid to answer starts a fake one on it.
func testDaemonSocket() string { return fmt.Sprintf("goiscsi-test/session-%d", os.Getpid()) }

// withDaemonStates runs a fake iscsid for the duration of a test that
// answers st for every session (sids 1 to 16), or fails with err.
func withDaemonStates(t *testing.T, st DaemonSessionState, err error) {
	t.Helper()
	ln, lerr := ipc.Listen(testDaemonSocket())
	if lerr != nil {
		t.Fatal(lerr)
	}
	srv := &ipc.Server{Handler: func(_ context.Context, req *ipc.Request) *ipc.Response {
		if err != nil {
			return &ipc.Response{Code: iscsierr.SessNotFound, Message: err.Error()}
		}
		rep := &ipc.Response{}
		for sid := 1; sid <= 16; sid++ {
			rep.Sessions = append(rep.Sessions, ipc.SessionInfo{SID: sid, ConnState: st.Conn, SessionState: st.Session})
		}
		return rep
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
}

// loggedIn is what iscsid answers for a healthy session.
var loggedIn = DaemonSessionState{Conn: 3, Session: 0}

func runSysfs(t *testing.T, sys string, args ...string) (string, string, int) {
	t.Helper()
	env := Env{ConfigDir: t.TempDir(), LockDir: t.TempDir(), SysfsRoot: sys,
		DaemonSocket: testDaemonSocket()}
	var stdout, stderr bytes.Buffer
	st := Run(context.Background(), env, append([]string{"iscsiadm"}, args...), nil, &stdout, &stderr)
	return stdout.String(), stderr.String(), st
}

// replayGolden runs every command of a reference transcript on sys and
// compares stdout, stderr and exit status byte for byte.
func replayGolden(t *testing.T, golden, sys string) {
	t.Helper()
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	want, err := compat.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		args, err := compat.SplitWords(w.Line)
		if err != nil {
			t.Fatal(err)
		}
		out, errs, st := runSysfs(t, sys, args[1:]...)
		got := compat.Entry{Line: w.Line, Result: compat.Result{Stdout: out, Stderr: errs, Status: st}}
		if got != w {
			t.Errorf("$ %s\n- want:\n%s-  got:\n%s", w.Line, compat.Format([]compat.Entry{w}), compat.Format([]compat.Entry{got}))
		}
	}
}

// TestReferenceCaptureA replays open-iscsi's session and host listings of
// the reference guest (two sessions, no authentication).
func TestReferenceCaptureA(t *testing.T) {
	withDaemonStates(t, loggedIn, nil)
	replayGolden(t, "testdata/session/reference-a.golden", sysfsTree(t, "guest-two-targets"))
}

// TestReferenceCaptureB replays the mutual-CHAP run: CHAP names set,
// and the root disk came up as sdb, the data disk as sda.
func TestReferenceCaptureB(t *testing.T) {
	withDaemonStates(t, loggedIn, nil)
	sys := sysfsTree(t, "guest-two-targets")
	for _, sid := range []string{"1", "2"} {
		dir := "class/iscsi_session/session" + sid + "/"
		writeAttr(t, sys, dir+"username", "tbuser")
		writeAttr(t, sys, dir+"password", "tbsecret12345")
		writeAttr(t, sys, dir+"username_in", "tbtarget")
		writeAttr(t, sys, dir+"password_in", "tbmutual67890")
	}
	swapBlock(t, sys, "devices/platform/host0/session1/target0:0:0/0:0:0:1/block", "sdb", "sda")
	swapBlock(t, sys, "devices/platform/host1/session2/target1:0:0/1:0:0:1/block", "sda", "sdb")
	replayGolden(t, "testdata/session/reference-b.golden", sys)
}

func swapBlock(t *testing.T, sys, dir, from, to string) {
	t.Helper()
	if err := os.Rename(filepath.Join(sys, dir, from), filepath.Join(sys, dir, to)); err != nil {
		t.Fatal(err)
	}
}

// TestShowSecrets: -S prints the CHAP passwords, the incoming one under
// open-iscsi's "password" label.
func TestShowSecrets(t *testing.T) {
	withDaemonStates(t, loggedIn, nil)
	sys := sysfsTree(t, "guest-two-targets")
	writeAttr(t, sys, "class/iscsi_session/session1/password", "tbsecret12345")
	out, _, st := runSysfs(t, sys, "-m", "session", "-r", "1", "-P", "2", "-S")
	want := "\t\tusername: <empty>\n\t\tpassword: tbsecret12345\n\t\tusername_in: <empty>\n\t\tpassword: <empty>\n"
	if st != 0 || !strings.Contains(out, want) {
		t.Errorf("-S = %d\n%s", st, out)
	}
}

func TestDaemonStateNames(t *testing.T) {
	tests := []struct {
		st         DaemonSessionState
		err        error
		nilHook    bool
		conn, intl string
	}{
		{st: DaemonSessionState{0, 0}, conn: "FREE", intl: "NO CHANGE"},
		{st: DaemonSessionState{1, 2}, conn: "TRANSPORT WAIT", intl: "REOPEN"},
		{st: DaemonSessionState{2, 1}, conn: "IN LOGIN", intl: "CLEANUP"},
		{st: DaemonSessionState{3, 0}, conn: "LOGGED IN", intl: "NO CHANGE"},
		{st: DaemonSessionState{4, 3}, conn: "IN LOGOUT", intl: "REDIRECT"},
		{st: DaemonSessionState{5, 0}, conn: "LOGOUT REQUESTED", intl: "NO CHANGE"},
		{st: DaemonSessionState{6, 0}, conn: "CLEANUP WAIT", intl: "NO CHANGE"},
		{st: DaemonSessionState{7, 4}, conn: "Unknown", intl: "Unknown"},
		{st: DaemonSessionState{-1, -1}, conn: "Unknown", intl: "Unknown"},
		{err: errors.New("session not found"), conn: "Unknown", intl: "Unknown"},
		{nilHook: true, conn: "Unknown", intl: "Unknown"},
	}
	sys := sysfsTree(t, "guest-two-targets")
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.st, tt.err, tt.nilHook), func(t *testing.T) {
			if !tt.nilHook { // nilHook: no iscsid at all
				withDaemonStates(t, tt.st, tt.err)
			}
			out, _, st := runSysfs(t, sys, "-m", "session", "-r", "2", "-P", "1")
			want := "\t\tSID: 2\n\t\tiSCSI Connection State: " + tt.conn +
				"\n\t\tiSCSI Session State: LOGGED_IN\n\t\tInternal iscsid Session State: " + tt.intl + "\n"
			if st != 0 || !strings.HasSuffix(out, want) {
				t.Errorf("got %d\n%s\nwant suffix\n%s", st, out, want)
			}
		})
	}
}

// twoSessionsP3 is -P 3 on the two-sessions tree: a failed session with
// no current address and an offline disk, then an IPv6 session with
// recovery off, four LUNs listed in sysfs name order (10 before 2) and
// no transport class version (so no header lines).
const twoSessionsP3 = `Target: iqn.2026-11.test:root (non-flash)
	Current Portal: 10.0.2.100:3260,1
	Persistent Portal: 10.0.2.100:3260,1
		**********
		Interface:
		**********
		Iface Name: default
		Iface Transport: tcp
		Iface Initiatorname: iqn.2026-11.test:guest
		Iface IPaddress: [default]
		Iface HWaddress: default
		Iface Netdev: default
		SID: 2
		iSCSI Connection State: TRANSPORT WAIT
		iSCSI Session State: FAILED
		Internal iscsid Session State: REOPEN
		*********
		Timeouts:
		*********
		Recovery Timeout: 120
		Target Reset Timeout: 30
		LUN Reset Timeout: 30
		Abort Timeout: 15
		*****
		CHAP:
		*****
		username: <empty>
		password: ********
		username_in: <empty>
		password_in: ********
		************************
		Negotiated iSCSI params:
		************************
		HeaderDigest: None
		DataDigest: None
		MaxRecvDataSegmentLength: 262144
		MaxXmitDataSegmentLength: 8192
		FirstBurstLength: 65536
		MaxBurstLength: 262144
		ImmediateData: Yes
		InitialR2T: Yes
		MaxOutstandingR2T: 1
		************************
		Attached SCSI devices:
		************************
		Host Number: 3	State: running
		scsi3 Channel 00 Id 0 Lun: 0
		scsi3 Channel 00 Id 0 Lun: 1
			Attached scsi disk sda		State: transport-offline
Target: iqn.2026-11.test:many (non-flash)
	Current Portal: [fd00::100]:3260,2
	Persistent Portal: [fd00::100]:3260,2
		**********
		Interface:
		**********
		Iface Name: default
		Iface Transport: tcp
		Iface Initiatorname: iqn.2026-11.test:guest
		Iface IPaddress: [fd00::15]
		Iface HWaddress: default
		Iface Netdev: default
		SID: 3
		iSCSI Connection State: TRANSPORT WAIT
		iSCSI Session State: LOGGED_IN
		Internal iscsid Session State: REOPEN
		*********
		Timeouts:
		*********
		Recovery Timeout: 0
		Target Reset Timeout: 30
		LUN Reset Timeout: 30
		Abort Timeout: 15
		*****
		CHAP:
		*****
		username: <empty>
		password: ********
		username_in: <empty>
		password_in: ********
		************************
		Negotiated iSCSI params:
		************************
		HeaderDigest: None
		DataDigest: None
		MaxRecvDataSegmentLength: 262144
		MaxXmitDataSegmentLength: 8192
		FirstBurstLength: 65536
		MaxBurstLength: 262144
		ImmediateData: Yes
		InitialR2T: Yes
		MaxOutstandingR2T: 1
		************************
		Attached SCSI devices:
		************************
		Host Number: 4	State: running
		scsi4 Channel 00 Id 0 Lun: 0
		scsi4 Channel 00 Id 0 Lun: 10
			Attached scsi disk sdd		State: offline
		scsi4 Channel 00 Id 0 Lun: 2
			Attached scsi disk sdc		State: running
		scsi4 Channel 00 Id 0 Lun: 3
`

func TestTwoSessionsTree(t *testing.T) {
	withDaemonStates(t, DaemonSessionState{Conn: 1, Session: 2}, nil)
	sys := sysfsTree(t, "two-sessions")
	tests := []struct {
		args     []string
		out, err string
		status   int
	}{
		{[]string{"-m", "session"}, "tcp: [2] 10.0.2.100:3260,1 iqn.2026-11.test:root (non-flash)\n" +
			"tcp: [3] [fd00::100]:3260,2 iqn.2026-11.test:many (non-flash)\n", "", 0},
		{[]string{"-m", "session", "-P", "3"}, twoSessionsP3, "", 0},
		{[]string{"-m", "session", "-P", "4"}, "", "iscsiadm: Invalid info level 4. Try 0 - 3.\n", 7},
		{[]string{"-m", "session", "-r", "3"}, "tcp: [3] [fd00::100]:3260,2 iqn.2026-11.test:many (non-flash)\n", "", 0},
		{[]string{"-m", "session", "-r", "/sys/devices/platform/host4/session3/target4:0:0/4:0:0:2", "-P", "0"},
			"tcp: [3] [fd00::100]:3260,2 iqn.2026-11.test:many (non-flash)\n", "", 0},
		{[]string{"-m", "session", "-r", "/sys/class/iscsi_session/session2"},
			"tcp: [2] 10.0.2.100:3260,1 iqn.2026-11.test:root (non-flash)\n", "", 0},
		{[]string{"-m", "session", "-r", "/sys/class/iscsi_host"}, "",
			"iscsiadm: Unable to find sid in path /sys/class/iscsi_host\niscsiadm: invalid sid '/sys/class/iscsi_host'\n", 7},
		{[]string{"-m", "session", "-r", "/sys/nowhere"}, "", "iscsiadm: /sys/nowhere is an invalid session ID or path\n", 1},
		{[]string{"-m", "session", "-r", "0"}, "", "iscsiadm: 0 is an invalid session ID or path\n", 1},
		{[]string{"-m", "session", "-r", "99"}, "",
			"iscsiadm: could not read session targetname: 5\niscsiadm: Could not get session info for sid 99\n", 22},
		{[]string{"-m", "host"}, "tcp: [3] <empty>,[<empty>],<empty> <empty>\ntcp: [4] [fd00::15],[<empty>],<empty> <empty>\n", "", 0},
		{[]string{"-m", "host", "-P", "1", "-H", "4"}, "Host Number: 4\n\tState: running\n\tTransport: tcp\n" +
			"\tInitiatorname: <empty>\n\tIPaddress: [fd00::15]\n\tHWaddress: <empty>\n\tNetdev: <empty>\n", "", 0},
		{[]string{"-m", "host", "-P", "5"}, "", "iscsiadm: Invalid info level 5. Try 0 - 4.\n", 7},
		{[]string{"-m", "node", "--json"}, "", "iscsiadm: node mode: option '--json' is not allowed/supported\n", 7},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errs, st := runSysfs(t, sys, tt.args...)
			if out != tt.out || errs != tt.err || st != tt.status {
				t.Errorf("got %d\n%s%s\nwant %d\n%s%s", st, out, errs, tt.status, tt.out, tt.err)
			}
		})
	}
}

// TestHostSessions: -m host -P 2 lists each host's sessions under it,
// one tab deeper.
func TestHostSessions(t *testing.T) {
	withDaemonStates(t, loggedIn, nil)
	sys := sysfsTree(t, "guest-two-targets")
	out, _, st := runSysfs(t, sys, "-m", "host", "-P", "2", "-H", "1")
	want := "Host Number: 1\n\tState: running\n\tTransport: tcp\n\tInitiatorname: <empty>\n" +
		"\tIPaddress: 10.0.2.15\n\tHWaddress: <empty>\n\tNetdev: <empty>\n" +
		"\t*********\n\tSessions:\n\t*********\n" +
		"\tTarget: iqn.2026-11.test:root (non-flash)\n\t\tCurrent Portal: 10.0.2.100:3260,1\n" +
		"\t\tPersistent Portal: 10.0.2.100:3260,1\n\t\t\t**********\n\t\t\tInterface:\n\t\t\t**********\n" +
		"\t\t\tIface Name: default\n\t\t\tIface Transport: tcp\n\t\t\tIface Initiatorname: iqn.2026-11.test:guest\n" +
		"\t\t\tIface IPaddress: 10.0.2.15\n\t\t\tIface HWaddress: default\n\t\t\tIface Netdev: default\n" +
		"\t\t\tSID: 2\n\t\t\tiSCSI Connection State: LOGGED IN\n\t\t\tiSCSI Session State: LOGGED_IN\n" +
		"\t\t\tInternal iscsid Session State: NO CHANGE\n"
	if st != 0 || out != want {
		t.Errorf("got %d\n%s\nwant\n%s", st, out, want)
	}
}

// TestSameTargetGrouping: sessions to one target print one Target line;
// a second session to the same portal prints an empty line in place of
// the portal lines, as open-iscsi does; sessions are read in sysfs name
// order (session10 before session2).
func TestSameTargetGrouping(t *testing.T) {
	withDaemonStates(t, loggedIn, nil)
	sys := sysfsTree(t, "guest-two-targets")
	writeAttr(t, sys, "class/iscsi_session/session2/targetname", "iqn.2026-11.test:data")
	out, _, st := runSysfs(t, sys, "-m", "session", "-P", "1")
	if st != 0 || strings.Count(out, "Target: ") != 1 || !strings.Contains(out, "Internal iscsid Session State: NO CHANGE\n\n\t\t**********\n") {
		t.Errorf("same target, same portal:\n%s", out)
	}
	writeAttr(t, sys, "class/iscsi_connection/connection2:0/persistent_address", "10.0.2.101")
	writeAttr(t, sys, "class/iscsi_connection/connection2:0/address", "10.0.2.101")
	out, _, _ = runSysfs(t, sys, "-m", "session", "-P", "1")
	if strings.Count(out, "Target: ") != 1 || !strings.Contains(out, "\tCurrent Portal: 10.0.2.101:3260,1\n") {
		t.Errorf("same target, other portal:\n%s", out)
	}
	// session 10 on host 1 sorts between 1 and 2.
	if err := os.Rename(filepath.Join(sys, "class/iscsi_session/session2"), filepath.Join(sys, "class/iscsi_session/session10")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../devices/platform/host1/session2/iscsi_session/session2", filepath.Join(sys, "class/iscsi_session/session2")); err != nil {
		t.Fatal(err)
	}
	out, _, _ = runSysfs(t, sys, "-m", "session")
	if !strings.HasPrefix(out, "tcp: [1] ") || !strings.Contains(out, "\ntcp: [2] ") {
		t.Errorf("order:\n%s", out)
	}
}

// TestNoTransportClassVersion: without /sys/module/scsi_transport_iscsi
// -P 3 has no header lines, as in open-iscsi.
func TestNoTransportClassVersion(t *testing.T) {
	withDaemonStates(t, loggedIn, nil)
	sys := sysfsTree(t, "guest-two-targets")
	if err := os.RemoveAll(filepath.Join(sys, "module")); err != nil {
		t.Fatal(err)
	}
	out, _, st := runSysfs(t, sys, "-m", "session", "-P", "3")
	if st != 0 || !strings.HasPrefix(out, "Target: iqn.2026-11.test:data (non-flash)\n") {
		t.Errorf("got %d\n%s", st, out)
	}
}

// TestDownConnectionPort: while the kernel refuses to print a
// connection's port (ENOTCONN), open-iscsi shows port 0 as the current
// portal. A directory in place of the file makes the read fail.
func TestDownConnectionPort(t *testing.T) {
	withDaemonStates(t, loggedIn, nil)
	sys := sysfsTree(t, "guest-two-targets")
	conn := filepath.Join(sys, "class/iscsi_connection/connection1:0")
	for _, a := range []string{"address", "port"} {
		if err := os.Remove(filepath.Join(conn, a)); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(conn, a), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, _, _ := runSysfs(t, sys, "-m", "session", "-r", "1", "-P", "1")
	if !strings.Contains(out, "\tCurrent Portal: 10.0.2.100:0,1\n\tPersistent Portal: 10.0.2.100:3260,1\n") {
		t.Errorf("got\n%s", out)
	}
}

// TestFlashSession: a session the kernel created (creator -1) is
// "flash".
func TestFlashSession(t *testing.T) {
	sys := sysfsTree(t, "guest-two-targets")
	writeAttr(t, sys, "class/iscsi_session/session2/creator", "-1")
	out, _, _ := runSysfs(t, sys, "-m", "session")
	if !strings.Contains(out, "tcp: [2] 10.0.2.100:3260,1 iqn.2026-11.test:root (flash)\n") {
		t.Errorf("got\n%s", out)
	}
}

func TestNoHosts(t *testing.T) {
	out, errs, st := runSysfs(t, t.TempDir(), "-m", "host", "-P", "1")
	if out != "" || errs != "iscsiadm: No iSCSI hosts.\n" || st != 21 {
		t.Errorf("got %d %q %q", st, out, errs)
	}
}
