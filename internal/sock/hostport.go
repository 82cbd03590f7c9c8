package sock

import (
	"errors"
	"strconv"
	"strings"
)

// JoinHostPort joins host and port into "host:port", bracketing a host
// that holds a colon (an IPv6 address): "[fe80::1]:3260".
func JoinHostPort(host string, port int) string {
	p := strconv.Itoa(port)
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + p
	}
	return host + ":" + p
}

// SplitHostPort splits "host:port" or "[host]:port"; the port must be a
// number from 0 to 65535.
func SplitHostPort(hostport string) (host string, port int, err error) {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 {
		return "", 0, errors.New("address " + strconv.Quote(hostport) + ": missing port")
	}
	host, ps := hostport[:i], hostport[i+1:]
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") {
			return "", 0, errors.New("address " + strconv.Quote(hostport) + ": missing ']'")
		}
		host = host[1 : len(host)-1]
	} else if strings.ContainsAny(host, ":[]") {
		return "", 0, errors.New("address " + strconv.Quote(hostport) + ": too many colons")
	}
	port, err = strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 || ps[0] == '+' || ps[0] == '-' {
		return "", 0, errors.New("address " + strconv.Quote(hostport) + ": invalid port")
	}
	return host, port, nil
}
