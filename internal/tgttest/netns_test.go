package tgttest

import (
	"net"
	"testing"
)

func TestParseProcAddr(t *testing.T) {
	for _, c := range []struct {
		in   string
		ip   string
		port int
		ok   bool
	}{
		{"0100007F:0CBC", "127.0.0.1", 3260, true},
		{"6402000A:0CBC", "10.0.2.100", 3260, true},
		{"00000000:0016", "0.0.0.0", 22, true},
		{"6402000A", "", 0, false},
		{"XX02000A:0CBC", "", 0, false},
		{"6402000A:GG", "", 0, false},
	} {
		ip, port, ok := parseProcAddr(c.in)
		if ok != c.ok || (ok && (!ip.Equal(net.ParseIP(c.ip)) || port != c.port)) {
			t.Errorf("parseProcAddr(%q) = %v, %d, %v; want %s, %d, %v", c.in, ip, port, ok, c.ip, c.port, c.ok)
		}
	}
}
