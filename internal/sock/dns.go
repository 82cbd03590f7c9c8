package sock

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// DNS record types asked for.
const (
	typeA    = 1
	typeAAAA = 28
	classIN  = 1
)

// maxAnswers bounds the records read of one answer.
const maxAnswers = 64

// query asks for name's A records, then, when there are none, its AAAA
// records. ErrNoHost is a name that does not exist or has neither.
func (c *resolvConf) query(ctx context.Context, name string) ([]netip.Addr, error) {
	var last error = ErrNoHost
	for _, qtype := range []uint16{typeA, typeAAAA} {
		addrs, err := c.ask(ctx, name, qtype)
		switch {
		case len(addrs) > 0:
			return addrs, nil
		case errors.Is(err, errNXDomain):
			return nil, ErrNoHost
		case err != nil:
			last = err
		}
	}
	return nil, last
}

// errNXDomain is a name server's word that the name does not exist.
var errNXDomain = fmt.Errorf("%w (NXDOMAIN)", ErrNoHost)

// ask sends one question to the name servers in turn, attempts times
// round, until one answers.
func (c *resolvConf) ask(ctx context.Context, name string, qtype uint16) ([]netip.Addr, error) {
	var idb [2]byte
	_, _ = rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	msg, err := buildQuery(id, name, qtype)
	if err != nil {
		return nil, err
	}
	var last error
	for range c.attempts {
		for _, s := range c.servers {
			var addrs []netip.Addr
			answer, err := exchange(ctx, s, msg, c.timeout)
			if err == nil {
				addrs, err = parseAnswer(answer, id, qtype)
			}
			if err == nil || errors.Is(err, errNXDomain) {
				return addrs, err
			}
			last = fmt.Errorf("name server %s: %w", s, err)
			if ctx.Err() != nil {
				return nil, last
			}
		}
	}
	return nil, last
}

// buildQuery is a recursive query for name's records of qtype.
func buildQuery(id uint16, name string, qtype uint16) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	m := make([]byte, 12, 12+len(name)+6)
	binary.BigEndian.PutUint16(m[0:], id)
	binary.BigEndian.PutUint16(m[2:], 0x0100) // RD
	binary.BigEndian.PutUint16(m[4:], 1)      // QDCOUNT
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		m = append(m, byte(len(l)))
		m = append(m, l...)
	}
	m = append(m, 0, byte(qtype>>8), byte(qtype), 0, classIN)
	return m, nil
}

// exchange sends msg to server over UDP and returns the first datagram
// that comes back with msg's ID, within timeout and ctx.
func exchange(ctx context.Context, server netip.AddrPort, msg []byte, timeout time.Duration) ([]byte, error) {
	family := unix.AF_INET
	if server.Addr().Is6() && !server.Addr().Is4In6() {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	c, err := newConn(fd, "udp:"+server.String())
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	defer c.Close()
	sa, err := sockaddr(server)
	if err != nil {
		return nil, err
	}
	if err := c.connect(ctx, sa); err != nil {
		return nil, err
	}
	dl := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	_ = c.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := c.Write(msg); err != nil {
		return nil, err
	}
	buf := make([]byte, 1232)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return nil, err
		}
		if n >= 2 && buf[0] == msg[0] && buf[1] == msg[1] {
			return buf[:n], nil
		}
	}
}

// parseAnswer returns the addresses of type qtype in the answer msg to
// query id. A name server failure is an error, a name that does not
// exist errNXDomain, a name without such records none.
func parseAnswer(msg []byte, id, qtype uint16) ([]netip.Addr, error) {
	if len(msg) < 12 {
		return nil, errors.New("short DNS answer")
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	switch {
	case binary.BigEndian.Uint16(msg[0:]) != id || flags&0x8000 == 0:
		return nil, errors.New("DNS answer to another query")
	case flags&0xf == 3:
		return nil, errNXDomain
	case flags&0xf != 0:
		return nil, fmt.Errorf("DNS error (rcode %d)", flags&0xf)
	case flags&0x0200 != 0:
		return nil, errors.New("truncated DNS answer (no DNS over TCP here)")
	}
	qd, an := int(binary.BigEndian.Uint16(msg[4:])), int(binary.BigEndian.Uint16(msg[6:]))
	off := 12
	var err error
	for range qd {
		if off, err = skipName(msg, off); err != nil {
			return nil, err
		}
		if off += 4; off > len(msg) {
			return nil, errors.New("truncated DNS question")
		}
	}
	var out []netip.Addr
	for range min(an, maxAnswers) {
		if off, err = skipName(msg, off); err != nil {
			return nil, err
		}
		if off+10 > len(msg) {
			return nil, errors.New("truncated DNS record")
		}
		typ, class := binary.BigEndian.Uint16(msg[off:]), binary.BigEndian.Uint16(msg[off+2:])
		n := int(binary.BigEndian.Uint16(msg[off+8:]))
		off += 10
		if off+n > len(msg) {
			return nil, errors.New("truncated DNS record")
		}
		if a, ok := netip.AddrFromSlice(msg[off : off+n]); ok && typ == qtype && class == classIN &&
			(typ == typeA && n == 4 || typ == typeAAAA && n == 16) {
			out = append(out, a)
		}
		off += n
	}
	return out, nil
}

// skipName returns the offset after the (possibly compressed) name at
// off in msg.
func skipName(msg []byte, off int) (int, error) {
	for {
		if off >= len(msg) {
			return 0, errors.New("truncated DNS name")
		}
		l := int(msg[off])
		switch {
		case l == 0:
			return off + 1, nil
		case l&0xc0 == 0xc0:
			if off+2 > len(msg) {
				return 0, errors.New("truncated DNS name")
			}
			return off + 2, nil
		case l&0xc0 != 0:
			return 0, errors.New("bad DNS label")
		}
		off += 1 + l
	}
}
