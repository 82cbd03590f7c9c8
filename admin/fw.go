package admin

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/goiscsi/goiscsi/daemon/ipc"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
	"github.com/goiscsi/goiscsi/sysfs"
)

// fwMode is -m fw: the boot firmware's (iBFT's) targets, printed as
// record dumps, or with -l logged in to through iscsid.
func (c *cmd) fwMode(o *options) error {
	entries, err := c.firmwareEntries()
	if err != nil {
		return err
	}
	if o.login {
		return c.loginFirmware(entries)
	}
	for _, e := range entries {
		if err := records.WriteFields(c.stdout, e.Fields()); err != nil {
			return err
		}
	}
	return nil
}

// firmwareEntries reads the usable iBFT targets; none is open-iscsi's
// ISCSI_ERR_NO_OBJS_FOUND. A malformed table is reported first.
func (c *cmd) firmwareEntries() ([]sysfs.BootEntry, error) {
	t, err := c.sysfs().IBFT()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.errorf("%v", err)
	}
	var entries []sysfs.BootEntry
	if err == nil {
		entries = t.Entries()
	}
	if len(entries) == 0 {
		code := iscsierr.NoObjsFound
		return nil, c.fail(code, "Could not get list of targets from firmware. (err %d)", int(code))
	}
	return entries, nil
}

// loginFirmware asks iscsid to log in to each firmware target, one
// portal at a time as open-iscsi does; the last failure is the status.
func (c *cmd) loginFirmware(entries []sysfs.BootEntry) error {
	var status error
	for _, e := range entries {
		name := fmt.Sprintf("[iface: default, target: %s, portal: %s,%d]", e.Target.Name, e.Target.IPAddr, e.Target.Port)
		c.printf("Logging in to %s\n", name)
		_, err := c.call(&ipc.Request{Op: ipc.OpLogin, Record: string(firmwareRecord(e).Marshal())})
		if err != nil {
			code := iscsierr.CodeOf(err)
			c.errorf("Could not login to %s.", name)
			c.errorf("initiator reported error (%d - %s)", int(code), code)
			status = quiet(code)
			continue
		}
		c.printf("Login to %s successful.\n", name)
	}
	return status
}

// firmwareRecord is the node record of a firmware target: built-in
// defaults, the table's portal, initiator name and CHAP.
func firmwareRecord(e sysfs.BootEntry) *records.Record {
	rec := newNodeRecord(e.Target.Name, records.Portal{Addr: e.Target.IPAddr, Port: e.Target.Port, TPGT: 1},
		records.NewIface("default"))
	set := func(k, v string) { _ = rec.Set(k, v) }
	set("iface.initiatorname", e.Initiator.Name)
	set("node.startup", "onboot")
	if e.Target.ChapType > 0 {
		set("node.session.auth.authmethod", "CHAP")
		set("node.session.auth.username", e.Target.ChapName)
		set("node.session.auth.password", e.Target.ChapSecret)
	}
	if e.Target.ChapType > 1 {
		set("node.session.auth.username_in", e.Target.RevChapName)
		set("node.session.auth.password_in", e.Target.RevChapSecret)
	}
	return rec
}
