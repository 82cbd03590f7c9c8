package admin

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goiscsi/goiscsi/daemon/ipc"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/sysfs"
)

// treeFlags says which sections a session tree shows (open-iscsi's
// SESSION_INFO_* flags).
type treeFlags struct {
	iface, state, timeouts, auth, params, hostDevs, scsiDevs bool
}

// DaemonSessionState is iscsid's own view of one session, what it
// answers to open-iscsi's MGMT_IPC_SESSION_INFO request: the state of
// the session's first connection and the session's recovery stage, as
// iscsid numbers them.
type DaemonSessionState struct {
	// Conn is the connection state: 0 FREE, 1 TRANSPORT WAIT, 2 IN
	// LOGIN, 3 LOGGED IN, 4 IN LOGOUT, 5 LOGOUT REQUESTED, 6 CLEANUP WAIT.
	Conn int
	// Session is the recovery stage: 0 NO CHANGE, 1 CLEANUP, 2 REOPEN,
	// 3 REDIRECT.
	Session int
}

// daemonSessionState asks iscsid about session sid. Session listings at
// -P 1 and above (and --json) call it for each session; iscsid is asked
// once per command for all its sessions. It returns an error when
// iscsid cannot be reached (having printed what open-iscsi prints then,
// as c.call does) or does not know the session; both states then print
// as "Unknown", as in open-iscsi.
func (c *cmd) daemonSessionState(sid int) (DaemonSessionState, error) {
	if c.daemonView == nil {
		c.daemonView = map[int]DaemonSessionState{}
		rep, err := c.call(&ipc.Request{Op: ipc.OpSessions})
		if err != nil {
			c.daemonErr = err
		} else {
			for _, s := range rep.Sessions {
				c.daemonView[s.SID] = DaemonSessionState{Conn: s.ConnState, Session: s.SessionState}
			}
		}
	}
	if c.daemonErr != nil {
		return DaemonSessionState{}, c.daemonErr
	}
	st, ok := c.daemonView[sid]
	if !ok {
		return st, &iscsierr.Error{Code: iscsierr.SessNotFound, Err: fmt.Errorf("iscsid has no session %d", sid)}
	}
	return st, nil
}

var connStateNames = []string{
	"FREE", "TRANSPORT WAIT", "IN LOGIN", "LOGGED IN", "IN LOGOUT", "LOGOUT REQUESTED", "CLEANUP WAIT",
}

var sessionStageNames = []string{"NO CHANGE", "CLEANUP", "REOPEN", "REDIRECT"}

// daemonStates returns iscsid's connection state and internal session
// state of sid as open-iscsi prints them, "" for each it cannot tell.
func (c *cmd) daemonStates(sid int) (conn, session string) {
	st, err := c.daemonSessionState(sid)
	if err != nil {
		return "", ""
	}
	return stateName(connStateNames, st.Conn), stateName(sessionStageNames, st.Session)
}

func stateName(names []string, n int) string {
	if n < 0 || n >= len(names) {
		return ""
	}
	return names[n]
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}

func orEmpty(s string) string {
	if s == "" {
		return unknownValue
	}
	return s
}

// printSessionTree prints sessions as open-iscsi's session_info_print_tree:
// a Target line whenever the target differs from the previous session's,
// portal lines whenever the current portal does (an empty line when it
// does not), then the sections flags asks for. Every line starts with
// prefix ("" for -m session, "\t" under -m host).
func (c *cmd) printSessionTree(views []sessionView, prefix string, f treeFlags, show bool) {
	p := prefix + "\t\t"
	var prev *sessionView
	for i := range views {
		cur := &views[i]
		if prev == nil || prev.target != cur.target {
			c.printf("%sTarget: %s (%s)\n", prefix, cur.target, cur.nodeType())
			prev = nil
		}
		if prev == nil || prev.port == 0 || cur.port == 0 || prev.addr != cur.addr || prev.port != cur.port {
			c.printf("%s\tCurrent Portal: %s,%d\n", prefix, portal(cur.addr, cur.port), cur.tpgt)
			c.printf("%s\tPersistent Portal: %s,%d\n", prefix, portal(cur.persistentAddr, cur.persistentPort), cur.tpgt)
		} else {
			c.printf("\n")
		}
		if f.iface {
			c.printf("%s**********\n%sInterface:\n%s**********\n", p, p, p)
			c.printIface(cur.iface, p)
		}
		if f.state {
			c.printf("%sSID: %d\n", p, cur.sid)
			conn, stage := c.daemonStates(cur.sid)
			c.printf("%siSCSI Connection State: %s\n", p, orUnknown(conn))
			state, _ := sysfsStr(c.sysfs().SessionValue(cur.sid, "state"))
			c.printf("%siSCSI Session State: %s\n", p, orUnknown(state))
			c.printf("%sInternal iscsid Session State: %s\n", p, orUnknown(stage))
		}
		if f.timeouts {
			c.printf("%s*********\n%sTimeouts:\n%s*********\n", p, p, p)
			c.printf("%sRecovery Timeout: %d\n", p, cur.recoveryTmo)
			c.printf("%sTarget Reset Timeout: %s\n", p, tmoString(cur.tgtResetTmo))
			c.printf("%sLUN Reset Timeout: %s\n", p, tmoString(cur.luResetTmo))
			c.printf("%sAbort Timeout: %s\n", p, tmoString(cur.abortTmo))
		}
		if f.auth {
			c.printf("%s*****\n%sCHAP:\n%s*****\n", p, p, p)
			c.printf("%susername: %s\n", p, orEmpty(cur.username))
			c.printf("%spassword: %s\n", p, secret(cur.password, show))
			c.printf("%susername_in: %s\n", p, orEmpty(cur.usernameIn))
			// open-iscsi labels the incoming password "password" when -S
			// shows it.
			label := "password_in"
			if show {
				label = "password"
			}
			c.printf("%s%s: %s\n", p, label, secret(cur.passwordIn, show))
		}
		if f.params {
			c.printParams(cur.sid, p)
		}
		if f.hostDevs || f.scsiDevs {
			c.printDevices(cur.sid, p, f)
		}
		prev = cur
	}
}

func tmoString(n int) string {
	if n < 0 {
		return unknownValue
	}
	return fmt.Sprint(n)
}

// secret is a CHAP password as printed: masked unless -S.
func secret(s string, show bool) string {
	if !show {
		return "********"
	}
	return orEmpty(s)
}

// printIface prints the Interface section (open-iscsi's iface_print).
func (c *cmd) printIface(f ifaceView, p string) {
	c.printf("%sIface Name: %s\n", p, orEmpty(f.name))
	c.printf("%sIface Transport: %s\n", p, orEmpty(f.transport))
	c.printf("%sIface Initiatorname: %s\n", p, orEmpty(f.iname))
	c.printf("%sIface IPaddress: %s\n", p, bracketed(f.ipaddress))
	c.printf("%sIface HWaddress: %s\n", p, orEmpty(f.hwaddress))
	c.printf("%sIface Netdev: %s\n", p, orEmpty(f.netdev))
}

// bracketed is an IP address as open-iscsi prints one: in brackets when
// it has no dot, unknownValue when empty.
func bracketed(ip string) string {
	switch {
	case ip == "":
		return unknownValue
	case strings.Contains(ip, "."):
		return ip
	}
	return "[" + ip + "]"
}

// negotiated is one session's negotiated parameters as open-iscsi reads
// them from sysfs: -1 for a value it cannot read.
type negotiated struct {
	headerDigest, dataDigest, maxRecv, maxXmit              int
	firstBurst, maxBurst, immediateData, initialR2T, maxR2T int
}

func (c *cmd) readNegotiated(sid int) negotiated {
	root := c.sysfs()
	co := func(name string) int { return sysfsInt(root.ConnValue(sid, name)) }
	se := func(name string) int { return sysfsInt(root.SessionValue(sid, name)) }
	return negotiated{
		headerDigest: co("header_digest"), dataDigest: co("data_digest"),
		maxRecv: co("max_recv_dlength"), maxXmit: co("max_xmit_dlength"),
		firstBurst: se("first_burst_len"), maxBurst: se("max_burst_len"),
		immediateData: se("immediate_data"), initialR2T: se("initial_r2t"),
		maxR2T: se("max_outstanding_r2t"),
	}
}

// printParams prints the negotiated parameters; open-iscsi leaves out a
// line whose value it cannot read.
func (c *cmd) printParams(sid int, p string) {
	n := c.readNegotiated(sid)
	c.printf("%s************************\n%sNegotiated iSCSI params:\n%s************************\n", p, p, p)
	line := func(name string, v int, text string) {
		if v != -1 {
			c.printf("%s%s: %s\n", p, name, text)
		}
	}
	line("HeaderDigest", n.headerDigest, digestName(n.headerDigest))
	line("DataDigest", n.dataDigest, digestName(n.dataDigest))
	line("MaxRecvDataSegmentLength", n.maxRecv, fmt.Sprint(n.maxRecv))
	line("MaxXmitDataSegmentLength", n.maxXmit, fmt.Sprint(n.maxXmit))
	line("FirstBurstLength", n.firstBurst, fmt.Sprint(n.firstBurst))
	line("MaxBurstLength", n.maxBurst, fmt.Sprint(n.maxBurst))
	line("ImmediateData", n.immediateData, yesNo(n.immediateData))
	line("InitialR2T", n.initialR2T, yesNo(n.initialR2T))
	line("MaxOutstandingR2T", n.maxR2T, fmt.Sprint(n.maxR2T))
}

func digestName(v int) string {
	if v != 0 {
		return "CRC32C"
	}
	return "None"
}

func yesNo(v int) string {
	if v != 0 {
		return "Yes"
	}
	return "No"
}

// listedLUNs is a session's SCSI devices in the order open-iscsi lists
// them: directory names sorted as strings (0:0:0:10 before 0:0:0:2).
func (c *cmd) listedLUNs(sid int) []sysfs.LUN {
	luns, _ := c.sysfs().SessionLUNs(sid)
	sort.SliceStable(luns, func(i, j int) bool { return luns[i].HCTL() < luns[j].HCTL() })
	return luns
}

// printDevices prints the Attached SCSI devices section.
func (c *cmd) printDevices(sid int, p string, f treeFlags) {
	c.printf("%s************************\n%sAttached SCSI devices:\n%s************************\n", p, p, p)
	host, err := c.sysfs().SessionHost(sid)
	if err != nil {
		c.printf("%sUnavailable\n", p)
		return
	}
	if f.hostDevs {
		state, _ := sysfsStr(c.sysfs().SCSIHostValue(host, "state"))
		c.printf("%sHost Number: %d\tState: %s\n", p, host, orUnknown(state))
	}
	if !f.scsiDevs {
		return
	}
	for _, l := range c.listedLUNs(sid) {
		c.printf("%sscsi%d Channel 00 Id %d Lun: %d\n", p, l.Host, l.Target, l.LUN)
		if l.Block != "" {
			c.printf("%s\tAttached scsi disk %s\t\tState: %s\n", p, l.Block, orUnknown(l.State))
		}
	}
}
