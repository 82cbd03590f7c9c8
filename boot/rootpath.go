package boot

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/goiscsi/goiscsi/records"
)

// ParseRootPath parses an RFC 4173 iSCSI root path, as a DHCP server
// hands it out (option 17):
//
//	iscsi:<servername>:<protocol>:<port>:<LUN>:<targetname>
//
// servername is required and may be an [IPv6] address; empty protocol,
// port and LUN fields mean 6 (TCP), 3260 and 0; targetname may contain
// ':'. As dracut does, a "[user:pass[:ruser:rpass]]@" prefix before the
// servername carries CHAP credentials (an empty one is ignored). The
// LUN is decimal, 0 to 65535. The TPGT is DefaultTPGT.
func ParseRootPath(s string) (BootTarget, error) {
	return parseISCSI("root path", s, false)
}

// parseISCSI parses the RFC 4173 form and, with ext, dracut's netroot
// extension: iface and netdev fields between the port and the LUN.
// Errors name param and the field, never a credential.
func parseISCSI(param, s string, ext bool) (BootTarget, error) {
	t := BootTarget{Port: records.DefaultPort, TPGT: DefaultTPGT}
	if len(s) > maxRootPath {
		return t, bad(param, "longer than %d bytes", maxRootPath)
	}
	rest, ok := strings.CutPrefix(s, "iscsi:")
	if !ok {
		return t, bad(param, `does not start with "iscsi:"`)
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		if err := t.setAuth(param, rest[:at]); err != nil {
			return t, err
		}
		rest = rest[at+1:]
	}
	server, rest, err := cutServer(param, rest)
	if err != nil {
		return t, err
	}
	t.Addr = server
	f := strings.Split(rest, ":")
	// proto:port:lun:name... or, with ext, proto:port:iface:netdev:lun:name...
	nameAt := 3
	if ext && len(f) > 5 && !isNameStart(f[3]) && isNameStart(f[5]) {
		nameAt = 5
	}
	if len(f) <= nameAt {
		return t, bad(param, "fields missing (want %s)", "server:proto:port:lun:target")
	}
	if f[0] != "" && f[0] != "6" {
		return t, bad(param, "protocol %q is not 6 (TCP)", f[0])
	}
	if f[1] != "" {
		if t.Port, err = parseNum(param, "port", f[1], 1, 65535); err != nil {
			return t, err
		}
	}
	if nameAt == 5 {
		t.Iface, t.NetDev = f[2], f[3]
	}
	if lun := f[nameAt-1]; lun != "" {
		if t.LUN, err = parseNum(param, "LUN", lun, 0, 65535); err != nil {
			return t, err
		}
	}
	t.Name = strings.Join(f[nameAt:], ":")
	if t.Name == "" {
		return t, bad(param, "target name missing")
	}
	if err := t.Validate(); err != nil {
		return t, fmt.Errorf("%s: %w", param, err)
	}
	return t, nil
}

// isNameStart reports whether a field begins an iSCSI name.
func isNameStart(f string) bool {
	p := strings.ToLower(f[:min(4, len(f))])
	return p == "iqn." || p == "eui." || p == "naa."
}

// setAuth reads "user:pass" or "user:pass:ruser:rpass"; "" is no auth.
func (t *BootTarget) setAuth(param, auth string) error {
	if auth == "" {
		return nil
	}
	f := strings.Split(auth, ":")
	if len(f) != 2 && len(f) != 4 {
		return bad(param, "credentials must be user:password[:user_in:password_in]")
	}
	for _, c := range f {
		if c == "" {
			return bad(param, "empty credential field")
		}
	}
	t.Username, t.Password = f[0], f[1]
	if len(f) == 4 {
		t.UsernameIn, t.PasswordIn = f[2], f[3]
	}
	return nil
}

// cutServer splits off the servername and its ':'; an IPv6 address is
// in brackets.
func cutServer(param, s string) (server, rest string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", bad(param, "missing ] after IPv6 address")
		}
		server, rest = s[1:end], s[end+1:]
		if ip, err := netip.ParseAddr(server); err != nil || !ip.Is6() {
			return "", "", bad(param, "bad IPv6 address %q", server)
		}
		if !strings.HasPrefix(rest, ":") {
			return "", "", bad(param, "want ':' after ]")
		}
		return server, rest[1:], nil
	}
	server, rest, ok := strings.Cut(s, ":")
	if !ok {
		return "", "", bad(param, "fields missing (want %s)", "server:proto:port:lun:target")
	}
	if server == "" {
		return "", "", bad(param, "server missing")
	}
	if strings.ContainsAny(server, "[]") {
		return "", "", bad(param, "bad server %q", server)
	}
	if err := records.ValidateAddress(server); err != nil {
		return "", "", fmt.Errorf("%s: server: %w", param, err)
	}
	return server, rest, nil
}
