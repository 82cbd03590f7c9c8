package records

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Limits on names, from RFC 3720 and open-iscsi's buffers.
const (
	MaxTargetName = 223
	MaxIfaceName  = 64
	MaxHostName   = 255
)

// ErrInvalidName is wrapped by every validation error.
var ErrInvalidName = errors.New("invalid name")

func invalid(kind, name, why string) error {
	return fmt.Errorf("%w: %s %s: %s", ErrInvalidName, kind, strconv.Quote(name), why)
}

// ValidateTargetName checks an iSCSI name (RFC 3720 section 3.2.6, RFC
// 3722): "iqn." with a yyyy-mm date and a naming authority, "eui." with
// 16 hex digits, or "naa." with 16 or 32 hex digits, at most 223 bytes,
// of letters, digits and "-.:_" only, and no "..". Such a name is always
// a single, harmless path component and a single record line.
func ValidateTargetName(name string) error {
	if name == "" {
		return invalid("target name", name, "empty")
	}
	if len(name) > MaxTargetName {
		return invalid("target name", name[:32]+"...", fmt.Sprintf("longer than %d bytes", MaxTargetName))
	}
	for i := 0; i < len(name); i++ {
		if !nameChar(name[i]) {
			return invalid("target name", name, fmt.Sprintf("character %#02x not allowed", name[i]))
		}
	}
	if strings.Contains(name, "..") {
		return invalid("target name", name, `contains ".."`)
	}
	prefix, rest := strings.ToLower(name[:min(4, len(name))]), name[min(4, len(name)):]
	switch prefix {
	case "iqn.":
		return validateIQN(name, rest)
	case "eui.":
		if len(rest) != 16 || !isHex(rest) {
			return invalid("target name", name, "eui. needs 16 hex digits")
		}
	case "naa.":
		if (len(rest) != 16 && len(rest) != 32) || !isHex(rest) {
			return invalid("target name", name, "naa. needs 16 or 32 hex digits")
		}
	default:
		return invalid("target name", name, `not an "iqn.", "eui." or "naa." name`)
	}
	return nil
}

func validateIQN(name, rest string) error {
	// yyyy-mm.authority[:unique]
	if len(rest) < 9 || rest[4] != '-' || rest[7] != '.' ||
		!isDigits(rest[:4]) || !isDigits(rest[5:7]) {
		return invalid("target name", name, "iqn. needs a yyyy-mm date")
	}
	auth, _, _ := strings.Cut(rest[8:], ":")
	if auth == "" {
		return invalid("target name", name, "iqn. needs a naming authority")
	}
	return nil
}

func nameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == ':' || c == '_'
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ValidateIfaceName checks an interface record name: 1 to 64 letters,
// digits or "-._:", not starting with "." (temporary files do).
func ValidateIfaceName(name string) error {
	if name == "" || len(name) > MaxIfaceName {
		return invalid("iface name", name, fmt.Sprintf("must be 1 to %d bytes", MaxIfaceName))
	}
	if name[0] == '.' {
		return invalid("iface name", name, `starts with "."`)
	}
	for i := 0; i < len(name); i++ {
		if !nameChar(name[i]) {
			return invalid("iface name", name, fmt.Sprintf("character %#02x not allowed", name[i]))
		}
	}
	return nil
}

// ValidateAddress checks a portal address: an IPv4 or IPv6 address (an
// IPv6 zone is allowed) or a DNS host name.
func ValidateAddress(addr string) error {
	if ip, err := netip.ParseAddr(addr); err == nil {
		for _, c := range ip.Zone() {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return invalid("address", addr, "zone has a reserved character")
			}
		}
		return nil
	}
	if addr == "" || len(addr) > MaxHostName {
		return invalid("address", addr, fmt.Sprintf("must be 1 to %d bytes", MaxHostName))
	}
	for _, label := range strings.Split(addr, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return invalid("address", addr, "not an IP address or host name")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return invalid("address", addr, "not an IP address or host name")
			}
		}
	}
	return nil
}
