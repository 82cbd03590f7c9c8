package admin

import "github.com/goiscsi/goiscsi/sysfs"

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
