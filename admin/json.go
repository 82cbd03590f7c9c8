package admin

import "sort"

// optJSON is the option value of --json, a long option with no short
// letter (getopt_long returns such values above the character range).
const optJSON = 0x100

// SessionJSON is one element of the array that
// "iscsiadm -m session --json" prints (with -r, an array of that one
// session): everything the -P 3 listing shows, as data. Sessions are
// sorted by sid; the array is printed with two-space indentation and a
// final newline, "[]" when there is no session (the exit status and the
// message on stderr are then those of the listing: 21, "No active
// sessions."). A value that cannot be read is null. Fields:
//
//   - sid, target, tpgt: the session id, target name and portal group tag.
//   - flash: true for a session the kernel created itself (an offload
//     card's flash node), false for one iscsid logged in.
//   - transport: "tcp", "iser", ...; host: the SCSI host number.
//   - portal: where the session logs in again ({"address","port"});
//     current_portal: where its connection is now.
//   - iface: name, transport, initiator_name, ipaddress, hwaddress,
//     netdev, as the Interface section prints them ("default" for what the
//     host leaves unset).
//   - connection_state, internal_state: iscsid's view ("LOGGED IN",
//     "NO CHANGE", ...), null when iscsid cannot tell;
//     session_state: the kernel's ("LOGGED_IN", "FAILED", "FREE");
//     kernel_connection_state: the kernel's state of connection 0
//     ("up", "failed", ...).
//   - timeouts: recovery, target_reset, lun_reset, abort, in seconds
//     (recovery -1: off).
//   - chap: username, username_in; password and password_in only with -S.
//   - negotiated: header_digest and data_digest ("None" or "CRC32C"),
//     max_recv_data_segment_length, max_xmit_data_segment_length,
//     first_burst_length, max_burst_length, immediate_data and
//     initial_r2t (booleans), max_outstanding_r2t.
//   - host_state: the SCSI host's state ("running", ...).
//   - luns: the SCSI devices, sorted by LUN: host, channel, target, lun,
//     type (SCSI peripheral type), state ("running", "offline",
//     "transport-offline", ...) and device (the block device, "sdb"; null
//     while there is none).
//
// The json tags are the schema. The listing is written by hand (see
// jsonwrite.go, which keeps the JSON package and its reflection out of
// the binary), byte for byte as json.MarshalIndent(sessions, "", "  ")
// would write it.
type SessionJSON struct {
	SID                   int            `json:"sid"`
	Target                string         `json:"target"`
	TPGT                  *int           `json:"tpgt"`
	Flash                 bool           `json:"flash"`
	Transport             *string        `json:"transport"`
	Host                  int            `json:"host"`
	Portal                PortalJSON     `json:"portal"`
	CurrentPortal         PortalJSON     `json:"current_portal"`
	Iface                 IfaceJSON      `json:"iface"`
	ConnectionState       *string        `json:"connection_state"`
	SessionState          *string        `json:"session_state"`
	InternalState         *string        `json:"internal_state"`
	KernelConnectionState *string        `json:"kernel_connection_state"`
	Timeouts              TimeoutsJSON   `json:"timeouts"`
	CHAP                  CHAPJSON       `json:"chap"`
	Negotiated            NegotiatedJSON `json:"negotiated"`
	HostState             *string        `json:"host_state"`
	LUNs                  []LUNJSON      `json:"luns"`
}

// PortalJSON is an address and port of SessionJSON.
type PortalJSON struct {
	Address *string `json:"address"`
	Port    *int    `json:"port"`
}

// IfaceJSON is SessionJSON's interface.
type IfaceJSON struct {
	Name          *string `json:"name"`
	Transport     *string `json:"transport"`
	InitiatorName *string `json:"initiator_name"`
	IPAddress     *string `json:"ipaddress"`
	HWAddress     *string `json:"hwaddress"`
	Netdev        *string `json:"netdev"`
}

// TimeoutsJSON is SessionJSON's timeouts, in seconds.
type TimeoutsJSON struct {
	Recovery    *int `json:"recovery"`
	TargetReset *int `json:"target_reset"`
	LUNReset    *int `json:"lun_reset"`
	Abort       *int `json:"abort"`
}

// CHAPJSON is SessionJSON's CHAP names (and secrets, with -S).
type CHAPJSON struct {
	Username   *string `json:"username"`
	Password   *string `json:"password,omitempty"`
	UsernameIn *string `json:"username_in"`
	PasswordIn *string `json:"password_in,omitempty"`
}

// NegotiatedJSON is SessionJSON's negotiated parameters.
type NegotiatedJSON struct {
	HeaderDigest             *string `json:"header_digest"`
	DataDigest               *string `json:"data_digest"`
	MaxRecvDataSegmentLength *int    `json:"max_recv_data_segment_length"`
	MaxXmitDataSegmentLength *int    `json:"max_xmit_data_segment_length"`
	FirstBurstLength         *int    `json:"first_burst_length"`
	MaxBurstLength           *int    `json:"max_burst_length"`
	ImmediateData            *bool   `json:"immediate_data"`
	InitialR2T               *bool   `json:"initial_r2t"`
	MaxOutstandingR2T        *int    `json:"max_outstanding_r2t"`
}

// LUNJSON is one SCSI device of SessionJSON.
type LUNJSON struct {
	Host    int     `json:"host"`
	Channel int     `json:"channel"`
	Target  int     `json:"target"`
	LUN     uint64  `json:"lun"`
	Type    *int    `json:"type"`
	State   *string `json:"state"`
	Device  *string `json:"device"`
}

// printSessionsJSON prints views as a JSON array of SessionJSON.
func (c *cmd) printSessionsJSON(views []sessionView, show bool) error {
	out := make([]SessionJSON, 0, len(views))
	for _, v := range views {
		out = append(out, c.sessionJSON(v, show))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SID < out[j].SID })
	c.printf("%s\n", marshalSessionsJSON(out))
	return nil
}

func (c *cmd) sessionJSON(v sessionView, show bool) SessionJSON {
	root := c.sysfs()
	conn, stage := c.daemonStates(v.sid)
	state, _ := sysfsStr(root.SessionValue(v.sid, "state"))
	connState, _ := sysfsStr(root.ConnValue(v.sid, "state"))
	hostState, _ := sysfsStr(root.SCSIHostValue(v.host, "state"))
	transport := c.transportName(v.host)
	if transport == unknownValue {
		transport = ""
	}
	var recovery *int
	if r := root.SessionValue(v.sid, "recovery_tmo"); r.OK() && r.Text != "" {
		n := r.CInt()
		if r.Text == "off" {
			n = -1
		}
		recovery = &n
	}
	n := c.readNegotiated(v.sid)
	s := SessionJSON{
		SID:                   v.sid,
		Target:                v.target,
		TPGT:                  optInt(v.tpgt),
		Flash:                 v.flash,
		Transport:             optStr(transport),
		Host:                  v.host,
		Portal:                PortalJSON{optStr(v.persistentAddr), optInt(v.persistentPort)},
		CurrentPortal:         PortalJSON{optStr(v.addr), optInt(v.port)},
		ConnectionState:       optStr(conn),
		SessionState:          optStr(state),
		InternalState:         optStr(stage),
		KernelConnectionState: optStr(connState),
		Iface: IfaceJSON{
			Name: optStr(v.iface.name), Transport: optStr(v.iface.transport),
			InitiatorName: optStr(v.iface.iname), IPAddress: optStr(v.iface.ipaddress),
			HWAddress: optStr(v.iface.hwaddress), Netdev: optStr(v.iface.netdev),
		},
		Timeouts: TimeoutsJSON{
			Recovery: recovery, TargetReset: optInt(v.tgtResetTmo),
			LUNReset: optInt(v.luResetTmo), Abort: optInt(v.abortTmo),
		},
		CHAP: CHAPJSON{Username: optStr(v.username), UsernameIn: optStr(v.usernameIn)},
		Negotiated: NegotiatedJSON{
			HeaderDigest: optDigest(n.headerDigest), DataDigest: optDigest(n.dataDigest),
			MaxRecvDataSegmentLength: optInt(n.maxRecv), MaxXmitDataSegmentLength: optInt(n.maxXmit),
			FirstBurstLength: optInt(n.firstBurst), MaxBurstLength: optInt(n.maxBurst),
			ImmediateData: optBool(n.immediateData), InitialR2T: optBool(n.initialR2T),
			MaxOutstandingR2T: optInt(n.maxR2T),
		},
		HostState: optStr(hostState),
		LUNs:      []LUNJSON{},
	}
	if show {
		s.CHAP.Password, s.CHAP.PasswordIn = &v.password, &v.passwordIn
	}
	luns, _ := root.SessionLUNs(v.sid)
	for _, l := range luns {
		j := LUNJSON{Host: l.Host, Channel: l.Channel, Target: l.Target, LUN: l.LUN,
			Type: optInt(l.Type), State: optStr(l.State), Device: optStr(l.Block)}
		s.LUNs = append(s.LUNs, j)
	}
	return s
}

// optStr is s, or null when empty.
func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optInt is n, or null when negative (unknown).
func optInt(n int) *int {
	if n < 0 {
		return nil
	}
	return &n
}

func optBool(n int) *bool {
	if n == -1 {
		return nil
	}
	b := n != 0
	return &b
}

func optDigest(n int) *string {
	if n == -1 {
		return nil
	}
	return optStr(digestName(n))
}
