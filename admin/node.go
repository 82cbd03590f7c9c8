package admin

import (
	"errors"
	"strconv"
	"strings"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
)

// nodeMode is -m node.
func (c *cmd) nodeMode(o *options) error {
	if err := c.validateSelectors(o); err != nil {
		return err
	}
	if o.hasPrint && (o.printLevel < 0 || o.printLevel > 1) {
		return c.fail(iscsierr.Inval, "Invalid info level %d. Try 0 or 1.", o.printLevel)
	}
	switch {
	case o.loginAll != "":
		return c.loginAll(o.loginAll)
	case o.logoutAll != "":
		return c.logoutMatching(o, o.logoutAll)
	case o.ops&opNew != 0:
		return c.nodeNew(o)
	case o.login:
		return c.loginNodes(o)
	case o.logout, o.rescan, o.stats:
		return c.logoutMatching(o, "")
	case o.ops&opDelete != 0:
		return c.nodeDelete(o)
	case o.ops&opUpdate != 0:
		return c.nodeUpdate(o)
	case o.ops&opShow != 0 || len(o.targets)+len(o.portals)+len(o.ifaces) > 0:
		return c.nodeShow(o)
	}
	return c.nodeList(o)
}

func (c *cmd) validateSelectors(o *options) error {
	if err := o.targetsValidated(c); err != nil {
		return err
	}
	if _, err := o.portalsParsed(c); err != nil {
		return err
	}
	return o.ifacesValidated(c)
}

// matchNodes returns the node records selected by -T, -p and -I.
func (c *cmd) matchNodes(o *options) ([]records.NodeRef, error) {
	all, err := c.store.Nodes()
	if err != nil {
		return nil, c.fail(iscsierr.IDBM, "Could not read node DB: %v.", err)
	}
	portals, _ := o.portalsParsed(c)
	var out []records.NodeRef
	for _, r := range all {
		if matchTarget(o.targets, r.Target) && matchPortal(portals, r.Portal) && matchString(o.ifaces, r.Iface) {
			out = append(out, r)
		}
	}
	return out, nil
}

func matchTarget(want []string, t string) bool { return matchString(want, t) }

func matchString(want []string, s string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if w == s {
			return true
		}
	}
	return false
}

func matchPortal(want []records.Portal, p records.Portal) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if !strings.EqualFold(w.Addr, p.Addr) {
			continue
		}
		if w.Port != p.Port {
			continue
		}
		return true
	}
	return false
}

func (c *cmd) noRecords() error { return c.fail(iscsierr.NoObjsFound, "No records found") }

// nodeList prints every node record, flat or as a tree (-P 1).
func (c *cmd) nodeList(o *options) error {
	refs, err := c.matchNodes(o)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return c.noRecords()
	}
	if o.printLevel == 1 {
		c.printNodeTree(refs)
		return nil
	}
	for _, r := range refs {
		c.printf("%s,%d %s\n", r.Portal.HostPort(), uint32(r.Portal.TPGT), r.Target)
	}
	return nil
}

func (c *cmd) printNodeTree(refs []records.NodeRef) {
	var lastTarget string
	for _, r := range refs {
		if r.Target != lastTarget {
			c.printf("Target: %s\n", r.Target)
			lastTarget = r.Target
		}
		c.printf("\tPortal: %s,%d\n", r.Portal.HostPort(), r.Portal.TPGT)
		c.printf("\t\tIface Name: %s\n", r.Iface)
	}
}

// nodeShow prints the selected records.
func (c *cmd) nodeShow(o *options) error {
	refs, err := c.matchNodes(o)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return c.noRecords()
	}
	for _, r := range refs {
		rec, err := c.store.ReadNode(r)
		if err != nil {
			return c.fail(iscsierr.IDBM, "Could not read record %s: %v", r.File(), err)
		}
		if err := rec.Print(c.stdout, o.showSecret); err != nil {
			return err
		}
	}
	return nil
}

// nodeDelete removes the selected records.
func (c *cmd) nodeDelete(o *options) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	refs, err := c.matchNodes(o)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return c.noRecords()
	}
	for _, r := range refs {
		if err := c.store.DeleteNode(r); err != nil {
			return c.fail(iscsierr.IDBM, "Could not delete record %s: %v", r.File(), err)
		}
	}
	return nil
}

func (c *cmd) lock() (func(), error) {
	unlock, err := c.store.Lock(c.ctx)
	if err != nil {
		return nil, c.fail(iscsierr.IDBM, "Could not lock the record database: %v", err)
	}
	return unlock, nil
}

// nodeUpdate applies every -n/-v pair to the selected records.
func (c *cmd) nodeUpdate(o *options) error {
	if err := checkUpdates(c, o); err != nil {
		return err
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	refs, err := c.matchNodes(o)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return c.noRecords()
	}
	failed := false
	for _, r := range refs {
		rec, err := c.store.ReadNode(r)
		if err != nil {
			return c.fail(iscsierr.IDBM, "Could not read record %s: %v", r.File(), err)
		}
		if !c.applyUpdates(rec, o.updates) {
			failed = true
			continue
		}
		if err := c.store.WriteNode(rec, false); err != nil {
			return c.fail(iscsierr.IDBM, "Could not write record %s: %v", r.File(), err)
		}
	}
	if failed {
		return c.fail(iscsierr.Inval, "Could not execute operation on all records: %s", iscsierr.Inval)
	}
	return nil
}

// checkUpdates requires a name and a value for every pair.
func checkUpdates(c *cmd, o *options) error {
	if len(o.updates) == 0 {
		return c.fail(iscsierr.Inval, "update requires name and value")
	}
	for _, u := range o.updates {
		if u.name == "" || !u.hasValue {
			return c.fail(iscsierr.Inval, "update requires name and value")
		}
	}
	return nil
}

// applyUpdates sets the pairs on rec, printing open-iscsi's message for
// each refusal. It reports whether all were applied.
func (c *cmd) applyUpdates(rec *records.Record, updates []nameValue) bool {
	for _, u := range updates {
		err := rec.Set(u.name, u.value)
		switch {
		case err == nil:
			continue
		case errors.Is(err, records.ErrUnknownKey):
			c.errorf("Cannot modify %s. Invalid param name.", u.name)
		case errors.Is(err, records.ErrFixed):
			c.errorf("Cannot modify %s. It is used to look up the record and cannot be changed.", u.name)
		default:
			c.errorf("unknown value format '%s' for parameter name '%s'", printableValue(u.value), u.name)
			c.errorf("Unknown parameter %s.", u.name)
		}
		return false
	}
	return true
}

// printableValue quotes a value that would garble a terminal.
func printableValue(v string) string {
	q := strconv.Quote(v)
	if q[1:len(q)-1] == v {
		return v
	}
	return q
}
