package sock

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeDNS answers queries on 127.0.0.1 from records (name → A/AAAA
// addresses); names it does not know are NXDOMAIN. It counts queries.
type fakeDNS struct {
	addr    netip.AddrPort
	queries chan string
}

func startDNS(t *testing.T, records map[string][]string, mangle func([]byte) []byte) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	f := &fakeDNS{addr: pc.LocalAddr().(*net.UDPAddr).AddrPort(), queries: make(chan string, 100)}
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := buf[:n]
			name, qtype := parseQuestion(q)
			select {
			case f.queries <- name:
			default:
			}
			ans := answer(q, name, qtype, records)
			if mangle != nil {
				ans = mangle(ans)
			}
			pc.WriteTo(ans, from)
		}
	}()
	return f
}

func parseQuestion(q []byte) (string, uint16) {
	var labels []string
	off := 12
	for off < len(q) && q[off] != 0 {
		l := int(q[off])
		labels = append(labels, string(q[off+1:off+1+l]))
		off += 1 + l
	}
	return strings.Join(labels, "."), binary.BigEndian.Uint16(q[off+1:])
}

// answer builds the response to query q, with compressed owner names.
func answer(q []byte, name string, qtype uint16, records map[string][]string) []byte {
	end := 12
	for q[end] != 0 {
		end += 1 + int(q[end])
	}
	end += 5
	m := append([]byte(nil), q[:end]...)
	addrs, known := records[name]
	flags := uint16(0x8180)
	switch {
	case !known:
		flags |= 3
	case len(addrs) == 1 && addrs[0] == "servfail":
		flags |= 2
		addrs = nil
	case len(addrs) == 1 && addrs[0] == "truncated":
		flags |= 0x0200
		addrs = nil
	}
	binary.BigEndian.PutUint16(m[2:], flags)
	n := 0
	for _, s := range addrs {
		a := netip.MustParseAddr(s)
		typ := uint16(typeA)
		if a.Is6() {
			typ = typeAAAA
		}
		if typ != qtype {
			continue
		}
		rr := []byte{0xc0, 12, byte(typ >> 8), byte(typ), 0, 1, 0, 0, 0, 60, 0, byte(a.BitLen() / 8)}
		m = append(append(m, rr...), a.AsSlice()...)
		n++
	}
	binary.BigEndian.PutUint16(m[6:], uint16(n))
	return m
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLookupHost(t *testing.T) {
	dns := startDNS(t, map[string][]string{
		"target.example":    {"10.0.2.100", "10.0.2.101"},
		"v6.example":        {"fd00::64"},
		"short.lab.example": {"10.0.9.9"},
		"nodata.example":    {},
		"tc.example":        {"truncated"},
		"down.lab.example":  {"servfail"},
		"down":              {"10.0.7.7"},
	}, nil)
	hosts := writeFile(t, "hosts", "# comment\n127.0.0.1 localhost\n10.1.1.1 portal.lan portal # the SAN\nbad line\n")
	conf := writeFile(t, "resolv.conf", "search lab.example\noptions timeout:1 attempts:1\n")
	r := &Resolver{HostsFile: hosts, ResolvConf: conf, Servers: []netip.AddrPort{dns.addr}}
	tests := []struct {
		host string
		want []string
		err  error
	}{
		{"10.0.2.100", []string{"10.0.2.100"}, nil},
		{"fe80::1", []string{"fe80::1"}, nil},
		{"portal", []string{"10.1.1.1"}, nil},
		{"PORTAL.lan.", []string{"10.1.1.1"}, nil},
		{"target.example", []string{"10.0.2.100", "10.0.2.101"}, nil},
		{"v6.example", []string{"fd00::64"}, nil},
		{"short", []string{"10.0.9.9"}, nil},
		{"missing.example", nil, ErrNoHost},
		{"tc.example", nil, nil},
		// The first search candidate's server fails; the name itself resolves.
		{"down", []string{"10.0.7.7"}, nil},
		{"nodata.example", nil, ErrNoHost},
		{"bad_-name..example", nil, nil},
		{"white space", nil, nil},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		got, err := r.LookupHost(ctx, tt.host)
		cancel()
		var gs []string
		for _, a := range got {
			gs = append(gs, a.String())
		}
		if tt.want == nil {
			if err == nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("LookupHost(%q) = %v, %v; want error %v", tt.host, gs, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(gs, tt.want) {
			t.Errorf("LookupHost(%q) = %v, %v; want %v", tt.host, gs, err, tt.want)
		}
	}
}

// TestLookupHostBadServer: answers with another ID, or garbage, are not
// taken; the lookup ends with the server's timeout.
func TestLookupHostBadServer(t *testing.T) {
	for name, mangle := range map[string]func([]byte) []byte{
		"other id": func(m []byte) []byte { m[0] ^= 0xff; return m },
		"garbage":  func(m []byte) []byte { return []byte{m[0], m[1], 0x81} },
		"servfail": func(m []byte) []byte { m[3] = m[3]&0xf0 | 2; return m },
	} {
		t.Run(name, func(t *testing.T) {
			dns := startDNS(t, map[string][]string{"target.example": {"10.0.2.100"}}, mangle)
			conf := writeFile(t, "resolv.conf", "options timeout:1 attempts:1\n")
			r := &Resolver{HostsFile: os.DevNull, ResolvConf: conf, Servers: []netip.AddrPort{dns.addr}}
			start := time.Now()
			got, err := r.LookupHost(context.Background(), "target.example")
			if err == nil {
				t.Fatalf("LookupHost = %v from a bad server", got)
			}
			if el := time.Since(start); el > 4*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}

func TestLookupHostContext(t *testing.T) {
	// A server that never answers: the context ends the lookup.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	r := &Resolver{HostsFile: os.DevNull, ResolvConf: os.DevNull, Servers: []netip.AddrPort{pc.LocalAddr().(*net.UDPAddr).AddrPort()}}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = r.LookupHost(ctx, "target.example")
	if !IsTimeout(err) {
		t.Errorf("LookupHost: %v, want a timeout", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v past a 200ms context", el)
	}
}

func TestResolvConf(t *testing.T) {
	var c resolvConf
	c.ndots = 1
	c.parse(strings.NewReader("nameserver 10.0.0.1\nnameserver bogus\nnameserver fd00::1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n" +
		"domain a.example\nsearch b.example c.example.\noptions ndots:2 timeout:0 attempts:99 rotate\n; comment\n"))
	want := []string{"10.0.0.1:53", "[fd00::1]:53", "10.0.0.2:53"}
	var got []string
	for _, s := range c.servers {
		got = append(got, s.String())
	}
	if !slices.Equal(got, want) || !slices.Equal(c.search, []string{"b.example", "c.example."}) ||
		c.ndots != 2 || c.timeout != time.Second || c.attempts != 5 {
		t.Errorf("parsed %v %v ndots %d timeout %v attempts %d", got, c.search, c.ndots, c.timeout, c.attempts)
	}
	if got := c.candidates("portal.lan"); !slices.Equal(got, []string{"portal.lan.b.example", "portal.lan.c.example", "portal.lan"}) {
		t.Errorf("candidates = %v", got)
	}
	if got := c.candidates("a.b.c"); got[0] != "a.b.c" {
		t.Errorf("candidates = %v, want the name itself first", got)
	}
}

func FuzzParseAnswer(f *testing.F) {
	q, _ := buildQuery(7, "target.example", typeA)
	f.Add(answer(q, "target.example", typeA, map[string][]string{"target.example": {"10.0.2.100", "10.0.2.101"}}))
	f.Add(answer(q, "target.example", typeA, nil))
	f.Add([]byte{0, 7, 0x81, 0x80, 0, 1, 0, 1, 0xc0, 0xc0})
	f.Fuzz(func(t *testing.T, msg []byte) {
		addrs, err := parseAnswer(msg, 7, typeA)
		if err != nil && addrs != nil {
			t.Fatalf("addresses %v with error %v", addrs, err)
		}
		if len(addrs) > maxAnswers {
			t.Fatalf("%d addresses", len(addrs))
		}
		for _, a := range addrs {
			if !a.Is4() {
				t.Fatalf("A record gave %v", a)
			}
		}
	})
}
