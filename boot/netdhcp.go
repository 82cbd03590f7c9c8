package boot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/goiscsi/goiscsi/sysfs"
	"golang.org/x/sys/unix"
)

// dhcpWait bounds one interface's DHCP exchange.
const dhcpWait = 30 * time.Second

// wantsDHCP reports whether to run DHCP with no ip= at all: as dracut
// does for netroot=dhcp, when nothing names a target (no netroot=, no
// iscsi_target_*, no iBFT), the root path must come from DHCP.
func (b *booter) wantsDHCP() bool {
	return len(b.cfg.Net) == 0 && len(b.cfg.Targets) == 0 && !b.cfg.Firmware
}

// dhcp configures nc.Dev (or the first interface) from a DHCPv4 lease:
// address, subnet and default route, the hostname when ip= gave none,
// and the root path (option 17) as the target when none is configured.
func (b *booter) dhcp(ctx context.Context, nc NetConfig) error {
	dev, err := waitNetDev(ctx, nc.Dev, 10*time.Second)
	if err != nil {
		return err
	}
	ifi, err := sysfs.FromEnv().NetDev(dev)
	if err != nil {
		return fmt.Errorf("DHCP on %s: %w", dev, err)
	}
	if len(ifi.MAC) != 6 {
		return fmt.Errorf("DHCP on %s: not an Ethernet interface", dev)
	}
	if err := linkUp(dev); err != nil {
		return fmt.Errorf("DHCP on %s: %w", dev, err)
	}
	waitCarrier(dev)
	tr, err := newUDPTransport(dev)
	if err != nil {
		return fmt.Errorf("DHCP on %s: %w", dev, err)
	}
	defer tr.close()
	ctx, cancel := context.WithTimeout(ctx, dhcpWait)
	defer cancel()
	l, err := dhcpExchange(ctx, tr, ifi.MAC, newXID())
	if err != nil {
		return fmt.Errorf("DHCP on %s: %w (does a DHCP server answer on this network?)", dev, err)
	}
	q := nicSetup{Dev: dev, Addr: l.Addr, BringUp: true}
	if l.Router.IsValid() {
		q.Gateway, q.DefaultRoute = l.Router, true
	}
	if err := applyNICSetup(q); err != nil {
		return fmt.Errorf("DHCP on %s: %w", dev, err)
	}
	b.logf("network: %s is %s from DHCP server %s, router %s, lease %s", dev, l.Addr, l.Server, l.Router, l.Lease)
	b.dns.add("DHCP", l.DNS, l.Domain)
	if l.Hostname != "" && nc.Hostname == "" && validHostname(l.Hostname) {
		if err := unix.Sethostname([]byte(l.Hostname)); err == nil {
			b.logf("hostname %s from DHCP", l.Hostname)
		}
	}
	if strings.HasPrefix(l.RootPath, "iscsi:") && len(b.cfg.Targets) == 0 && !b.cfg.Firmware {
		if err := b.cfg.UseRootPath(l.RootPath); err != nil {
			return fmt.Errorf("DHCP root path: %w", err)
		}
		// The root path may hold CHAP secrets: name the target only.
		t := b.cfg.Targets[0]
		b.logf("target from the DHCP root path: %s at %s", t.Name, t.Addr)
	}
	return nil
}

// linkUp sets IFF_UP on dev.
func linkUp(dev string) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(dev)
	if err != nil {
		return fmt.Errorf("interface name: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("reading the link flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bringing the link up: %w", err)
	}
	return nil
}

// validHostname accepts a DNS name of letters, digits, '-' and '.'.
func validHostname(h string) bool {
	if len(h) > 64 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
