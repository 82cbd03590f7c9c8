package admin

import (
	"errors"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
)

// discoveryTypes maps -t words to record types; only SendTargets
// records exist so far.
func isSendTargets(t string) bool { return t == "st" || t == "sendtargets" }

// discoveryList prints the discovery records ("ip:port via sendtargets"),
// or the -P 1 tree. No records is exit 21 without a message.
func (c *cmd) discoveryList(o *options) error {
	portals, err := c.store.Discoveries()
	if err != nil {
		return c.fail(iscsierr.IDBM, "Could not read discovery records: %v", err)
	}
	if o.printLevel == 1 {
		c.printf("SENDTARGETS:\n")
		if len(portals) == 0 {
			c.printf("No targets found.\n")
		}
		for _, p := range portals {
			c.printf("DiscoveryAddress: %s\n", p.DirName())
		}
		c.printf("iSNS:\nNo targets found.\nSTATIC:\nNo targets found.\nFIRMWARE:\nNo targets found.\n")
		return nil
	}
	if len(portals) == 0 {
		return quiet(iscsierr.NoObjsFound)
	}
	for _, p := range portals {
		c.printf("%s:%d via sendtargets\n", p.Addr, p.Port)
	}
	return nil
}

// discoveryPortal checks -t and -p for the record operations.
func (c *cmd) discoveryPortal(o *options) (records.Portal, error) {
	if !isSendTargets(o.discType) {
		return records.Portal{}, c.fail(iscsierr.Inval, "Invalid command. Possibly missing discovery --type.")
	}
	if len(o.portals) == 0 {
		return records.Portal{}, c.fail(iscsierr.Inval, "Please specify portal as <ipaddr>[:<ipport>]")
	}
	ps, err := o.portalsParsed(c)
	if err != nil {
		return records.Portal{}, err
	}
	return ps[0], nil
}

// discoveryDBMode is -m discoverydb.
func (c *cmd) discoveryDBMode(o *options) error {
	if o.discType == "" && len(o.portals) == 0 && o.ops == 0 && !o.discover {
		return c.discoveryList(o)
	}
	p, err := c.discoveryPortal(o)
	if err != nil {
		return err
	}
	switch {
	case o.ops&opNew != 0:
		return c.discoveryNew(p)
	case o.ops&opDelete != 0:
		return c.discoveryDelete(p)
	case o.ops&opUpdate != 0:
		return c.discoveryUpdate(p, o)
	case o.discover:
		return c.sendTargets(p, o)
	}
	return c.discoveryShow(p, o)
}

// discoveryMode is -m discovery: list records, or discover.
func (c *cmd) discoveryMode(o *options) error {
	if o.discType == "" && len(o.portals) == 0 {
		return c.discoveryList(o)
	}
	p, err := c.discoveryPortal(o)
	if err != nil {
		return err
	}
	if o.ops == opShow {
		return c.discoveryShow(p, o)
	}
	return c.sendTargets(p, o)
}

func (c *cmd) notFound(p records.Portal) error {
	return c.fail(iscsierr.IDBM, "Discovery record [%s] not found.", p.DirName())
}

func (c *cmd) discoveryShow(p records.Portal, o *options) error {
	rec, err := c.store.ReadDiscovery(p)
	if errors.Is(err, records.ErrNotFound) {
		return c.notFound(p)
	}
	if err != nil {
		return c.fail(iscsierr.IDBM, "Could not read discovery record [%s]: %v", p.DirName(), err)
	}
	return rec.Print(c.stdout, o.showSecret)
}

func (c *cmd) discoveryNew(p records.Portal) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := c.store.WriteDiscovery(records.NewDiscovery(p)); err != nil {
		return c.fail(iscsierr.IDBM, "Could not add discovery record [%s]: %v", p.DirName(), err)
	}
	c.printf("New discovery record for [%s] added.\n", p.DirName())
	return nil
}

func (c *cmd) discoveryDelete(p records.Portal) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := c.store.DeleteDiscovery(p); errors.Is(err, records.ErrNotFound) {
		return c.notFound(p)
	} else if err != nil {
		return c.fail(iscsierr.IDBM, "Could not delete discovery record [%s]: %v", p.DirName(), err)
	}
	return nil
}

func (c *cmd) discoveryUpdate(p records.Portal, o *options) error {
	if err := checkUpdates(c, o); err != nil {
		return err
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	rec, err := c.store.ReadDiscovery(p)
	if errors.Is(err, records.ErrNotFound) {
		return c.notFound(p)
	} else if err != nil {
		return c.fail(iscsierr.IDBM, "Could not read discovery record [%s]: %v", p.DirName(), err)
	}
	if !c.applyUpdates(rec, o.updates) {
		return quiet(iscsierr.Inval)
	}
	if err := c.store.WriteDiscovery(rec); err != nil {
		return c.fail(iscsierr.IDBM, "Could not write discovery record [%s]: %v", p.DirName(), err)
	}
	return nil
}
