package boot

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// TestStaticRequests: a static ip= brings the link up, adds the address
// and a default route through the gateway (dst_len 0, no RTA_DST).
func TestStaticRequests(t *testing.T) {
	q := nicSetup{Dev: "eth0", Addr: netip.MustParsePrefix("10.0.2.15/24"), BringUp: true,
		Gateway: netip.MustParseAddr("10.0.2.2"), DefaultRoute: true}
	reqs := q.requests(2)
	if len(reqs) != 3 {
		t.Fatalf("requests = %d messages, want link, address, route", len(reqs))
	}
	rt := reqs[2]
	if typ := binary.NativeEndian.Uint16(rt[4:]); typ != unix.RTM_NEWROUTE {
		t.Fatalf("third message type %d, want RTM_NEWROUTE", typ)
	}
	body := rt[unix.SizeofNlMsghdr:]
	if body[1] != 0 {
		t.Errorf("route dst_len %d, want 0 (default route)", body[1])
	}
	var attrs []uint16
	for a := body[12:]; len(a) >= 4; {
		n := int(binary.NativeEndian.Uint16(a[0:]))
		attrs = append(attrs, binary.NativeEndian.Uint16(a[2:]))
		a = a[(n+3)&^3:]
	}
	want := []uint16{unix.RTA_OIF, unix.RTA_GATEWAY}
	if len(attrs) != len(want) || attrs[0] != want[0] || attrs[1] != want[1] {
		t.Errorf("route attributes %v, want %v (no RTA_DST)", attrs, want)
	}
	noGW := nicSetup{Dev: "eth0", Addr: netip.MustParsePrefix("10.0.2.15/24"), BringUp: true}
	if n := len(noGW.requests(2)); n != 2 {
		t.Errorf("without a gateway: %d messages, want link and address only", n)
	}
}

func TestMaskBits(t *testing.T) {
	ip := netip.MustParseAddr("10.0.2.15")
	tests := []struct {
		mask string
		want int
		ok   bool
	}{
		{"255.255.255.0", 24, true}, {"24", 24, true}, {"", 8, true}, {"255.0.255.0", 0, false}, {"33", 0, false}, {"x", 0, false},
	}
	for _, tt := range tests {
		got, err := maskBits(tt.mask, ip)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("maskBits(%q) = %d, %v, want %d (ok %v)", tt.mask, got, err, tt.want, tt.ok)
		}
	}
}

func TestARPAnnouncement(t *testing.T) {
	mac := []byte{0x52, 0x54, 0, 0x12, 0x34, 0x56}
	got := hex.EncodeToString(arpAnnouncement(mac, netip.MustParseAddr("10.0.2.15")))
	want := "0001080006040001" + "525400123456" + "0a00020f" + "000000000000" + "0a00020f"
	if got != want {
		t.Errorf("arpAnnouncement = %s, want %s", got, want)
	}
}
