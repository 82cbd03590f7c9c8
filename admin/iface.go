package admin

import (
	"errors"
	"fmt"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
)

// ifaceMode is -m iface.
func (c *cmd) ifaceMode(o *options) error {
	if err := o.ifacesValidated(c); err != nil {
		return err
	}
	if len(o.ifaces) == 0 {
		return c.ifaceList()
	}
	name := o.ifaces[0]
	switch {
	case o.ops&opNew != 0:
		return c.ifaceNew(name)
	case o.ops&opDelete != 0:
		return c.ifaceDelete(name)
	case o.ops&opUpdate != 0:
		return c.ifaceUpdate(name, o)
	}
	return c.ifaceShow(name)
}

// ifaceList prints "name transport,hwaddress,ipaddress,net_ifacename,initiatorname".
func (c *cmd) ifaceList() error {
	names, err := c.store.Ifaces()
	if err != nil {
		return c.fail(iscsierr.IDBM, "Could not read iface records: %v", err)
	}
	for _, n := range append(names, records.BuiltinIfaceNames()...) {
		rec, err := c.store.ReadIface(n)
		if err != nil {
			continue
		}
		c.printf("%s %s,%s,%s,%s,%s\n", n, empty(rec.Get("iface.transport_name")),
			empty(rec.Get("iface.hwaddress")), empty(rec.Get("iface.ipaddress")),
			empty(rec.Get("iface.net_ifacename")), empty(rec.Get("iface.initiatorname")))
	}
	return nil
}

func empty(s string) string {
	if s == "" {
		return "<empty>"
	}
	return s
}

func (c *cmd) ifaceShow(name string) error {
	rec, err := c.store.ReadIface(name)
	if errors.Is(err, records.ErrNotFound) {
		c.printIfaceOpenError(name)
		return quiet(iscsierr.IDBM)
	}
	if err != nil {
		return c.fail(iscsierr.IDBM, "Could not read iface %s: %v", name, err)
	}
	return rec.Print(c.stdout, true)
}

// printIfaceOpenError is the message open-iscsi's record library prints
// for a missing interface file (its source location included).
func (c *cmd) printIfaceOpenError(name string) {
	c.printfErr("iSCSI ERROR: Failed to open %s using read mode: 2 No such file or directory # idbm.c:_idbm_recs_read():834\n",
		c.shownPath("ifaces", name))
}

func (c *cmd) printfErr(format string, args ...any) {
	fmt.Fprintf(c.stderr, format, args...)
}

func (c *cmd) ifaceNew(name string) error {
	if records.IsBuiltinIface(name) {
		c.errorf("iface %s is a special interface and is not stored in %s.", name, c.shownPath("ifaces"))
		return c.fail(iscsierr.Inval, "Could not create new interface %s.", name)
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := c.store.WriteIface(records.NewIface(name)); err != nil {
		return c.fail(iscsierr.IDBM, "Could not create new interface %s: %v", name, err)
	}
	c.printf("%s updated.\n", name)
	c.printf("New interface %s added\n", name)
	return nil
}

func (c *cmd) ifaceDelete(name string) error {
	if records.IsBuiltinIface(name) {
		c.errorf("iface %s is a special interface and cannot be deleted.", name)
		return c.fail(iscsierr.Inval, "Could not delete iface %s: %s", name, iscsierr.Inval)
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := c.store.ReadIface(name); err != nil {
		c.errorf("Could not read iface info for %s.", name)
		return c.fail(iscsierr.Inval, "Could not delete iface %s: %s", name, iscsierr.Inval)
	}
	if err := c.unbindIface(name); err != nil {
		return err
	}
	if err := c.store.DeleteIface(name); err != nil {
		return c.fail(iscsierr.IDBM, "Could not delete iface %s: %v", name, err)
	}
	c.printf("%s unbound and deleted.\n", name)
	return nil
}

// unbindIface deletes the node records bound to an interface.
func (c *cmd) unbindIface(name string) error {
	refs, err := c.store.Nodes()
	if err != nil {
		return c.fail(iscsierr.IDBM, "Could not read node DB: %v.", err)
	}
	for _, r := range refs {
		if r.Iface == name && !r.Legacy {
			if err := c.store.DeleteNode(r); err != nil {
				return c.fail(iscsierr.IDBM, "Could not unbind %s: %v", r.File(), err)
			}
		}
	}
	return nil
}

func (c *cmd) ifaceUpdate(name string, o *options) error {
	if err := checkUpdates(c, o); err != nil {
		return err
	}
	if records.IsBuiltinIface(name) {
		c.errorf("iface %s is a special interface and cannot be modified.", name)
		return c.fail(iscsierr.Inval, "Could not update iface %s: %s", name, iscsierr.Inval)
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	rec, err := c.store.ReadIface(name)
	if err != nil {
		return c.fail(iscsierr.Inval, "Could not read iface info for %s.", name)
	}
	if !c.applyUpdates(rec, o.updates) {
		return c.fail(iscsierr.Inval, "Could not update iface %s: %s", name, iscsierr.Inval)
	}
	if err := c.store.WriteIface(rec); err != nil {
		return c.fail(iscsierr.IDBM, "Could not update iface %s: %v", name, err)
	}
	c.printf("%s updated.\n", name)
	return nil
}
