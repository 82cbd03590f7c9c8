package sysfs

import (
	"fmt"
	"strconv"
	"strings"
)

// Session is what sysfs says about one session and its first connection.
type Session struct {
	SID       int
	Target    string
	TPGT      int
	Address   string // persistent address of connection 0
	Port      int    // persistent port of connection 0
	Transport string
	// Host is the SCSI host the session hangs under, -1 when sysfs does
	// not show one.
	Host int
	// State is the kernel's session state: LOGGED_IN, FAILED or FREE.
	State string
	// RecoveryTmo is the replacement timeout in seconds; -1 when it is
	// "off", 0 when absent.
	RecoveryTmo int
}

func sessionDir(sid int) string { return "session" + strconv.Itoa(sid) }

func connDir(sid, cid int) string { return fmt.Sprintf("connection%d:%d", sid, cid) }

// ReadSession reads session sid. Only a missing targetname is an error;
// the other attributes are read as present.
func (r Root) ReadSession(sid int) (Session, error) {
	s := Session{SID: sid, Host: -1}
	dir := sessionDir(sid)
	var err error
	if s.Target, err = r.Attr("class/iscsi_session", dir, "targetname"); err != nil {
		return s, err
	}
	s.TPGT = r.optInt("class/iscsi_session", dir, "tpgt")
	s.State = r.optAttr("class/iscsi_session", dir, "state")
	s.RecoveryTmo = parseTmo(r.optAttr("class/iscsi_session", dir, "recovery_tmo"))
	conn := connDir(sid, 0)
	s.Address = r.optAttr("class/iscsi_connection", conn, "persistent_address")
	s.Port = r.optInt("class/iscsi_connection", conn, "persistent_port")
	if h, err := r.SessionHost(sid); err == nil {
		s.Host = h
	}
	s.Transport = r.hostTransport(s.Host)
	return s, nil
}

// parseTmo reads a session timeout: seconds, or "off" (-1).
func parseTmo(v string) int {
	if v == "off" {
		return -1
	}
	n, _ := strconv.Atoi(v)
	return n
}

// hostTransport names the transport of a SCSI host from its proc_name,
// "iscsi_<transport>" for software iSCSI; "tcp" when it cannot tell.
func (r Root) hostTransport(hostNo int) string {
	if hostNo < 0 {
		return "tcp"
	}
	name, err := r.Attr("class/scsi_host", hostDir(hostNo), "proc_name")
	if err != nil || name == "" {
		return "tcp"
	}
	if t, ok := strings.CutPrefix(name, "iscsi_"); ok && t != "" {
		return t
	}
	return name
}

// Connection is what sysfs says about one connection of a session.
type Connection struct {
	SID, CID          int
	PersistentAddress string
	PersistentPort    int
	// Address and Port are where the connection is connected now; empty
	// and 0 while it is not (the kernel refuses the read then).
	Address string
	Port    int
	// State is the kernel's connection state (up, down, failed, bound),
	// empty on kernels that do not show it.
	State string
}

// Connection reads connection cid of session sid.
func (r Root) Connection(sid, cid int) (Connection, error) {
	c := Connection{SID: sid, CID: cid}
	dir := connDir(sid, cid)
	var err error
	if c.PersistentAddress, err = r.Attr("class/iscsi_connection", dir, "persistent_address"); err != nil {
		return c, fmt.Errorf("sysfs: connection %d:%d: %w", sid, cid, err)
	}
	c.PersistentPort = r.optInt("class/iscsi_connection", dir, "persistent_port")
	c.Address = r.optAttr("class/iscsi_connection", dir, "address")
	c.Port = r.optInt("class/iscsi_connection", dir, "port")
	c.State = r.optAttr("class/iscsi_connection", dir, "state")
	return c, nil
}
