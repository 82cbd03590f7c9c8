package sysfs

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// NetDev is a network interface as /sys/class/net shows it.
type NetDev struct {
	Name     string
	Index    int
	MAC      []byte // nil when the device has none
	Loopback bool
}

// iffLoopback is IFF_LOOPBACK of the flags attribute.
const iffLoopback = 0x8

// NetDev reads network interface name.
func (r Root) NetDev(name string) (NetDev, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return NetDev{}, fmt.Errorf("netdev %q: invalid name", name)
	}
	idx, err := r.Attr("class", "net", name, "ifindex")
	if err != nil {
		return NetDev{}, fmt.Errorf("netdev %s: %w", name, err)
	}
	d := NetDev{Name: name}
	if d.Index, err = strconv.Atoi(idx); err != nil || d.Index <= 0 {
		return NetDev{}, fmt.Errorf("netdev %s: ifindex %q", name, idx)
	}
	if mac, err := ParseMAC(r.optAttr("class", "net", name, "address")); err == nil {
		d.MAC = mac
	}
	flags, _ := strconv.ParseUint(strings.TrimPrefix(r.optAttr("class", "net", name, "flags"), "0x"), 16, 32)
	d.Loopback = flags&iffLoopback != 0
	return d, nil
}

// NetDevs lists the network interfaces, by index.
func (r Root) NetDevs() ([]NetDev, error) {
	entries, err := os.ReadDir(r.path("class", "net"))
	if err != nil {
		return nil, err
	}
	var out []NetDev
	for _, e := range entries {
		if d, err := r.NetDev(e.Name()); err == nil {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out, nil
}

// ParseMAC reads a hardware address of 6, 8 or 20 octets written as
// hex pairs separated by ':' or '-' ("52:54:00:12:34:56").
func ParseMAC(s string) ([]byte, error) {
	sep := ":"
	if strings.Contains(s, "-") {
		sep = "-"
	}
	parts := strings.Split(s, sep)
	if n := len(parts); n != 6 && n != 8 && n != 20 {
		return nil, errors.New("invalid MAC address " + strconv.Quote(s))
	}
	mac := make([]byte, len(parts))
	for i, p := range parts {
		if len(p) != 2 {
			return nil, errors.New("invalid MAC address " + strconv.Quote(s))
		}
		if _, err := hex.Decode(mac[i:i+1], []byte(p)); err != nil {
			return nil, errors.New("invalid MAC address " + strconv.Quote(s))
		}
	}
	return mac, nil
}
