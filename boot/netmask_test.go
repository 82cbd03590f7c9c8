package boot

import (
	"net/netip"
	"testing"
)

func TestMaskLen(t *testing.T) {
	for _, tt := range []struct {
		mask string
		bits int
		ok   bool
	}{
		{"255.255.255.0", 24, true},
		{"255.255.255.255", 32, true},
		{"0.0.0.0", 0, true},
		{"255.128.0.0", 9, true},
		{"255.0.255.0", 0, false},
		{"0.255.255.255", 0, false},
		{"ffff:ffff::", 0, false},
	} {
		bits, ok := maskLen(netip.MustParseAddr(tt.mask))
		if bits != tt.bits || ok != tt.ok {
			t.Errorf("maskLen(%s) = %d, %v; want %d, %v", tt.mask, bits, ok, tt.bits, tt.ok)
		}
	}
}

func TestClassBits(t *testing.T) {
	for ip, want := range map[string]int{"10.0.2.15": 8, "172.16.0.1": 16, "192.168.1.9": 24, "224.0.0.1": 0, "fd00::1": 0} {
		if got := classBits(netip.MustParseAddr(ip)); got != want {
			t.Errorf("classBits(%s) = %d, want %d", ip, got, want)
		}
	}
}
