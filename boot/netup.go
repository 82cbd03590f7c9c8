package boot

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/goiscsi/goiscsi/sysfs"
)

// network brings up the interfaces ip= describes. Static and DHCPv4
// settings are applied here; with no ip= at all DHCP runs when nothing
// names a target (the root path must come from it), and otherwise the
// network is left as it is.
func (b *booter) network(ctx context.Context) error {
	if b.wantsDHCP() {
		return b.dhcp(ctx, NetConfig{Mode: "dhcp"})
	}
	for _, nc := range b.cfg.Net {
		switch nc.Mode {
		case "off", "none", "ibft":
			continue // ibft: the firmware step configures the iBFT's NICs
		case "static":
			dev, err := waitNetDev(ctx, nc.Dev, 10*time.Second)
			if err != nil {
				return err
			}
			if err := configureIPv4(dev, nc.Addr, nc.Netmask, nc.Gateway); err != nil {
				return fmt.Errorf("ip=: %w", err)
			}
			b.logf("network: %s is %s/%s, gateway %q", dev, nc.Addr, nc.Netmask, nc.Gateway)
			b.dns.add("ip=", parseServers(nc.DNS...), "")
		case "dhcp":
			if err := b.dhcp(ctx, nc); err != nil {
				return err
			}
		default:
			return fmt.Errorf("ip=%s is not supported yet: give the static form client::gw:netmask:hostname:dev:off", nc.Mode)
		}
	}
	return nil
}

// waitNetDev waits until the named interface exists (its driver was
// just loaded), or, with no name, for the first one that is not lo.
func waitNetDev(ctx context.Context, name string, limit time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		if dev := findNetDev(name); dev != "" {
			return dev, nil
		}
		select {
		case <-ctx.Done():
			if name == "" {
				return "", errors.New("no network interface appeared: is the NIC's driver in the image?")
			}
			return "", fmt.Errorf("network interface %s did not appear", name)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func findNetDev(name string) string {
	sys := sysfs.FromEnv()
	if name != "" {
		if _, err := sys.NetDev(name); err == nil {
			return name
		}
		return ""
	}
	devs, _ := sys.NetDevs()
	for _, d := range devs {
		if !d.Loopback {
			return d.Name
		}
	}
	return ""
}

// configureIPv4 gives dev an address and netmask, brings it up and adds
// a default route through gw (if any), over rtnetlink.
func configureIPv4(dev, addr, mask, gw string) error {
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is4() {
		return fmt.Errorf("%q is not an IPv4 address", addr)
	}
	bits, err := maskBits(mask, ip)
	if err != nil {
		return err
	}
	q := nicSetup{Dev: dev, Addr: netip.PrefixFrom(ip, bits), BringUp: true}
	if gw != "" {
		g, err := netip.ParseAddr(gw)
		if err != nil || !g.Is4() {
			return fmt.Errorf("gateway %q is not an IPv4 address", gw)
		}
		q.Gateway, q.DefaultRoute = g, true
	}
	return applyNICSetup(q)
}

// maskBits reads a dotted netmask or a prefix length; "" is the
// address's class default.
func maskBits(mask string, ip netip.Addr) (int, error) {
	if mask == "" {
		return classBits(ip), nil
	}
	m, _ := netip.ParseAddr(mask)
	if ones, ok := maskLen(m); ok {
		return ones, nil
	}
	if n, err := strconv.Atoi(mask); err == nil && n >= 0 && n <= 32 {
		return n, nil
	}
	return 0, fmt.Errorf("netmask %q", mask)
}
