package admin

import (
	"fmt"

	"github.com/goiscsi/goiscsi/internal/buildinfo"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

const usageText = `Usage: iscsiadm -m MODE [OPTION]...
Manage iSCSI records and sessions (goiscsi, compatible with open-iscsi).

  iscsiadm -m discoverydb [-hV] [-d level] [-P level] [-t type -p ip:port -I iface... [-Dl]] | [[-p ip:port -t type] [-o op] [-n name] [-v value] [-lD]]
  iscsiadm -m discovery [-hV] [-d level] [-P level] [-t type -p ip:port -I iface... [-l]] | [[-p ip:port] [-l | -D]] [-W]
  iscsiadm -m node [-hV] [-d level] [-P level] [-L all,manual,automatic,onboot] [-W] [-U all,manual,automatic,onboot] [-S] [[-T target -p ip:port -I iface] [-l | -u | -R | -s]] [[-o op] [-n name] [-v value]]
  iscsiadm -m session [-hV] [-d level] [-P level] [-r sid | sysfsdir [-R | -u | -s] [-o op] [-n name] [-v value]]
  iscsiadm -m iface [-hV] [-d level] [-P level] [-I iface | -H host] [[-o op] [-n name] [-v value]]
  iscsiadm -m fw [-d level] [-l] [-W] [[-n name] [-v value]]
  iscsiadm -m host [-P level] [-H host] [[-o op] [-n name] [-v value]]
  iscsiadm -k priority

Operations (-o): new, delete, update, show, nonpersistent.
`

// run parses the command line and runs the mode.
func (c *cmd) run(args []string) error {
	if len(args) < 2 {
		return c.usageHint()
	}
	c.prog = args[0]
	var o options
	for _, opt := range spec.Parse(args[1:]).Options {
		if opt.Err != "" {
			fmt.Fprintf(c.stderr, "%s: %s\n", c.prog, opt.Err)
		}
		switch opt.Val {
		case 'V':
			c.printf("iscsiadm version %s\n", buildinfo.Version())
			return nil
		case 'h':
			c.printf("%s", usageText)
			return nil
		}
		if err := o.apply(c, opt); err != nil {
			return err
		}
	}
	if err := o.checkMode(c); err != nil {
		return err
	}
	if o.sawBad {
		return c.fail(iscsierr.Inval, "unrecognized character '%c'", o.badOpt)
	}
	if o.hasKill {
		return c.killDaemon(o.kill)
	}
	switch o.mode {
	case modeNone:
		return c.usageHint()
	case modeNode:
		c.ensureIfacesDir()
		return c.nodeMode(&o)
	case modeIface:
		c.ensureIfacesDir()
		return c.ifaceMode(&o)
	case modeDiscoveryDB:
		return c.discoveryDBMode(&o)
	case modeDiscovery:
		return c.discoveryMode(&o)
	case modeSession:
		return c.sessionMode(&o)
	case modeHost:
		return c.hostMode(&o)
	case modeFW:
		return c.fwMode(&o)
	}
	return c.fail(iscsierr.Inval, "mode -1 is not yet supported")
}

// ensureIfacesDir makes ifaces/ as open-iscsi does when it reads
// interfaces; a read-only root is no error.
func (c *cmd) ensureIfacesDir() { _ = c.store.EnsureIfacesDir() }

// usageHint is open-iscsi's answer to a command line it cannot use.
func (c *cmd) usageHint() error {
	fmt.Fprintf(c.stderr, "Try `iscsiadm --help' for more information.\n")
	return quiet(iscsierr.Inval)
}
