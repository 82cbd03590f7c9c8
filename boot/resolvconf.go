package boot

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goiscsi/goiscsi/records"
)

// maxNameServers is how many name servers resolv.conf takes.
const maxNameServers = 3

// nameServers is the DNS configuration the network set-up found: from
// ip='s dns fields, a DHCP lease (options 6 and 15) or the iBFT. A
// target or portal given by host name is resolved with it.
type nameServers struct {
	servers []netip.Addr
	search  []string
	from    []string // where they came from, for the progress line
}

// add takes servers and a search domain from source; duplicates,
// unspecified addresses and more than maxNameServers are left out.
func (n *nameServers) add(source string, servers []netip.Addr, domain string) {
	added := false
	for _, a := range servers {
		if !a.IsValid() || a.IsUnspecified() || len(n.servers) == maxNameServers || slices.Contains(n.servers, a) {
			continue
		}
		n.servers, added = append(n.servers, a), true
	}
	if validDomain(domain) && !slices.Contains(n.search, domain) {
		n.search, added = append(n.search, domain), true
	}
	if added {
		n.from = append(n.from, source)
	}
}

// parseServers reads the name server addresses of ip= or the iBFT,
// skipping what is not an address.
func parseServers(list ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range list {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// resolvConf is n as resolv.conf text.
func (n *nameServers) resolvConf() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by goiscsi's boot from %s\n", strings.Join(n.from, ", "))
	if len(n.search) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(n.search, " "))
	}
	for _, a := range n.servers {
		fmt.Fprintf(&b, "nameserver %s\n", a)
	}
	return b.String()
}

// write puts n in the file at path (the initramfs's /etc/resolv.conf),
// when there is anything to put; the root file system keeps its own.
func (n *nameServers) write(path string) error {
	if len(n.servers) == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(n.resolvConf()), 0o644)
}

// validDomain accepts a DNS domain name, with an optional final dot: a
// host name as records.ValidateAddress takes one, not an address.
func validDomain(d string) bool {
	d = strings.TrimSuffix(d, ".")
	_, err := netip.ParseAddr(d)
	return err != nil && records.ValidateAddress(d) == nil
}
