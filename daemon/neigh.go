package daemon

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Reprobe makes the kernel resolve the link-layer address of the next
// hop towards host afresh, by deleting its neighbour entry. While a
// link is down the entry goes INCOMPLETE or FAILED, and once the link
// is back the kernel asks again only when its retransmit timer (1 s)
// fires; the connects queued behind it wait that long. Without an
// entry, the next connect's SYN makes the kernel ask at once. Errors
// are returned for logging only: recovery goes on without.
func Reprobe(host string) error {
	dst, err := netip.ParseAddr(host)
	if err != nil {
		return nil // a name: nothing to do
	}
	dst = dst.Unmap()
	if dst.IsLoopback() {
		return nil
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("rtnetlink: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("rtnetlink: %w", err)
	}
	ifindex, hop, err := routeTo(fd, dst)
	if err != nil {
		return err
	}
	err = rtRequest(fd, unix.RTM_DELNEIGH, unix.NLM_F_REQUEST|unix.NLM_F_ACK, neighMsg(dst, ifindex, hop))
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	return err
}

func family(a netip.Addr) byte {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// routeTo asks the kernel for the route to dst: the outgoing interface
// and the next hop (the gateway, or dst itself on a direct route).
func routeTo(fd int, dst netip.Addr) (int, netip.Addr, error) {
	body := make([]byte, unix.SizeofRtMsg)
	body[0] = family(dst)
	body[1] = byte(dst.BitLen()) // rtm_dst_len
	body = append(body, rtAttr(unix.RTA_DST, dst.AsSlice())...)
	if err := rtSend(fd, unix.RTM_GETROUTE, unix.NLM_F_REQUEST, body); err != nil {
		return 0, dst, err
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return 0, dst, fmt.Errorf("rtnetlink route: %w", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil || len(msgs) == 0 {
		return 0, dst, fmt.Errorf("rtnetlink route: malformed reply")
	}
	m := msgs[0]
	if m.Header.Type == unix.NLMSG_ERROR {
		return 0, dst, fmt.Errorf("rtnetlink route: %w", nlError(m.Data))
	}
	if m.Header.Type != unix.RTM_NEWROUTE || len(m.Data) < unix.SizeofRtMsg {
		return 0, dst, fmt.Errorf("rtnetlink route: unexpected reply %d", m.Header.Type)
	}
	attrs, err := syscall.ParseNetlinkRouteAttr(&m)
	if err != nil {
		return 0, dst, fmt.Errorf("rtnetlink route: %w", err)
	}
	ifindex, hop := 0, dst
	for _, a := range attrs {
		switch {
		case a.Attr.Type == unix.RTA_OIF && len(a.Value) >= 4:
			ifindex = int(binary.NativeEndian.Uint32(a.Value))
		case a.Attr.Type == unix.RTA_GATEWAY:
			if gw, ok := netip.AddrFromSlice(a.Value); ok {
				hop = gw
			}
		}
	}
	if ifindex == 0 {
		return 0, dst, errors.New("rtnetlink route: no outgoing interface")
	}
	return ifindex, hop, nil
}

// neighMsg is a struct ndmsg naming hop on ifindex.
func neighMsg(dst netip.Addr, ifindex int, hop netip.Addr) []byte {
	b := make([]byte, unix.SizeofNdMsg)
	b[0] = family(hop)
	binary.NativeEndian.PutUint32(b[4:], uint32(ifindex))
	return append(b, rtAttr(unix.NDA_DST, hop.AsSlice())...)
}

func rtAttr(typ uint16, data []byte) []byte {
	n := unix.SizeofRtAttr + len(data)
	a := make([]byte, (n+3)&^3)
	binary.NativeEndian.PutUint16(a[0:], uint16(n))
	binary.NativeEndian.PutUint16(a[2:], typ)
	copy(a[unix.SizeofRtAttr:], data)
	return a
}

func rtSend(fd int, typ, flags uint16, body []byte) error {
	m := make([]byte, unix.SizeofNlMsghdr, unix.SizeofNlMsghdr+len(body))
	m = append(m, body...)
	binary.NativeEndian.PutUint32(m[0:], uint32(len(m)))
	binary.NativeEndian.PutUint16(m[4:], typ)
	binary.NativeEndian.PutUint16(m[6:], flags)
	binary.NativeEndian.PutUint32(m[8:], 1)
	binary.NativeEndian.PutUint32(m[12:], uint32(os.Getpid()))
	return unix.Sendto(fd, m, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
}

// rtRequest sends a request with NLM_F_ACK and returns the kernel's
// answer as an error (nil for success).
func rtRequest(fd int, typ, flags uint16, body []byte) error {
	if err := rtSend(fd, typ, flags, body); err != nil {
		return err
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return err
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil || len(msgs) == 0 || msgs[0].Header.Type != unix.NLMSG_ERROR {
		return errors.New("rtnetlink: no acknowledgement")
	}
	return nlError(msgs[0].Data)
}

// nlError reads the errno of an NLMSG_ERROR payload.
func nlError(b []byte) error {
	if len(b) < 4 {
		return errors.New("rtnetlink: short error")
	}
	if e := int32(binary.NativeEndian.Uint32(b)); e != 0 {
		return unix.Errno(-e)
	}
	return nil
}
