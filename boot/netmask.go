package boot

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// maskLen is the prefix length of the IPv4 netmask m; false when m is
// not an IPv4 mask of contiguous ones.
func maskLen(m netip.Addr) (int, bool) {
	if !m.Is4() {
		return 0, false
	}
	a := m.As4()
	v := binary.BigEndian.Uint32(a[:])
	ones := bits.LeadingZeros32(^v)
	if ones < 32 && v<<ones != 0 {
		return 0, false
	}
	return ones, true
}

// classBits is the prefix length of ip's address class, the netmask of
// an address given without one: 8 for class A, 16 for B, 24 for C, and
// 0 for the rest.
func classBits(ip netip.Addr) int {
	if !ip.Is4() {
		return 0
	}
	switch a := ip.As4(); {
	case a[0] < 0x80:
		return 8
	case a[0] < 0xc0:
		return 16
	case a[0] < 0xe0:
		return 24
	}
	return 0
}
