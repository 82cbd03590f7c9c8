package admin

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/goiscsi/goiscsi/internal/buildinfo"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/sysfs"
)

func (c *cmd) sysfs() sysfs.Root { return sysfs.Root{Dir: c.env.SysfsRoot} }

// unknownValue is what open-iscsi prints for a value it does not have.
const unknownValue = "<empty>"

// sessionMode is -m session. Listings read sysfs only (and ask iscsid
// for its own view of each session at -P 1 and above); -u, -R and -s act
// through iscsid.
func (c *cmd) sessionMode(o *options) error {
	if o.sid != "" {
		sid, err := c.parseSID(o.sid)
		if err != nil {
			return err
		}
		return c.sessionByID(o, sid)
	}
	if o.logout || o.rescan || o.stats {
		return c.sessionAction(o, nil)
	}
	// open-iscsi ignores -o here and lists.
	views := c.readSessionViews()
	if len(views) == 0 {
		if o.json {
			c.printf("[]\n")
		}
		return c.fail(iscsierr.NoObjsFound, "No active sessions.")
	}
	if o.json {
		return c.printSessionsJSON(views, o.showSecret)
	}
	return c.printSessions(views, o.printLevel, o.showSecret)
}

// parseSID reads -r: a session id, or a sysfs path naming a session or
// something below one, as open-iscsi's iscsi_sysfs_get_sid_from_path.
func (c *cmd) parseSID(arg string) (int, error) {
	if n, err := strconv.ParseInt(strings.TrimLeft(arg, " \t\n\v\f\r"), 10, 32); err == nil && n > 0 {
		return int(n), nil
	}
	sid, err := c.sysfs().SessionFromPath(arg)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.errorf("%s is an invalid session ID or path", arg)
		return 0, quiet(iscsierr.Generic)
	case errors.Is(err, sysfs.ErrNotDir):
		c.errorf("%s is not a directory", arg)
		return 0, quiet(iscsierr.Generic)
	case err != nil:
		c.errorf("Unable to find sid in path %s", arg)
		return 0, c.fail(iscsierr.Inval, "invalid sid '%s'", arg)
	}
	if sid < 0 {
		return 0, c.fail(iscsierr.Inval, "invalid sid '%s'", arg)
	}
	return sid, nil
}

// sessionByID is -m session -r SID.
func (c *cmd) sessionByID(o *options, sid int) error {
	s, err := c.sysfs().ReadSession(sid)
	if err != nil {
		// open-iscsi reports EIO for a session sysfs does not have.
		c.errorf("could not read session targetname: %d", 5)
		return c.fail(iscsierr.SysfsLookup, "Could not get session info for sid %d", sid)
	}
	// open-iscsi acts on a session only when its transport is loaded,
	// and says nothing when it is not.
	if c.transportName(s.Host) == unknownValue {
		return nil
	}
	switch {
	case o.logout || o.rescan || o.stats:
		return c.sessionAction(o, &s)
	case o.ops == opNew:
		return c.extraSession(s)
	case o.ops != 0:
		return c.fail(iscsierr.OpNotSupp, "session mode: -o on a session is not supported")
	}
	v, ok := c.readSessionView(sid)
	if !ok {
		return c.fail(iscsierr.SysfsLookup, "Could not get session info for sid %d", sid)
	}
	if o.json {
		return c.printSessionsJSON([]sessionView{v}, o.showSecret)
	}
	if o.printLevel > 0 {
		return c.printSessions([]sessionView{v}, o.printLevel, o.showSecret)
	}
	c.printFlat(v)
	return nil
}

// printSessions prints a listing at print level level, as open-iscsi's
// session_info_print.
func (c *cmd) printSessions(views []sessionView, level int, show bool) error {
	var f treeFlags
	switch level {
	case 0, -1:
		for _, v := range views {
			c.printFlat(v)
		}
		return nil
	case 3:
		c.printVersionHeader()
		f.hostDevs, f.scsiDevs = true, true
		fallthrough
	case 2:
		f.params, f.timeouts, f.auth = true, true, true
		fallthrough
	case 1:
		f.state, f.iface = true, true
	default:
		return c.fail(iscsierr.Inval, "Invalid info level %d. Try 0 - 3.", level)
	}
	c.printSessionTree(views, "", f, show)
	return nil
}

// printVersionHeader is the first two lines of -P 3 (and of -m host
// -P 4); open-iscsi leaves them out when the kernel does not show the
// transport class version.
func (c *cmd) printVersionHeader() {
	if v, ok := c.sysfs().TransportClassVersion(); ok {
		c.printf("iSCSI Transport Class version %s\n", v)
		c.printf("version %s\n", buildinfo.Version())
	}
}

// printFlat prints a session's one-line form (print level 0).
func (c *cmd) printFlat(v sessionView) {
	c.printf("%s: [%d] %s,%d %s (%s)\n", c.transportName(v.host), v.sid,
		portal(v.persistentAddr, v.persistentPort), v.tpgt, v.target, v.nodeType())
}

// portal formats an address and port as open-iscsi does: an address
// without a dot (IPv6) in brackets.
func portal(addr string, port int) string {
	if strings.Contains(addr, ".") {
		return fmt.Sprintf("%s:%d", addr, port)
	}
	return fmt.Sprintf("[%s]:%d", addr, port)
}

// transportName names the transport of a SCSI host as open-iscsi's
// iscsi_sysfs_get_transport_by_hba: from the host's proc_name, and only
// when that transport is registered; unknownValue otherwise.
func (c *cmd) transportName(host int) string {
	if host < 0 {
		return unknownValue
	}
	name, ok := sysfsStr(c.sysfs().SCSIHostValue(host, "proc_name"))
	if !ok {
		return unknownValue
	}
	if strings.Contains(name, "iscsi_") && len(name) >= len("iscsi_") {
		name = name[len("iscsi_"):]
	}
	if !c.sysfs().TransportLoaded(name) {
		return unknownValue
	}
	return name
}

// sysfsStr reads an attribute as open-iscsi's sysfs_get_str: absent,
// unreadable, empty and "(null)" values all fail.
func sysfsStr(v sysfs.Value) (string, bool) {
	if !v.OK() || v.Text == "" || strings.HasPrefix(v.Text, "<NULL>") {
		return "", false
	}
	return v.Text, true
}

// sysfsInt reads an attribute as open-iscsi's sysfs_get_int: the value
// as atoi reads it, or -1 when it cannot be read.
func sysfsInt(v sysfs.Value) int {
	if !v.OK() || v.Text == "" || strings.HasPrefix(v.Text, "<NULL>") {
		return -1
	}
	return v.CInt()
}

// sortedSIDs lists the sessions in the order open-iscsi reads them:
// sysfs names sorted as strings (session10 before session2).
func (c *cmd) sortedSIDs() []int {
	sids, _ := c.sysfs().Sessions()
	sort.Slice(sids, func(i, j int) bool { return strconv.Itoa(sids[i]) < strconv.Itoa(sids[j]) })
	return sids
}

// readSessionViews reads every session that can be read, in
// open-iscsi's order; a session that vanishes or cannot be read is
// skipped, as libopeniscsiusr skips it.
func (c *cmd) readSessionViews() []sessionView {
	var out []sessionView
	for _, sid := range c.sortedSIDs() {
		if v, ok := c.readSessionView(sid); ok {
			out = append(out, v)
		}
	}
	return out
}
