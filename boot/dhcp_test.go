package boot

import (
	"bytes"
	"context"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fakeServer answers the client's messages in process, as a DHCP
// server on the wire would; drop makes it ignore the first n messages.
type fakeServer struct {
	t       *testing.T
	queue   [][]byte
	sent    []dhcpMessage
	drop    int
	nak     bool
	options map[byte][]byte
}

func (s *fakeServer) send(b []byte) error {
	m, err := parseDHCP(b)
	if err != nil {
		s.t.Fatalf("client sent a bad message: %v", err)
	}
	if len(b) < dhcpMinLen || m.Op != 1 || m.Flags != 0x8000 {
		s.t.Errorf("client message: %d bytes, op %d, flags %#x", len(b), m.Op, m.Flags)
	}
	s.sent = append(s.sent, m)
	if s.drop > 0 {
		s.drop--
		return nil
	}
	reply := dhcpMessage{Op: 2, XID: m.XID, HWAddr: m.HWAddr, YIAddr: netip.MustParseAddr("10.0.2.15"), Opts: map[byte][]byte{}}
	keys := []byte{optMsgType, optServerID}
	reply.Opts[optServerID] = []byte{10, 0, 2, 2}
	switch m.msgType() {
	case dhcpDiscover:
		reply.Opts[optMsgType] = []byte{dhcpOffer}
	case dhcpRequest:
		if string(m.Opts[optServerID]) != "\x0a\x00\x02\x02" || string(m.Opts[optRequestIP]) != "\x0a\x00\x02\x0f" {
			s.t.Errorf("REQUEST names server %v, address %v", m.Opts[optServerID], m.Opts[optRequestIP])
		}
		reply.Opts[optMsgType] = []byte{dhcpAck}
		if s.nak {
			reply.Opts[optMsgType] = []byte{dhcpNak}
		}
		for k, v := range s.options {
			reply.Opts[k] = v
			keys = append(keys, k)
		}
	}
	// Another client's answer first: the client must skip it.
	other := reply
	other.XID++
	s.queue = append(s.queue, other.marshal(keys), reply.marshal(keys))
	return nil
}

func (s *fakeServer) recv(deadline time.Time) ([]byte, error) {
	if len(s.queue) == 0 {
		time.Sleep(min(time.Until(deadline), 10*time.Millisecond))
		return nil, dhcpTimeout{}
	}
	b := s.queue[0]
	s.queue = s.queue[1:]
	return b, nil
}

// testHW is QEMU's default guest MAC address.
func testHW() []byte { return []byte{0x52, 0x54, 0, 0x12, 0x34, 0x56} }

func TestDHCPExchange(t *testing.T) {
	s := &fakeServer{t: t, drop: 1, options: map[byte][]byte{
		optSubnetMask: {255, 255, 255, 0}, optRouter: {10, 0, 2, 2}, optHostname: []byte("guest\x00"),
		optLeaseTime: {0, 0, 0x0e, 0x10}, optRootPath: []byte("iscsi:10.0.2.100::3260:1:iqn.2026-11.test:boot"),
		optDNS:        {10, 0, 2, 3, 0, 0, 0, 0, 10, 0, 2, 4, 10, 0, 2, 5, 10, 0, 2, 6, 1},
		optDomainName: []byte("lab.example\x00"),
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := dhcpExchange(ctx, s, testHW(), 0x1234)
	if err != nil {
		t.Fatal(err)
	}
	want := dhcpLease{Addr: netip.MustParsePrefix("10.0.2.15/24"), Router: netip.MustParseAddr("10.0.2.2"),
		Server: netip.MustParseAddr("10.0.2.2"), Hostname: "guest", RootPath: "iscsi:10.0.2.100::3260:1:iqn.2026-11.test:boot", Lease: time.Hour,
		// 0.0.0.0 is skipped, the fourth server and the stray byte dropped.
		DNS:    []netip.Addr{netip.MustParseAddr("10.0.2.3"), netip.MustParseAddr("10.0.2.4"), netip.MustParseAddr("10.0.2.5")},
		Domain: "lab.example"}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("lease %+v, want %+v", l, want)
	}
	if len(s.sent) != 3 || s.sent[0].msgType() != dhcpDiscover || s.sent[1].msgType() != dhcpDiscover || s.sent[2].msgType() != dhcpRequest {
		t.Errorf("client sent %d messages, want DISCOVER twice (one lost) and REQUEST", len(s.sent))
	}
	if p := s.sent[0].Opts[optParamList]; !strings.Contains(string(p), string([]byte{optRootPath})) {
		t.Errorf("parameter request list %v lacks the root path", p)
	}

	var cfg Config
	if err := cfg.UseRootPath(l.RootPath); err != nil || len(cfg.Targets) != 1 || cfg.Targets[0].Addr != "10.0.2.100" {
		t.Errorf("UseRootPath(%q): %v, %+v", l.RootPath, err, cfg.Targets)
	}
}

func TestDHCPNakAndTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := dhcpExchange(ctx, &fakeServer{t: t, nak: true}, testHW(), 1); err == nil || !strings.Contains(err.Error(), "DHCPNAK") {
		t.Errorf("NAK: %v", err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	start := time.Now()
	_, err := dhcpExchange(short, &fakeServer{t: t, drop: 1 << 30}, testHW(), 1)
	if err == nil || !strings.Contains(err.Error(), "no DHCP offer") {
		t.Errorf("silent server: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("silent server: gave up after %v, want the context's 300ms", d)
	}
}

func TestParseDHCP(t *testing.T) {
	m := dhcpMessage{Op: 2, XID: 7, HWAddr: testHW(), YIAddr: netip.MustParseAddr("192.168.1.9"),
		Opts: map[byte][]byte{optMsgType: {dhcpAck}}}
	b := m.marshal([]byte{optMsgType})
	got, err := parseDHCP(b)
	if err != nil || got.XID != 7 || got.msgType() != dhcpAck || got.YIAddr != m.YIAddr || !bytes.Equal(got.HWAddr, testHW()) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	l, err := got.lease()
	if err != nil || l.Addr.Bits() != 24 || l.Router.IsValid() {
		t.Errorf("lease without a mask or router: %+v, %v (want the class C default, no router)", l, err)
	}
	for _, bad := range [][]byte{nil, b[:100], append(append([]byte(nil), b[:240]...), optHostname, 9, 'x')} {
		if _, err := parseDHCP(bad); err == nil {
			t.Errorf("parseDHCP accepted %d bytes", len(bad))
		}
	}
	got.YIAddr = netip.IPv4Unspecified()
	if _, err := got.lease(); err == nil {
		t.Error("a lease of 0.0.0.0 was accepted")
	}
	if !validHostname("guest-1.example") || validHostname("bad name") || validHostname(strings.Repeat("a", 65)) {
		t.Error("validHostname")
	}
}

func TestWantsDHCP(t *testing.T) {
	tests := []struct {
		cfg  Config
		want bool
	}{
		{Config{}, true},
		{Config{Firmware: true}, false},
		{Config{Targets: []BootTarget{{Name: "iqn.x"}}}, false},
		{Config{Net: []NetConfig{{Mode: "off"}}}, false},
	}
	for _, tt := range tests {
		if got := (&booter{cfg: tt.cfg}).wantsDHCP(); got != tt.want {
			t.Errorf("wantsDHCP(%+v) = %v, want %v", tt.cfg, got, tt.want)
		}
	}
}

func FuzzParseDHCP(f *testing.F) {
	m := dhcpMessage{Op: 2, XID: 7, HWAddr: testHW(), YIAddr: netip.MustParseAddr("10.0.2.15"),
		Opts: map[byte][]byte{optMsgType: {dhcpAck}, optRootPath: []byte("iscsi:10.0.2.100::::iqn.x")}}
	f.Add(m.marshal([]byte{optMsgType, optRootPath}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := parseDHCP(b); err == nil {
			_, _ = m.lease()
		}
	})
}
