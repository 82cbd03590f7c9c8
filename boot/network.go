package boot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goiscsi/goiscsi/netlinkraw/rtnl"
	"github.com/goiscsi/goiscsi/sysfs"
)

// nicSetup is what is done to one interface: bring it up with its
// address (once per interface), then add a route through it, via a
// gateway if one is set. -N routes the firmware target's address, as
// open-iscsi does (the iBFT VLAN is not applied; open-iscsi does not
// either); a static ip= adds the default route.
type nicSetup struct {
	Dev     string
	Addr    netip.Prefix // the NIC's address and subnet
	Target  netip.Addr   // the route's destination: a host, or with DefaultRoute none
	Gateway netip.Addr   // invalid: the destination is on the subnet
	BringUp bool
	// DefaultRoute routes 0.0.0.0/0 (through Gateway) instead of Target.
	DefaultRoute bool
}

// nicSetupFor checks a firmware entry's network settings (IPv4 only).
func nicSetupFor(e sysfs.BootEntry, bringUp bool) (nicSetup, error) {
	q := nicSetup{Dev: e.NIC.NetDev, BringUp: bringUp}
	if q.Dev == "" {
		return q, errors.New("No netdev name in fw entry.")
	}
	ip, err := netip.ParseAddr(e.NIC.IPAddr)
	if err != nil || !ip.Is4() {
		return q, errors.New("Invalid or missing ipaddr in fw entry")
	}
	mask, _ := netip.ParseAddr(e.NIC.SubnetMask)
	bits, ok := maskLen(mask)
	if !ok {
		return q, errors.New("Invalid or missing netmask in fw entry")
	}
	q.Addr = netip.PrefixFrom(ip, bits)
	if q.Target, err = netip.ParseAddr(e.Target.IPAddr); err != nil || !q.Target.Is4() {
		return q, errors.New("Invalid or missing target ipaddr in fw entry")
	}
	if !q.Addr.Masked().Contains(q.Target) {
		gw, err := netip.ParseAddr(e.NIC.Gateway)
		if err != nil || !gw.Is4() {
			return q, fmt.Errorf("Invalid or missing gateway for %s", q.Dev)
		}
		q.Gateway = gw
	}
	return q, nil
}

// requests are the rtnetlink messages for q on interface ifindex; the
// address and the route may already exist.
func (q nicSetup) requests(ifindex int) [][]byte {
	const create = unix.NLM_F_REQUEST | unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_EXCL
	var out [][]byte
	if q.BringUp {
		link := make([]byte, unix.SizeofIfInfomsg)
		binary.NativeEndian.PutUint32(link[4:], uint32(ifindex))
		binary.NativeEndian.PutUint32(link[8:], unix.IFF_UP)
		binary.NativeEndian.PutUint32(link[12:], unix.IFF_UP)
		out = append(out, rtnl.Message(unix.RTM_NEWLINK, unix.NLM_F_REQUEST|unix.NLM_F_ACK, link))
		ip := q.Addr.Addr().AsSlice()
		addr := []byte{unix.AF_INET, byte(q.Addr.Bits()), 0, unix.RT_SCOPE_UNIVERSE, 0, 0, 0, 0}
		binary.NativeEndian.PutUint32(addr[4:], uint32(ifindex))
		addr = append(addr, rtnl.Attr(unix.IFA_LOCAL, ip)...)
		addr = append(addr, rtnl.Attr(unix.IFA_ADDRESS, ip)...)
		out = append(out, rtnl.Message(unix.RTM_NEWADDR, create, addr))
	}
	scope := byte(unix.RT_SCOPE_LINK)
	if q.Gateway.IsValid() {
		scope = unix.RT_SCOPE_UNIVERSE
	}
	if !q.DefaultRoute && !q.Target.IsValid() {
		return out
	}
	dstLen := byte(32)
	if q.DefaultRoute {
		dstLen = 0
	}
	rt := []byte{unix.AF_INET, dstLen, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, scope, unix.RTN_UNICAST, 0, 0, 0, 0}
	if !q.DefaultRoute {
		rt = append(rt, rtnl.Attr(unix.RTA_DST, q.Target.AsSlice())...)
	}
	oif := make([]byte, 4)
	binary.NativeEndian.PutUint32(oif, uint32(ifindex))
	rt = append(rt, rtnl.Attr(unix.RTA_OIF, oif)...)
	if q.Gateway.IsValid() {
		rt = append(rt, rtnl.Attr(unix.RTA_GATEWAY, q.Gateway.AsSlice())...)
	}
	return append(out, rtnl.Message(unix.RTM_NEWROUTE, create, rt))
}

// applyNICSetup sends q's requests over rtnetlink; EEXIST is success.
func applyNICSetup(q nicSetup) error {
	ifi, err := sysfs.FromEnv().NetDev(q.Dev)
	if err != nil {
		return err
	}
	c, err := rtnl.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	for _, req := range q.requests(ifi.Index) {
		if err := c.Exec(req); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("configure %s: %w", q.Dev, err)
		}
	}
	if q.BringUp {
		waitCarrier(q.Dev)
		_ = announce(q.Dev, q.Addr.Addr())
	}
	return nil
}

// setupFirmwareNICs is -N.
func (s *starter) setupFirmwareNICs() int {
	_, entries, ok := s.firmwareEntries()
	if !ok {
		fmt.Fprintln(s.stdout, "Could not setup fw entries.")
		return exitNoFirmware
	}
	apply := s.netSetup
	if apply == nil {
		apply = applyNICSetup
	}
	status, prev := 0, ""
	for i, e := range entries {
		bringUp := i == 0 || e.NIC.NetDev != prev
		prev = e.NIC.NetDev
		fmt.Fprintf(s.stdout, "Setting up software interface %s\n", e.NIC.NetDev)
		q, err := nicSetupFor(e, bringUp)
		if err == nil {
			err = apply(q)
		}
		if err != nil {
			s.logf("%v", err)
			fmt.Fprintf(s.stdout, "Setting up software interface %s failed\n", e.NIC.NetDev)
			status = exitLogin
		}
	}
	return status
}

// carrierWait bounds the wait for a link's carrier after bringing it up.
const carrierWait = 5 * time.Second

// waitCarrier waits, bounded, until dev reports a carrier: packets sent
// before that are dropped, and the first SYN or ARP request of a login
// would be retried only after a second. A link that never reports one
// is used all the same (some drivers do not say).
func waitCarrier(dev string) {
	sys := sysfs.FromEnv()
	deadline := time.Now().Add(carrierWait)
	for time.Now().Before(deadline) {
		if v, err := sys.Attr("class", "net", dev, "carrier"); err != nil || v == "1" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// announce sends one gratuitous ARP for ip on dev, as boot-time network
// set-ups do: a target that still holds this address for an earlier boot
// of the machine, in a neighbour entry it is failing to refresh, would
// otherwise answer the login's SYN only after its next probe, a second
// or more later. Best effort: errors only cost that second.
func announce(dev string, ip netip.Addr) error {
	ifi, err := sysfs.FromEnv().NetDev(dev)
	if err != nil || len(ifi.MAC) != 6 || !ip.Is4() {
		return fmt.Errorf("announcing %s on %s: not an Ethernet interface with IPv4", ip, dev)
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ARP)))
	if err != nil {
		return fmt.Errorf("announcing %s: %w", ip, err)
	}
	defer unix.Close(fd)
	to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: ifi.Index, Halen: 6,
		Addr: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
	if err := unix.Sendto(fd, arpAnnouncement(ifi.MAC, ip), 0, to); err != nil {
		return fmt.Errorf("announcing %s: %w", ip, err)
	}
	return nil
}

// arpAnnouncement is an ARP request for ip from ip (RFC 5227's
// announcement): Ethernet, IPv4, our MAC, target MAC zero.
func arpAnnouncement(mac []byte, ip netip.Addr) []byte {
	p := make([]byte, 28)
	binary.BigEndian.PutUint16(p[0:], 1)      // hardware type: Ethernet
	binary.BigEndian.PutUint16(p[2:], 0x0800) // protocol type: IPv4
	p[4], p[5] = 6, 4
	binary.BigEndian.PutUint16(p[6:], 1) // request
	copy(p[8:14], mac)
	a := ip.As4()
	copy(p[14:18], a[:])
	copy(p[24:28], a[:])
	return p
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
