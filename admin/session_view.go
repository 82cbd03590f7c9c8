package admin

import (
	"strings"

	"github.com/goiscsi/goiscsi/sysfs"
)

// sessionView is one session as open-iscsi 2.1.8 reads it for its
// listings (libopeniscsiusr's iscsi_session_get): the session's own
// attributes, its first connection's addresses and the interface it
// runs over, with libopeniscsiusr's defaults and fallbacks applied.
// Integers it could not find are -1.
type sessionView struct {
	sid    int
	target string
	tpgt   int
	// persistentAddr/Port are where the session logs in again;
	// addr/port where its connection is now (the persistent ones while
	// the kernel shows none; port 0 while the kernel refuses to print it,
	// as for a connection that is down).
	persistentAddr string
	persistentPort int
	addr           string
	port           int
	host           int
	// flash marks a session the kernel created itself (creator -1).
	flash bool

	username, password, usernameIn, passwordIn string

	recoveryTmo, luResetTmo, tgtResetTmo, abortTmo int

	iface ifaceView
}

// ifaceView is the interface a session runs over, as open-iscsi shows it
// ("default" for a hardware address, netdev or IP address the host does
// not set).
type ifaceView struct {
	name, transport, iname, ipaddress, hwaddress, netdev string
}

// nodeType is "flash" for a session the kernel created itself (an
// offload card's flash node: creator -1) and "non-flash" otherwise.
func (v sessionView) nodeType() string { return v.flashOr("flash", "non-flash") }

func (v sessionView) flashOr(flash, other string) string {
	if v.flash {
		return flash
	}
	return other
}

// Defaults libopeniscsiusr gives interface values the kernel leaves unset.
const (
	defaultHWAddress = "default"
	defaultNetdev    = "default"
	defaultIPAddress = "default"
	defaultIfaceName = "default"
)

// attrReader applies libopeniscsiusr's rules for reading one attribute:
// a missing file takes the default, an unreadable one fails the whole
// session when the attribute is required (ok turns false).
type attrReader struct{ ok bool }

// str reads a string attribute with default def; required attributes
// (no default) fail when missing.
func (a *attrReader) str(v sysfs.Value, def string, required bool) string {
	switch {
	case v.Missing && required:
		a.ok = false
		return ""
	case v.Missing:
		return def
	case v.Failed:
		a.ok = false
		return ""
	case v.Text == "":
		return def
	}
	return v.Text
}

// i32 reads an integer attribute, def when missing.
func (a *attrReader) i32(v sysfs.Value, def int) int {
	switch {
	case v.Missing:
		return def
	case v.Failed:
		a.ok = false
		return 0
	}
	return v.CInt()
}

// readSessionView reads session sid; false when open-iscsi could not
// read it either (it is gone, has no connection 0, or a required
// attribute is missing or unreadable).
func (c *cmd) readSessionView(sid int) (sessionView, bool) {
	root := c.sysfs()
	v := sessionView{sid: sid, host: -1}
	if !root.SessionExists(sid) || !root.ConnExists(sid) {
		return v, false
	}
	a := attrReader{ok: true}
	se := func(name string) sysfs.Value { return root.SessionValue(sid, name) }
	co := func(name string) sysfs.Value { return root.ConnValue(sid, name) }

	v.target = a.str(se("targetname"), "", true)
	v.username = a.str(se("username"), "", false)
	v.password = a.str(se("password"), "", false)
	v.usernameIn = a.str(se("username_in"), "", false)
	v.passwordIn = a.str(se("password_in"), "", false)
	v.recoveryTmo = a.i32(se("recovery_tmo"), -1)
	v.luResetTmo = a.i32(se("lu_reset_tmo"), -1)
	v.tgtResetTmo = a.i32(se("tgt_reset_tmo"), -1)
	v.abortTmo = a.i32(se("abort_tmo"), -1)
	v.tpgt = a.i32(se("tpgt"), -1)
	v.persistentAddr = a.str(co("persistent_address"), "", false)
	v.persistentPort = a.i32(co("persistent_port"), -1)
	// The current address and port may be refused (ENOTCONN): that
	// fails nothing. An unreadable port reads as 0, a missing one as -1.
	if addr := co("address"); addr.OK() {
		v.addr = addr.Text
	}
	switch port := co("port"); {
	case port.Missing:
		v.port = -1
	case port.Failed:
		v.port = 0
	default:
		v.port = port.CInt()
	}
	switch {
	case v.addr != "" && v.persistentAddr == "":
		v.persistentAddr = v.addr
	case v.addr == "" && v.persistentAddr != "":
		v.addr = v.persistentAddr
	}
	switch {
	case v.persistentPort == -1 && v.port != -1:
		v.persistentPort = v.port
	case v.persistentPort != -1 && v.port == -1:
		v.port = v.persistentPort
	}
	if !a.ok {
		return v, false
	}
	host, err := root.SessionHost(sid)
	if err != nil {
		return v, false
	}
	v.host = host
	iface, ok := c.readIfaceView(host, sid)
	if !ok {
		return v, false
	}
	v.iface = iface
	v.flash = sysfsInt(se("creator")) == -1 && se("creator").OK() && se("creator").Text != ""
	return v, true
}

// readIfaceView reads the interface of session sid on host as
// libopeniscsiusr does: transport from the host's driver, addresses from
// the iSCSI host, initiator and interface names from the session.
func (c *cmd) readIfaceView(host, sid int) (ifaceView, bool) {
	root := c.sysfs()
	a := attrReader{ok: true}
	h := func(name string) sysfs.Value { return root.HostValue(host, name) }
	var f ifaceView
	procName := a.str(root.SCSIHostValue(host, "proc_name"), "", true)
	f.transport = strings.TrimPrefix(procName, "iscsi_")
	f.hwaddress = a.str(h("hwaddress"), defaultHWAddress, false)
	f.netdev = a.str(h("netdev"), defaultNetdev, false)
	if v := root.SessionValue(sid, "initiatorname"); v.OK() {
		f.iname = v.Text
	}
	if f.iname == "" {
		f.iname = a.str(h("initiatorname"), "", false)
	}
	a.str(h("port_state"), "unknown", false)
	a.str(h("port_speed"), "unknown", false)
	if v := root.SessionValue(sid, "ifacename"); v.OK() {
		f.name = v.Text
	}
	f.ipaddress = a.str(h("ipaddress"), defaultIPAddress, false)
	if !a.ok {
		return f, false
	}
	if f.hwaddress != defaultHWAddress {
		// A session bound by hardware address (bnx2i and the like) is
		// named after it.
		family := "ipv4"
		if strings.Count(f.ipaddress, ":") >= 2 {
			family = "ipv6"
		}
		f.name = f.transport + "." + f.hwaddress + "." + family + ".0"
	}
	if f.name == "" {
		f.name = c.ifaceByNetdev(f.netdev)
	}
	return f, true
}

// ifaceByNetdev finds the interface record bound to netdev, for kernels
// that do not show a session's interface name; "default" when none is.
func (c *cmd) ifaceByNetdev(netdev string) string {
	if netdev == defaultNetdev {
		return defaultIfaceName
	}
	names, err := c.store.Ifaces()
	if err != nil {
		return defaultIfaceName
	}
	for _, n := range names {
		rec, err := c.store.ReadIface(n)
		if err == nil && rec.Get("iface.net_ifacename") == netdev {
			return n
		}
	}
	return defaultIfaceName
}
