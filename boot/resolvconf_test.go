package boot

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func TestNameServers(t *testing.T) {
	var n nameServers
	path := filepath.Join(t.TempDir(), "etc", "resolv.conf")
	if err := n.write(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("resolv.conf written with no name servers: %v", err)
	}
	n.add("ip=", parseServers("10.0.2.3", "bogus", "0.0.0.0"), "")
	n.add("DHCP", []netip.Addr{netip.MustParseAddr("10.0.2.3"), netip.MustParseAddr("fd00::53")}, "lab.example")
	n.add("iBFT", parseServers("10.0.2.7", "10.0.2.8"), "bad domain!")
	n.add("again", parseServers("10.0.2.3"), "lab.example") // adds nothing
	if err := n.write(path); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# written by goiscsi's boot from ip=, DHCP, iBFT\nsearch lab.example\nnameserver 10.0.2.3\nnameserver fd00::53\nnameserver 10.0.2.7\n"
	if string(got) != want {
		t.Errorf("resolv.conf:\n%s\nwant:\n%s", got, want)
	}
}

func TestValidDomain(t *testing.T) {
	for d, ok := range map[string]bool{"lab.example": true, "example.": true, "a-b.c": true, "": false, "-a.b": false,
		"a..b": false, "a b": false, "a_b": false, string(make([]byte, 300)): false} {
		if validDomain(d) != ok {
			t.Errorf("validDomain(%q) = %v", d, !ok)
		}
	}
}
