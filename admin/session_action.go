package admin

import (
	"fmt"

	"github.com/goiscsi/goiscsi/daemon/ipc"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
	"github.com/goiscsi/goiscsi/sysfs"
)

// sessionAction is -u, -R or -s in session mode: on session s, or on
// every session when s is nil. iscsid does the work.
func (c *cmd) sessionAction(o *options, s *sysfs.Session) error {
	if s == nil {
		return c.logoutMatching(o, "")
	}
	list := []sysfs.Session{*s}
	switch {
	case o.rescan:
		return c.rescanSessions(list)
	case o.stats:
		return c.printStats(*s)
	}
	return c.logoutSessions(list)
}

// extraSession is -m session -r SID -o new: one more session to the
// session's target and portal, from its node record, as open-iscsi's
// "multiple" login.
func (c *cmd) extraSession(s sysfs.Session) error {
	var rec *records.Record
	refs, _ := c.store.Nodes()
	for _, r := range refs {
		if r.Target == s.Target && r.Portal.Addr == s.Address && r.Portal.Port == s.Port {
			rec, _ = c.store.ReadNode(r)
			break
		}
	}
	if rec == nil {
		return c.fail(iscsierr.NoObjsFound, "No records found")
	}
	name := fmt.Sprintf("[iface: %s, target: %s, portal: %s,%d]", nonEmpty(rec.Get("iface.iscsi_ifacename"), "default"),
		s.Target, s.Address, s.Port)
	c.printf("Logging in to %s (multiple)\n", name)
	if _, err := c.call(&ipc.Request{Op: ipc.OpLogin, Record: string(rec.Marshal()), NewSession: true}); err != nil {
		code := iscsierr.CodeOf(err)
		c.errorf("Could not login to %s.", name)
		c.errorf("initiator reported error (%d - %s)", int(code), code)
		return quiet(code)
	}
	c.printf("Login to %s successful.\n", name)
	return nil
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
