package admin

import (
	"errors"
	"strconv"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
)

// sendTargets runs SendTargets discovery against p and updates the
// records: with no -o, new portals are added, portals the target no
// longer reports are deleted and known ones are rewritten, as open-iscsi
// does; -o new/delete/update select among those, -o nonpersistent
// touches nothing.
func (c *cmd) sendTargets(p records.Portal, o *options) error {
	if err := o.ifacesValidated(c); err != nil {
		return err
	}
	conf, err := records.LoadConfig(c.shownPath("iscsid.conf"))
	if err != nil {
		return c.fail(iscsierr.IDBM, "Could not read %s: %v", c.shownPath("iscsid.conf"), err)
	}
	drec, err := c.store.ReadDiscovery(p)
	if errors.Is(err, records.ErrNotFound) {
		if o.mode == modeDiscoveryDB {
			return c.notFound(p)
		}
		drec = records.NewDiscovery(p)
		conf.Apply(drec)
	} else if err != nil {
		return c.fail(iscsierr.IDBM, "Could not read discovery record [%s]: %v", p.DirName(), err)
	}
	ifaces, err := c.discoveryIfaces(o)
	if err != nil {
		return err
	}
	found, err := c.runSendTargets(p, drec, ifaces[0])
	if err != nil {
		return err
	}
	if o.ops&opNonPersistent == 0 {
		if err := c.persistDiscovery(p, drec, conf, ifaces, found, o.ops); err != nil {
			return err
		}
	}
	refs := refsOf(found, ifaces)
	if o.printLevel >= 1 {
		c.printNodeTree(refs)
	} else {
		for _, r := range refs {
			c.printf("%s,%d %s\n", r.Portal.HostPort(), r.Portal.TPGT, r.Target)
		}
	}
	if o.login {
		return c.loginRefs(refs)
	}
	return nil
}

func (c *cmd) discoveryIfaces(o *options) ([]*records.Record, error) {
	names := o.ifaces
	if len(names) == 0 {
		names = []string{"default"}
	}
	var out []*records.Record
	for _, n := range names {
		rec, err := c.store.ReadIface(n)
		if err != nil {
			return nil, c.fail(iscsierr.Inval, "Could not read iface info for %s.", n)
		}
		out = append(out, rec)
	}
	return out, nil
}

func refsOf(found []discovered, ifaces []*records.Record) []records.NodeRef {
	var refs []records.NodeRef
	for _, ifrec := range ifaces {
		for _, d := range found {
			refs = append(refs, records.NodeRef{Target: d.target, Portal: d.portal, Iface: ifrec.Get("iface.iscsi_ifacename")})
		}
	}
	return refs
}

// persistDiscovery writes the discovery record and the node records.
func (c *cmd) persistDiscovery(via records.Portal, drec *records.Record, conf *records.Config,
	ifaces []*records.Record, found []discovered, ops op) error {
	if ops == 0 {
		ops = opNew | opDelete | opUpdate
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := c.store.WriteDiscovery(drec); err != nil {
		return c.fail(iscsierr.IDBM, "Could not write discovery record [%s]: %v", via.DirName(), err)
	}
	existing, err := c.nodesFrom(via)
	if err != nil {
		return err
	}
	seen := map[records.NodeRef]bool{}
	for _, ref := range refsOf(found, ifaces) {
		seen[ref] = true
		_, exists := existing[ref]
		if exists && ops&opUpdate == 0 || !exists && ops&opNew == 0 {
			continue
		}
		rec := discoveredNode(ref, via, conf, ifaceByName(ifaces, ref.Iface))
		if err := c.store.WriteNode(rec, false); err != nil {
			return c.fail(iscsierr.IDBM, "Could not add record %s: %v", ref.File(), err)
		}
		if err := c.store.LinkDiscoveredNode(via, ref); err != nil {
			return c.fail(iscsierr.IDBM, "Could not link record %s: %v", ref.File(), err)
		}
	}
	if ops&opDelete == 0 {
		return nil
	}
	for ref := range existing {
		if !seen[ref] && matchString(ifaceNames(ifaces), ref.Iface) {
			if err := c.store.DeleteNode(ref); err != nil {
				return c.fail(iscsierr.IDBM, "Could not delete record %s: %v", ref.File(), err)
			}
		}
	}
	return nil
}

// nodesFrom returns the node records found through SendTargets at via.
func (c *cmd) nodesFrom(via records.Portal) (map[records.NodeRef]bool, error) {
	all, err := c.store.Nodes()
	if err != nil {
		return nil, c.fail(iscsierr.IDBM, "Could not read node DB: %v.", err)
	}
	out := map[records.NodeRef]bool{}
	for _, ref := range all {
		rec, err := c.store.ReadNode(ref)
		if err != nil {
			continue
		}
		if rec.Get("node.discovery_type") == "send_targets" && rec.Get("node.discovery_address") == via.Addr &&
			rec.Int("node.discovery_port") == via.Port {
			out[ref] = true
		}
	}
	return out, nil
}

// discoveredNode builds a node record as discovery makes it: built-in
// defaults, then iscsid.conf, then what discovery learnt.
func discoveredNode(ref records.NodeRef, via records.Portal, conf *records.Config, iface *records.Record) *records.Record {
	rec := newNodeRecord(ref.Target, ref.Portal, iface)
	conf.Apply(rec)
	_ = rec.Set("node.discovery_address", via.Addr)
	_ = rec.Set("node.discovery_port", strconv.Itoa(via.Port))
	_ = rec.Set("node.discovery_type", "send_targets")
	return rec
}

func ifaceByName(ifaces []*records.Record, name string) *records.Record {
	for _, r := range ifaces {
		if r.Get("iface.iscsi_ifacename") == name {
			return r
		}
	}
	return ifaces[0]
}

func ifaceNames(ifaces []*records.Record) []string {
	var out []string
	for _, r := range ifaces {
		out = append(out, r.Get("iface.iscsi_ifacename"))
	}
	return out
}
