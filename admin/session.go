package admin

import (
	"fmt"
	"strings"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/sysfs"
)

func (c *cmd) sysfs() sysfs.Root { return sysfs.Root{Dir: c.env.SysfsRoot} }

// sessionMode is -m session. Listing reads sysfs; acting on a session
// needs iscsid.
func (c *cmd) sessionMode(o *options) error {
	root := c.sysfs()
	if o.sid != "" {
		return c.sessionByID(o)
	}
	sids, err := root.Sessions()
	if err != nil || len(sids) == 0 {
		return c.fail(iscsierr.NoObjsFound, "No active sessions.")
	}
	if o.logout || o.rescan || o.stats || o.ops != 0 {
		return c.daemonRequest("session")
	}
	for _, sid := range sids {
		s, err := root.ReadSession(sid)
		if err != nil {
			continue
		}
		c.printf("%s: [%d] %s,%d %s (non-flash)\n", s.Transport, s.SID, hostPort(s.Address, s.Port), s.TPGT, s.Target)
	}
	return nil
}

func hostPort(addr string, port int) string {
	if strings.Contains(addr, ":") {
		return fmt.Sprintf("[%s]:%d", addr, port)
	}
	return fmt.Sprintf("%s:%d", addr, port)
}

func (c *cmd) sessionByID(o *options) error {
	sid := atoi(o.sid)
	if strings.HasPrefix(o.sid, "/") {
		// a sysfs path: .../sessionN
		i := strings.LastIndex(o.sid, "session")
		if i >= 0 {
			sid = atoi(o.sid[i+len("session"):])
		}
	}
	s, err := c.sysfs().ReadSession(sid)
	if err != nil {
		// open-iscsi reports EIO for a session sysfs does not have.
		c.errorf("could not read session targetname: %d", 5)
		return c.fail(iscsierr.SysfsLookup, "Could not get session info for sid %d", sid)
	}
	if o.logout || o.rescan || o.stats || o.ops != 0 || o.printLevel > 0 {
		return c.daemonRequest("session")
	}
	c.printf("%s: [%d] %s,%d %s (non-flash)\n", s.Transport, s.SID, hostPort(s.Address, s.Port), s.TPGT, s.Target)
	return nil
}

// hostMode is -m host.
func (c *cmd) hostMode(o *options) error {
	hosts, err := c.sysfs().Hosts()
	if err != nil || len(hosts) == 0 {
		return c.fail(iscsierr.NoObjsFound, "No iSCSI hosts.")
	}
	return c.daemonRequest("host")
}
