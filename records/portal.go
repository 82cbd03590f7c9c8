package records

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goiscsi/goiscsi/internal/sock"
)

// DefaultPort is the iSCSI port used when a portal names none.
const DefaultPort = 3260

// NoTPGT is the tpgt of a portal that names none.
const NoTPGT = -1

// Portal is a target address as written after iscsiadm's -p:
// ip[:port][,tpgt], [ipv6][:port][,tpgt] or host[:port][,tpgt].
type Portal struct {
	Addr    string
	Port    int
	TPGT    int
	HasPort bool
}

// ParsePortal parses and validates iscsiadm's -p argument.
func ParsePortal(s string) (Portal, error) {
	p := Portal{Port: DefaultPort, TPGT: NoTPGT}
	if len(s) > MaxHostName+16 {
		return p, fmt.Errorf("%w: portal longer than %d bytes", ErrInvalidName, MaxHostName+16)
	}
	rest := s
	if i := strings.LastIndexByte(rest, ','); i >= 0 && !strings.Contains(rest[i:], "]") {
		t, err := strconv.Atoi(rest[i+1:])
		if err != nil || t < 0 || t > 65535 {
			return p, invalid("portal", s, "bad tpgt")
		}
		p.TPGT, rest = t, rest[:i]
	}
	host, port := rest, ""
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return p, invalid("portal", s, "missing ]")
		}
		host, port = rest[1:end], rest[end+1:]
		if port != "" {
			if port[0] != ':' {
				return p, invalid("portal", s, "junk after ]")
			}
			port = port[1:]
		}
	case strings.Count(rest, ":") == 1:
		host, port, _ = strings.Cut(rest, ":")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return p, invalid("portal", s, "bad port")
		}
		p.Port, p.HasPort = n, true
	}
	if err := ValidateAddress(host); err != nil {
		return p, err
	}
	p.Addr = host
	return p, nil
}

// HostPort formats the address and port as iscsiadm's listings do:
// "ip:port", with IPv6 addresses in brackets.
func (p Portal) HostPort() string { return sock.JoinHostPort(p.Addr, p.Port) }

// DirName is the "ip,port" form used in paths and messages.
func (p Portal) DirName() string { return p.Addr + "," + strconv.Itoa(p.Port) }
