package tgttest

import (
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// listeningIn reports whether process pid's network namespace has a TCP
// socket listening on addr:port (or on the wildcard address and port),
// read from /proc/PID/net/tcp, since the host cannot dial into it.
func listeningIn(pid int, addr string, port int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/tcp", pid))
	if err != nil {
		return false
	}
	return listensOn(string(b), addr, port)
}

// listensOn reports whether the /proc/net/tcp text tcp has a socket
// listening on addr:port (or on the wildcard address and port).
func listensOn(tcp, addr string, port int) bool {
	want := net.ParseIP(addr).To4()
	for _, line := range strings.Split(tcp, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[3] != "0A" { // 0A: TCP_LISTEN
			continue
		}
		ip, p, ok := parseProcAddr(f[1])
		if ok && p == port && (ip.Equal(want) || ip.Equal(net.IPv4zero)) {
			return true
		}
	}
	return false
}

// parseProcAddr parses /proc/net/tcp's "0100007F:0CBC": the IPv4
// address as a 32-bit word in the machine's (little-endian) order, then
// the port in hex.
func parseProcAddr(s string) (net.IP, int, bool) {
	a, p, ok := strings.Cut(s, ":")
	if !ok || len(a) != 8 {
		return nil, 0, false
	}
	b, err := hex.DecodeString(a)
	if err != nil {
		return nil, 0, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return nil, 0, false
	}
	return net.IPv4(b[3], b[2], b[1], b[0]), int(port), true
}
