package sysfs

import "strconv"

// BootEntry is one target of the table with its NIC and the initiator,
// as open-iscsi's boot tools use it.
type BootEntry struct {
	Initiator IBFTInitiator
	NIC       IBFTNIC
	Target    IBFTTarget
}

// Entries returns the usable targets, in order: a target needs flags,
// a name and an address, and a NIC (by nic-assoc = index) with flags,
// a MAC address and, when the NIC names a device, an interface.
func (t IBFT) Entries() []BootEntry {
	var out []BootEntry
	for _, tgt := range t.Targets {
		if tgt.Flags == 0 || tgt.Name == "" || tgt.IPAddr == "" || !tgt.HasNICAssoc {
			continue
		}
		for _, nic := range t.NICs {
			if nic.Index != tgt.NICAssoc {
				continue
			}
			if nic.usable() {
				out = append(out, BootEntry{Initiator: t.Initiator, NIC: nic, Target: tgt})
			}
			break
		}
	}
	return out
}

func (n IBFTNIC) usable() bool {
	return n.Flags != 0 && n.MAC != "" && (!n.DevLinked || n.NetDev != "")
}

// fwSelected is the iBFT flag "firmware boot selected".
const fwSelected = 2

// Boot returns the NIC and the target the firmware booted from (the
// first of each with the boot-selected flag), or false.
func (t IBFT) Boot() (BootEntry, bool) {
	e := BootEntry{Initiator: t.Initiator}
	nicOK, tgtOK := false, false
	for _, nic := range t.NICs {
		if nic.Flags&fwSelected != 0 {
			e.NIC, nicOK = nic, nic.usable()
			break
		}
	}
	for _, tgt := range t.Targets {
		if tgt.Flags&fwSelected != 0 {
			e.Target, tgtOK = tgt, tgt.Name != "" && tgt.IPAddr != ""
			break
		}
	}
	return e, nicOK && tgtOK
}

// DHCPUsed reports whether the NIC's address came from DHCP: origin 3, or
// a DHCP server address other than 0.0.0.0.
func (n IBFTNIC) DHCPUsed() bool {
	return n.Origin == 3 || (n.DHCP != "" && n.DHCP != "0.0.0.0")
}

// Fields returns the entry as record settings, in the order and with the
// omissions of open-iscsi's firmware dump. Secrets are included as they
// are: the dump shows them.
func (e BootEntry) Fields() [][2]string {
	var f [][2]string
	add := func(k, v string) {
		if v != "" {
			f = append(f, [2]string{k, v})
		}
	}
	add("iface.initiatorname", e.Initiator.Name)
	add("iface.isid", e.Initiator.ISID)
	add("iface.transport_name", "tcp")
	add("iface.hwaddress", e.NIC.MAC)
	if e.NIC.DHCPUsed() {
		add("iface.bootproto", "DHCP")
	} else {
		add("iface.bootproto", "STATIC")
	}
	add("iface.ipaddress", e.NIC.IPAddr)
	if e.NIC.PrefixLen != 0 {
		add("iface.prefix_len", strconv.Itoa(e.NIC.PrefixLen))
	}
	add("iface.subnet_mask", e.NIC.SubnetMask)
	add("iface.gateway", e.NIC.Gateway)
	add("iface.primary_dns", e.NIC.PrimaryDNS)
	add("iface.secondary_dns", e.NIC.SecondaryDNS)
	add("iface.vlan_id", e.NIC.VLAN)
	add("iface.net_ifacename", e.NIC.NetDev)
	add("node.name", e.Target.Name)
	add("node.conn[0].address", e.Target.IPAddr)
	add("node.conn[0].port", strconv.Itoa(e.Target.Port))
	add("node.session.auth.username", e.Target.ChapName)
	add("node.session.auth.password", e.Target.ChapSecret)
	add("node.session.auth.username_in", e.Target.RevChapName)
	add("node.session.auth.password_in", e.Target.RevChapSecret)
	add("node.boot_lun", e.Target.LUN)
	return f
}
