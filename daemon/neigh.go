package daemon

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/goiscsi/goiscsi/netlinkraw/rtnl"
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
	c, err := rtnl.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	ifindex, hop, err := routeTo(c, dst)
	if err != nil {
		return err
	}
	err = c.Exec(rtnl.Message(unix.RTM_DELNEIGH, unix.NLM_F_REQUEST|unix.NLM_F_ACK, neighMsg(dst, ifindex, hop)))
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
func routeTo(c *rtnl.Conn, dst netip.Addr) (int, netip.Addr, error) {
	body := make([]byte, unix.SizeofRtMsg)
	body[0] = family(dst)
	body[1] = byte(dst.BitLen()) // rtm_dst_len
	body = append(body, rtnl.Attr(unix.RTA_DST, dst.AsSlice())...)
	ans, err := c.Request(rtnl.Message(unix.RTM_GETROUTE, unix.NLM_F_REQUEST, body))
	if err != nil {
		return 0, dst, fmt.Errorf("route to %s: %w", dst, err)
	}
	typ, _ := rtnl.Type(ans)
	if typ == unix.NLMSG_ERROR {
		return 0, dst, fmt.Errorf("route to %s: %w", dst, rtnl.Ack(ans))
	}
	if typ != unix.RTM_NEWROUTE || len(ans) < unix.SizeofNlMsghdr+unix.SizeofRtMsg {
		return 0, dst, fmt.Errorf("route to %s: unexpected rtnetlink answer of type %d", dst, typ)
	}
	m := syscall.NetlinkMessage{Header: syscall.NlMsghdr{Type: typ}, Data: ans[unix.SizeofNlMsghdr:]}
	attrs, err := syscall.ParseNetlinkRouteAttr(&m)
	if err != nil {
		return 0, dst, fmt.Errorf("route to %s: %w", dst, err)
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
		return 0, dst, fmt.Errorf("route to %s: no outgoing interface", dst)
	}
	return ifindex, hop, nil
}

// neighMsg is a struct ndmsg naming hop on ifindex.
func neighMsg(dst netip.Addr, ifindex int, hop netip.Addr) []byte {
	b := make([]byte, unix.SizeofNdMsg)
	b[0] = family(hop)
	binary.NativeEndian.PutUint32(b[4:], uint32(ifindex))
	return append(b, rtnl.Attr(unix.NDA_DST, hop.AsSlice())...)
}
