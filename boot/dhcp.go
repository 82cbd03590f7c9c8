package boot

// A minimal DHCPv4 client (RFC 2131) for the boot role: DISCOVER,
// OFFER, REQUEST, ACK, then the address, the router and the RFC 4173
// root path. It is written here rather than taken from u-root's
// pkg/dhclient because that package brings in insomniacslk/dhcp (v4
// and v6), vishvananda/netlink and netns, mdlayher/packet and socket
// and golang.org/x/net, a second netlink stack beside boot's own
// rtnetlink code, for one exchange of four packets. The client sends
// and receives over a UDP socket bound to port 68 on the device with
// the broadcast flag set, so the server's answers reach it before the
// interface has an address.

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// DHCP message types (option 53) and the options the client reads.
const (
	dhcpDiscover = 1
	dhcpOffer    = 2
	dhcpRequest  = 3
	dhcpAck      = 5
	dhcpNak      = 6

	optSubnetMask = 1
	optRouter     = 3
	optDNS        = 6
	optHostname   = 12
	optDomainName = 15
	optRootPath   = 17
	optRequestIP  = 50
	optLeaseTime  = 51
	optMsgType    = 53
	optServerID   = 54
	optParamList  = 55
	optEnd        = 255

	dhcpHeaderLen = 236
	dhcpMinLen    = 300 // BOOTP's minimum message size
)

// dhcpMagic is the options field's magic cookie, 99.130.83.99.
const dhcpMagic = "\x63\x82\x53\x63"

// dhcpLease is what the server's ACK gave.
type dhcpLease struct {
	Addr     netip.Prefix
	Router   netip.Addr // invalid: none
	Server   netip.Addr
	Hostname string
	RootPath string
	Lease    time.Duration
	DNS      []netip.Addr // name servers (option 6), at most maxNameServers
	Domain   string       // domain name (option 15), as sent
}

// dhcpMessage is a BOOTP/DHCP message as far as the client uses it.
type dhcpMessage struct {
	Op     byte
	XID    uint32
	Flags  uint16
	YIAddr netip.Addr
	HWAddr []byte
	Opts   map[byte][]byte
}

// marshal encodes m with its options in key order of keys, padded to
// the BOOTP minimum.
func (m dhcpMessage) marshal(keys []byte) []byte {
	b := make([]byte, dhcpHeaderLen, dhcpMinLen)
	b[0], b[1], b[2] = m.Op, 1, 6 // Ethernet, 6-byte addresses
	binary.BigEndian.PutUint32(b[4:], m.XID)
	binary.BigEndian.PutUint16(b[10:], m.Flags)
	if m.YIAddr.Is4() {
		a := m.YIAddr.As4()
		copy(b[16:20], a[:])
	}
	copy(b[28:44], m.HWAddr)
	b = append(b, dhcpMagic...)
	for _, k := range keys {
		v := m.Opts[k]
		b = append(b, k, byte(len(v)))
		b = append(b, v...)
	}
	b = append(b, optEnd)
	for len(b) < dhcpMinLen {
		b = append(b, 0)
	}
	return b
}

// parseDHCP decodes a message; options beyond the fixed header only
// (the sname and file fields are not read as option overloads).
func parseDHCP(b []byte) (dhcpMessage, error) {
	var m dhcpMessage
	if len(b) < dhcpHeaderLen+4 || string(b[dhcpHeaderLen:dhcpHeaderLen+4]) != dhcpMagic {
		return m, errors.New("not a DHCP message")
	}
	if b[1] != 1 || b[2] != 6 {
		return m, errors.New("not an Ethernet DHCP message")
	}
	m.Op, m.XID, m.Flags = b[0], binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint16(b[10:])
	m.YIAddr = netip.AddrFrom4([4]byte(b[16:20]))
	m.HWAddr = append([]byte(nil), b[28:34]...)
	m.Opts = map[byte][]byte{}
	for o := b[dhcpHeaderLen+4:]; len(o) > 0; {
		switch o[0] {
		case 0:
			o = o[1:]
			continue
		case optEnd:
			return m, nil
		}
		if len(o) < 2 || len(o) < 2+int(o[1]) {
			return m, errors.New("truncated DHCP option")
		}
		// Repeated options concatenate (RFC 3396).
		m.Opts[o[0]] = append(m.Opts[o[0]], o[2:2+int(o[1])]...)
		o = o[2+int(o[1]):]
	}
	return m, nil
}

// msgType is option 53, or 0.
func (m dhcpMessage) msgType() byte {
	if v := m.Opts[optMsgType]; len(v) == 1 {
		return v[0]
	}
	return 0
}

// addrOpt is a 4-byte address option (the first of a list), if set.
func (m dhcpMessage) addrOpt(code byte) netip.Addr {
	if v := m.Opts[code]; len(v) >= 4 {
		return netip.AddrFrom4([4]byte(v[:4]))
	}
	return netip.Addr{}
}

// lease reads an ACK.
func (m dhcpMessage) lease() (dhcpLease, error) {
	l := dhcpLease{Router: m.addrOpt(optRouter), Server: m.addrOpt(optServerID)}
	if !m.YIAddr.Is4() || m.YIAddr.IsUnspecified() {
		return l, errors.New("the server gave no address")
	}
	bits, ok := maskLen(m.addrOpt(optSubnetMask))
	if !ok {
		bits = classBits(m.YIAddr)
	}
	l.Addr = netip.PrefixFrom(m.YIAddr, bits)
	l.Hostname = cString(m.Opts[optHostname])
	l.RootPath = cString(m.Opts[optRootPath])
	for v := m.Opts[optDNS]; len(v) >= 4 && len(l.DNS) < maxNameServers; v = v[4:] {
		if a := netip.AddrFrom4([4]byte(v[:4])); !a.IsUnspecified() {
			l.DNS = append(l.DNS, a)
		}
	}
	l.Domain = cString(m.Opts[optDomainName])
	if v := m.Opts[optLeaseTime]; len(v) == 4 {
		l.Lease = time.Duration(binary.BigEndian.Uint32(v)) * time.Second
	}
	return l, nil
}

// cString is an option's text up to a NUL, as some servers add one.
func cString(v []byte) string {
	for i, c := range v {
		if c == 0 {
			return string(v[:i])
		}
	}
	return string(v)
}

// dhcpTransport sends a broadcast message and receives the next one.
type dhcpTransport interface {
	send([]byte) error
	recv(deadline time.Time) ([]byte, error)
}

// dhcpExchange runs DISCOVER/OFFER/REQUEST/ACK over t for hw, resending
// with a growing interval until ctx ends.
func dhcpExchange(ctx context.Context, t dhcpTransport, hw []byte, xid uint32) (dhcpLease, error) {
	params := []byte{optSubnetMask, optRouter, optDNS, optHostname, optDomainName, optRootPath, optLeaseTime, optServerID}
	disc := dhcpMessage{Op: 1, XID: xid, Flags: 0x8000, HWAddr: hw,
		Opts: map[byte][]byte{optMsgType: {dhcpDiscover}, optParamList: params}}
	offer, err := dhcpRoundTrip(ctx, t, disc.marshal([]byte{optMsgType, optParamList}), xid, hw, dhcpOffer)
	if err != nil {
		return dhcpLease{}, fmt.Errorf("no DHCP offer: %w", err)
	}
	server := offer.addrOpt(optServerID)
	if !server.IsValid() || !offer.YIAddr.Is4() {
		return dhcpLease{}, errors.New("the DHCP offer lacks a server identifier or an address")
	}
	yi, sid := offer.YIAddr.As4(), server.As4()
	req := dhcpMessage{Op: 1, XID: xid, Flags: 0x8000, HWAddr: hw, Opts: map[byte][]byte{
		optMsgType: {dhcpRequest}, optRequestIP: yi[:], optServerID: sid[:], optParamList: params}}
	ack, err := dhcpRoundTrip(ctx, t, req.marshal([]byte{optMsgType, optRequestIP, optServerID, optParamList}), xid, hw, dhcpAck)
	if err != nil {
		return dhcpLease{}, fmt.Errorf("no DHCP acknowledgement from %s: %w", server, err)
	}
	return ack.lease()
}

// dhcpRoundTrip sends msg and waits for an answer of type want to xid,
// resending after 1, 2, 4 and then every 4 seconds; a NAK is an error.
func dhcpRoundTrip(ctx context.Context, t dhcpTransport, msg []byte, xid uint32, hw []byte, want byte) (dhcpMessage, error) {
	for wait := time.Second; ; wait = min(2*wait, 4*time.Second) {
		if err := t.send(msg); err != nil {
			return dhcpMessage{}, err
		}
		deadline := time.Now().Add(wait)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		for {
			b, err := t.recv(deadline)
			if errors.Is(err, dhcpTimeout{}) {
				break
			}
			if err != nil {
				return dhcpMessage{}, err
			}
			m, err := parseDHCP(b)
			if err != nil || m.Op != 2 || m.XID != xid || !bytesEqual(m.HWAddr, hw) {
				continue
			}
			switch m.msgType() {
			case want:
				return m, nil
			case dhcpNak:
				return dhcpMessage{}, errors.New("the server refused the request (DHCPNAK)")
			}
		}
		if err := ctx.Err(); err != nil {
			return dhcpMessage{}, err
		}
	}
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

// dhcpTimeout is a receive that ran into its deadline.
type dhcpTimeout struct{}

func (dhcpTimeout) Error() string { return "timeout" }

// udpTransport is a UDP socket on port 68 bound to one device.
type udpTransport struct{ fd int }

func newUDPTransport(dev string) (*udpTransport, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return nil, fmt.Errorf("DHCP socket: %w", err)
	}
	t := &udpTransport{fd: fd}
	for _, o := range []int{unix.SO_REUSEADDR, unix.SO_BROADCAST} {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, o, 1); err != nil {
			t.close()
			return nil, fmt.Errorf("DHCP socket option: %w", err)
		}
	}
	if err := unix.BindToDevice(fd, dev); err != nil {
		t.close()
		return nil, fmt.Errorf("DHCP socket on %s: %w", dev, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: 68}); err != nil {
		t.close()
		return nil, fmt.Errorf("DHCP socket bind to port 68: %w", err)
	}
	return t, nil
}

func (t *udpTransport) send(b []byte) error {
	if err := unix.Sendto(t.fd, b, 0, &unix.SockaddrInet4{Port: 67, Addr: [4]byte{255, 255, 255, 255}}); err != nil {
		return fmt.Errorf("sending DHCP: %w", err)
	}
	return nil
}

func (t *udpTransport) recv(deadline time.Time) ([]byte, error) {
	left := time.Until(deadline)
	if left <= 0 {
		return nil, dhcpTimeout{}
	}
	tv := unix.NsecToTimeval(left.Nanoseconds())
	if err := unix.SetsockoptTimeval(t.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, fmt.Errorf("DHCP socket timeout: %w", err)
	}
	buf := make([]byte, 1500)
	n, _, err := unix.Recvfrom(t.fd, buf, 0)
	switch {
	case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EINTR):
		return nil, dhcpTimeout{}
	case err != nil:
		return nil, fmt.Errorf("receiving DHCP: %w", err)
	}
	return buf[:n], nil
}

func (t *udpTransport) close() { unix.Close(t.fd) }

// newXID is a random transaction ID.
func newXID() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
