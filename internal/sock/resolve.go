package sock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrNoHost is a host name that resolves to no address.
var ErrNoHost = errors.New("no such host")

// Resolver turns a portal's host into addresses: an IP literal is
// itself; a name is looked up in the hosts file, then asked of the name
// servers of resolv.conf over UDP (A records; AAAA when there are none),
// with its search domains. The zero value (or nil) reads /etc/hosts and
// /etc/resolv.conf.
type Resolver struct {
	HostsFile  string           // "" is /etc/hosts
	ResolvConf string           // "" is /etc/resolv.conf
	Servers    []netip.AddrPort // name servers to ask instead of resolv.conf's
}

// maxConfig bounds what is read of the hosts file and resolv.conf.
const maxConfig = 1 << 20

// LookupHost returns host's addresses, until ctx is done.
func (r *Resolver) LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if err := checkName(host); err != nil {
		return nil, fmt.Errorf("lookup %q: %w", host, err)
	}
	if r == nil {
		r = &Resolver{}
	}
	if addrs := lookupHosts(orDefault(r.HostsFile, "/etc/hosts"), host); len(addrs) > 0 {
		return addrs, nil
	}
	conf := readResolvConf(orDefault(r.ResolvConf, "/etc/resolv.conf"))
	if r.Servers != nil {
		conf.servers = r.Servers
	}
	var failed error // a name server's failure, reported if no name resolves
	for _, name := range conf.candidates(host) {
		addrs, err := conf.query(ctx, name)
		if err == nil && len(addrs) > 0 {
			return addrs, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("lookup %s: %w", host, ctxError(ctx))
		}
		if err != nil && !errors.Is(err, ErrNoHost) && failed == nil {
			failed = err
		}
	}
	if failed != nil {
		return nil, fmt.Errorf("lookup %s: %w", host, failed)
	}
	return nil, fmt.Errorf("lookup %s: %w", host, ErrNoHost)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// checkName accepts a DNS host name: dot-separated labels of 1 to 63
// bytes of letters, digits, '-' and '_', 253 bytes at most, one trailing
// dot allowed.
func checkName(name string) error {
	n := strings.TrimSuffix(name, ".")
	if n == "" || len(n) > 253 {
		return errors.New("invalid host name")
	}
	for _, l := range strings.Split(n, ".") {
		if l == "" || len(l) > 63 {
			return errors.New("invalid host name")
		}
		for _, c := range []byte(l) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return errors.New("invalid host name")
			}
		}
	}
	return nil
}

// lookupHosts returns the addresses the hosts file at path gives name.
func lookupHosts(path, name string) []netip.Addr {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	name = strings.TrimSuffix(name, ".")
	var out []netip.Addr
	sc := bufio.NewScanner(io.LimitReader(f, maxConfig))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		a, err := netip.ParseAddr(fields[0])
		if err != nil {
			continue
		}
		for _, h := range fields[1:] {
			if strings.EqualFold(strings.TrimSuffix(h, "."), name) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// resolvConf is what the resolver uses of resolv.conf.
type resolvConf struct {
	servers  []netip.AddrPort
	search   []string
	ndots    int
	timeout  time.Duration // per query and server
	attempts int
}

// readResolvConf reads path; without one, or without name servers, the
// name server is 127.0.0.1 and ::1, as the C library has it.
func readResolvConf(path string) resolvConf {
	c := resolvConf{ndots: 1, timeout: 5 * time.Second, attempts: 2}
	if f, err := os.Open(path); err == nil {
		c.parse(io.LimitReader(f, maxConfig))
		f.Close()
	}
	if len(c.servers) == 0 {
		c.servers = []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:53"), netip.MustParseAddrPort("[::1]:53")}
	}
	return c
}

// parse takes nameserver (at most 3), search, domain and the options
// ndots, timeout and attempts from r.
func (c *resolvConf) parse(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0][0] == '#' || f[0][0] == ';' {
			continue
		}
		switch f[0] {
		case "nameserver":
			if a, err := netip.ParseAddr(f[1]); err == nil && len(c.servers) < 3 {
				c.servers = append(c.servers, netip.AddrPortFrom(a, 53))
			}
		case "search", "domain":
			c.search = append([]string(nil), f[1:min(len(f), 7)]...)
		case "options":
			for _, o := range f[1:] {
				k, v, _ := strings.Cut(o, ":")
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					continue
				}
				switch k {
				case "ndots":
					c.ndots = min(n, 15)
				case "timeout":
					c.timeout = time.Duration(min(max(n, 1), 30)) * time.Second
				case "attempts":
					c.attempts = min(max(n, 1), 5)
				}
			}
		}
	}
}

// candidates are the names to ask for host, in order: as it is first
// when it has ndots dots or ends in one, else after the search domains.
func (c *resolvConf) candidates(host string) []string {
	if strings.HasSuffix(host, ".") {
		return []string{host}
	}
	var out []string
	for _, d := range c.search {
		if n := host + "." + strings.TrimSuffix(d, "."); checkName(n) == nil {
			out = append(out, n)
		}
	}
	if strings.Count(host, ".") >= c.ndots {
		return append([]string{host}, out...)
	}
	return append(out, host)
}
