package admin

import (
	"errors"
	"strconv"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
)

// nodeNew is -m node -o new -T target -p portal [-I iface...].
func (c *cmd) nodeNew(o *options) error {
	if len(o.targets) == 0 || len(o.portals) == 0 {
		// open-iscsi 2.1.8 reports this and still exits 0.
		c.errorf("Error while adding record: %s", iscsierr.Success)
		return nil
	}
	portals, _ := o.portalsParsed(c)
	ifaces := o.ifaces
	if len(ifaces) == 0 {
		ifaces = []string{"default"}
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	for _, name := range ifaces {
		iface, err := c.store.ReadIface(name)
		if errors.Is(err, records.ErrNotFound) {
			return c.fail(iscsierr.Inval, "Could not read iface info for %s.", name)
		} else if err != nil {
			return c.fail(iscsierr.IDBM, "Could not read iface %s: %v", name, err)
		}
		rec := newNodeRecord(o.targets[0], portals[0], iface)
		if err := c.store.WriteNode(rec, true); err != nil {
			return c.fail(iscsierr.IDBM, "Error while adding record: %v", err)
		}
		c.printf("New iSCSI node [%s:[hw=%s,ip=%s,net_if=%s,iscsi_if=%s] %s,%d,%d %s] added\n",
			iface.Get("iface.transport_name"), iface.Get("iface.hwaddress"), iface.Get("iface.ipaddress"),
			iface.Get("iface.net_ifacename"), name, portals[0].Addr, portals[0].Port, portals[0].TPGT, o.targets[0])
	}
	return nil
}

// newNodeRecord builds a node record with the built-in defaults, bound
// to iface. (open-iscsi applies iscsid.conf only to discovered records.)
func newNodeRecord(target string, p records.Portal, iface *records.Record) *records.Record {
	rec := records.New(records.NodeTable)
	for _, f := range records.IfaceTable {
		_ = rec.SetFixed(f.Key, iface.Get(f.Key))
	}
	_ = rec.SetFixed("node.name", target)
	_ = rec.SetFixed("node.tpgt", strconv.Itoa(p.TPGT))
	_ = rec.SetFixed("node.conn[0].address", p.Addr)
	_ = rec.SetFixed("node.conn[0].port", strconv.Itoa(p.Port))
	return rec
}
