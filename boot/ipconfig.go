package boot

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/goiscsi/goiscsi/records"
)

// ParseIPConfig parses the value of one ip= parameter, in the kernel's
// and dracut's forms:
//
//	ip=dhcp | on | any | dhcp6 | auto6 | ibft | off | none
//	ip=<dev>:<autoconf>
//	ip=<client>:<peer>:<gw>:<netmask>:<hostname>:<dev>:<autoconf>[:<dns0>[:<dns1>]]
//
// Addresses may be IPv6 in brackets; trailing fields may be left out.
// A client address with autoconf "", off or none is a static setting.
// dracut's MTU and MAC address fields are not supported.
func ParseIPConfig(v string) (NetConfig, error) {
	var n NetConfig
	if err := checkText("ip", v, 512); err != nil {
		return n, err
	}
	f, err := splitIPFields(v)
	if err != nil {
		return n, err
	}
	switch len(f) {
	case 1:
		if n.Mode, err = autoconf(f[0]); err != nil {
			return n, err
		}
		if n.Mode == "" || n.Mode == "static" {
			return n, bad("ip", "%q is not an autoconfiguration method", f[0])
		}
		return n, nil
	case 2:
		if n.Mode, err = autoconf(f[1]); err != nil {
			return n, err
		}
		if n.Mode == "" || n.Mode == "static" {
			return n, bad("ip", "%q is not an autoconfiguration method", f[1])
		}
		if f[0] != "" {
			n.Dev = f[0]
			if err := validateNetDev("ip", n.Dev); err != nil {
				return n, err
			}
		}
		return n, nil
	case 3, 4, 5, 6, 7, 8, 9:
		return staticIP(f)
	}
	return n, bad("ip", "%d fields, want at most 9 (mtu and macaddr are not supported)", len(f))
}

// autoconf maps an autoconf word to a Mode.
func autoconf(w string) (string, error) {
	switch w {
	case "dhcp", "on", "any":
		return "dhcp", nil
	case "dhcp6", "auto6", "ibft":
		return w, nil
	case "off", "none":
		return "off", nil
	case "", "static":
		return w, nil
	}
	return "", bad("ip", "unknown autoconfiguration %q", w)
}

// splitIPFields splits on ':' outside brackets; a bracketed field must
// be a whole field.
func splitIPFields(v string) ([]string, error) {
	var f []string
	for {
		if strings.HasPrefix(v, "[") {
			end := strings.IndexByte(v, ']')
			if end < 0 {
				return nil, bad("ip", "missing ]")
			}
			f = append(f, v[:end+1])
			v = v[end+1:]
			if v == "" {
				return f, nil
			}
			if v[0] != ':' {
				return nil, bad("ip", "want ':' after ]")
			}
			v = v[1:]
			continue
		}
		field, rest, ok := strings.Cut(v, ":")
		f = append(f, field)
		if !ok {
			return f, nil
		}
		v = rest
	}
}

// ipField reads an optional address field, brackets removed.
func ipField(what, s string) (string, error) {
	if s == "" {
		return "", nil
	}
	bare := s
	if strings.HasPrefix(s, "[") {
		bare = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	}
	ip, err := netip.ParseAddr(bare)
	if err != nil || ip.Zone() != "" || (bare != s && !ip.Is6()) {
		return "", bad("ip", "bad %s address %q", what, s)
	}
	return ip.String(), nil
}

func staticIP(f []string) (NetConfig, error) {
	f = append(f, make([]string, 9-len(f))...)
	var n NetConfig
	var err error
	if n.Mode, err = autoconf(f[6]); err != nil {
		return n, err
	}
	for _, a := range []struct {
		what string
		in   string
		out  *string
	}{{"client", f[0], &n.Addr}, {"peer", f[1], &n.Peer}, {"gateway", f[2], &n.Gateway}} {
		if *a.out, err = ipField(a.what, a.in); err != nil {
			return n, err
		}
	}
	if n.Netmask = f[3]; n.Netmask != "" {
		if err := checkNetmask(n.Netmask); err != nil {
			return n, err
		}
	}
	if n.Hostname = f[4]; n.Hostname != "" {
		if err := records.ValidateAddress(n.Hostname); err != nil {
			return n, fmt.Errorf("ip: hostname: %w", err)
		}
	}
	if n.Dev = f[5]; n.Dev != "" {
		if err := validateNetDev("ip", n.Dev); err != nil {
			return n, err
		}
	}
	for _, d := range f[7:] {
		a, err := ipField("dns", d)
		if err != nil {
			return n, err
		}
		if a != "" {
			n.DNS = append(n.DNS, a)
		}
	}
	switch n.Mode {
	case "", "off":
		if n.Addr != "" {
			n.Mode = "static"
		} else {
			n.Mode = "off"
		}
	case "static":
		if n.Addr == "" {
			return n, bad("ip", "static without a client address")
		}
	}
	return n, nil
}

// checkNetmask accepts a dotted IPv4 mask or a prefix length 0..128.
func checkNetmask(m string) error {
	if !strings.Contains(m, ".") {
		_, err := parseNum("ip", "netmask", m, 0, 128)
		return err
	}
	ip, err := netip.ParseAddr(m)
	if err != nil || !ip.Is4() {
		return bad("ip", "bad netmask %q", m)
	}
	b := ip.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if v != 0 && (^v)&(^v+1) != 0 {
		return bad("ip", "netmask %q is not contiguous", m)
	}
	return nil
}
