package admin

import (
	"fmt"

	"github.com/goiscsi/goiscsi/daemon/ipc"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
	"github.com/goiscsi/goiscsi/sysfs"
)

// activeSessions reads every session sysfs shows.
func (c *cmd) activeSessions() []sysfs.Session {
	sids, _ := c.sysfs().Sessions()
	var out []sysfs.Session
	for _, sid := range sids {
		if s, err := c.sysfs().ReadSession(sid); err == nil {
			out = append(out, s)
		}
	}
	return out
}

func sessionName(s sysfs.Session) string {
	return fmt.Sprintf("[sid: %d, target: %s, portal: %s,%d]", s.SID, s.Target, s.Address, s.Port)
}

// logoutMatching handles -u, -U, -R and -s in node mode: they act on
// the sessions of the selected records (all sessions when nothing is
// selected); -U picks sessions by their record's node.startup.
func (c *cmd) logoutMatching(o *options, which string) error {
	portals, _ := o.portalsParsed(c)
	var picked []sysfs.Session
	for _, s := range c.activeSessions() {
		p := records.Portal{Addr: s.Address, Port: s.Port}
		if !matchTarget(o.targets, s.Target) || !matchPortalLoose(portals, p) {
			continue
		}
		if which != "" && !c.startupMatches(s, which) {
			continue
		}
		picked = append(picked, s)
	}
	if len(picked) == 0 {
		return c.fail(iscsierr.NoObjsFound, "No matching sessions found")
	}
	switch {
	case o.rescan:
		return c.rescanSessions(picked)
	case o.stats:
		return c.printStats(picked[0])
	}
	return c.logoutSessions(picked)
}

// matchPortalLoose matches a portal ignoring the group tag.
func matchPortalLoose(want []records.Portal, p records.Portal) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if w.Addr == p.Addr && (w.Port == 0 || w.Port == p.Port) {
			return true
		}
	}
	return false
}

// startupMatches reports whether s's node record has the node.startup
// -U asks for; "all" is every session but the onboot ones (the root
// disk's), as in open-iscsi.
func (c *cmd) startupMatches(s sysfs.Session, which string) bool {
	startup := "manual"
	refs, _ := c.store.Nodes()
	for _, r := range refs {
		if r.Target == s.Target && r.Portal.Addr == s.Address && r.Portal.Port == s.Port {
			if rec, err := c.store.ReadNode(r); err == nil {
				startup = rec.Get("node.startup")
			}
			break
		}
	}
	if which == "all" {
		return startup != "onboot"
	}
	return startup == which
}

// logoutSessions logs each session out through iscsid, printing what
// open-iscsi prints.
func (c *cmd) logoutSessions(list []sysfs.Session) error {
	for _, s := range list {
		c.printf("Logging out of session %s\n", sessionName(s))
	}
	var first error
	for _, s := range list {
		err := c.daemonRequest(ipc.OpLogout, s.SID)
		if err == nil {
			c.printf("Logout of %s successful.\n", sessionName(s))
			continue
		}
		code := iscsierr.CodeOf(err)
		c.errorf("Could not logout of %s.", sessionName(s))
		c.errorf("initiator reported error (%d - %s)", int(code), code)
		if first == nil {
			first = quiet(code)
		}
	}
	if first != nil {
		c.errorf("Could not logout of all requested sessions")
	}
	return first
}

// rescanSessions asks iscsid to scan each session's SCSI host.
func (c *cmd) rescanSessions(list []sysfs.Session) error {
	for _, s := range list {
		c.printf("Rescanning session %s\n", sessionName(s))
		if err := c.daemonRequest(ipc.OpRescan, s.SID); err != nil {
			return err
		}
	}
	return nil
}

// killDaemon is -k: ask iscsid to stop; it answers once it has.
func (c *cmd) killDaemon(priority string) error {
	if err := c.daemonRequest(ipc.OpStop, 0); err != nil {
		code := iscsierr.CodeOf(err)
		c.errorf("initiator reported error (%d - %s)", int(code), code)
		// open-iscsi exits 0 here too.
		c.errorf("Could not stop iscsid. Trying sending iscsid SIGTERM or SIGKILL signals manually")
	}
	return nil
}
