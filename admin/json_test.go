package admin

import (
	"encoding/json"
	"testing"
)

func TestSessionJSON(t *testing.T) {
	withDaemonStates(t, loggedIn, nil)
	sys := sysfsTree(t, "two-sessions")
	out, errs, st := runSysfs(t, sys, "-m", "session", "-P", "2", "--json")
	if st != 0 || errs != "" {
		t.Fatalf("--json = %d %s", st, errs)
	}
	var got []SessionJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got) != 2 || got[0].SID != 2 || got[1].SID != 3 {
		t.Fatalf("sessions: %+v", got)
	}
	failed, v6 := got[0], got[1]
	if *failed.SessionState != "FAILED" || *failed.KernelConnectionState != "failed" || *failed.ConnectionState != "LOGGED IN" ||
		*failed.InternalState != "NO CHANGE" || *failed.CurrentPortal.Address != "10.0.2.100" || *failed.Iface.IPAddress != "default" {
		t.Errorf("failed session: %s", out)
	}
	if len(failed.LUNs) != 2 || *failed.LUNs[1].Device != "sda" || *failed.LUNs[1].State != "transport-offline" || failed.LUNs[0].Device != nil {
		t.Errorf("failed session LUNs: %+v", failed.LUNs)
	}
	if *v6.Portal.Address != "fd00::100" || *v6.TPGT != 2 || *v6.Timeouts.Recovery != -1 || *v6.Iface.IPAddress != "fd00::15" {
		t.Errorf("IPv6 session: %s", out)
	}
	var luns []uint64
	for _, l := range v6.LUNs {
		luns = append(luns, l.LUN)
	}
	if len(luns) != 4 || luns[0] != 0 || luns[1] != 2 || luns[2] != 3 || luns[3] != 10 || *v6.LUNs[3].State != "offline" {
		t.Errorf("IPv6 session LUNs: %v", luns)
	}
	if n := v6.Negotiated; *n.HeaderDigest != "None" || !*n.ImmediateData || *n.MaxRecvDataSegmentLength != 262144 {
		t.Errorf("negotiated: %s", out)
	}
	if v6.CHAP.Password != nil {
		t.Errorf("password shown without -S: %s", out)
	}
}

func TestSessionJSONOne(t *testing.T) {
	sys := sysfsTree(t, "guest-two-targets")
	writeAttr(t, sys, "class/iscsi_session/session2/username", "tbuser")
	writeAttr(t, sys, "class/iscsi_session/session2/password", "tbsecret12345")
	out, _, st := runSysfs(t, sys, "-m", "session", "-r", "2", "--json", "-S")
	var got []SessionJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || st != 0 || len(got) != 1 {
		t.Fatalf("%d %v\n%s", st, err, out)
	}
	s := got[0]
	if s.SID != 2 || *s.CHAP.Username != "tbuser" || *s.CHAP.Password != "tbsecret12345" || s.ConnectionState != nil || s.InternalState != nil {
		t.Errorf("got %s", out)
	}
}

func TestSessionJSONNone(t *testing.T) {
	out, errs, st := runSysfs(t, t.TempDir(), "-m", "session", "--json")
	if out != "[]\n" || errs != "iscsiadm: No active sessions.\n" || st != 21 {
		t.Errorf("got %d %q %q", st, out, errs)
	}
}
