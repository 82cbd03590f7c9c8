package boot

import (
	"errors"
	"fmt"

	"github.com/goiscsi/goiscsi/sysfs"
)

// firmware takes the targets from the iBFT when rd.iscsi.firmware (or
// rd.iscsi.ibft) asks for it and no other source named one, and brings
// up the NICs they use as the iBFT describes them, unless ip= set the
// network up statically already. The initiator name comes from the
// iBFT when the command line gave none.
func (b *booter) firmware() error {
	if !b.cfg.Firmware || len(b.cfg.Targets) > 0 {
		return nil
	}
	ib, err := sysfs.FromEnv().IBFT()
	if err != nil {
		return fmt.Errorf("rd.iscsi.firmware: reading the iBFT: %w (is iscsi_ibft in the image, does the firmware provide a table?)", err)
	}
	entries := ib.Entries()
	if len(entries) == 0 {
		return errors.New("rd.iscsi.firmware: the iBFT names no usable target")
	}
	if b.cfg.Initiator == "" {
		b.cfg.Initiator = ib.Initiator.Name
	}
	up := map[string]bool{}
	for _, e := range entries {
		if !b.staticNet() {
			q, err := nicSetupFor(e, !up[e.NIC.NetDev])
			if err != nil {
				return fmt.Errorf("iBFT network: %w", err)
			}
			if err := applyNICSetup(q); err != nil {
				return fmt.Errorf("iBFT network: %w", err)
			}
			up[q.Dev] = true
			b.logf("network from the iBFT: %s is %s, route to %s", q.Dev, q.Addr, q.Target)
			b.dns.add("iBFT", parseServers(e.NIC.PrimaryDNS, e.NIC.SecondaryDNS), "")
		}
		b.cfg.Targets = append(b.cfg.Targets, bootTargetOf(e))
	}
	b.logf("targets from the iBFT: %d", len(entries))
	return nil
}

// staticNet reports whether ip= configured an interface statically.
func (b *booter) staticNet() bool {
	for _, n := range b.cfg.Net {
		if n.Mode == "static" {
			return true
		}
	}
	return false
}

// bootTargetOf is a firmware entry as a boot target: portal group 1, and
// CHAP (mutual when a reverse name is set) when the table names a user,
// as open-iscsi reads it.
func bootTargetOf(e sysfs.BootEntry) BootTarget {
	t := BootTarget{Name: e.Target.Name, Addr: e.Target.IPAddr, Port: e.Target.Port, TPGT: DefaultTPGT, LUN: AnyLUN}
	if e.Target.ChapName != "" {
		t.Username, t.Password = e.Target.ChapName, e.Target.ChapSecret
		if e.Target.RevChapName != "" {
			t.UsernameIn, t.PasswordIn = e.Target.RevChapName, e.Target.RevChapSecret
		}
	}
	return t
}
