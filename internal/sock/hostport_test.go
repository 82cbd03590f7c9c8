package sock

import (
	"net/netip"
	"testing"
)

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSplitHostPort(t *testing.T) {
	tests := []struct {
		in   string
		host string
		port int
		ok   bool
	}{
		{"10.0.2.100:3260", "10.0.2.100", 3260, true},
		{"[fe80::1]:3260", "fe80::1", 3260, true},
		{"[fe80::1%eth0]:1", "fe80::1%eth0", 1, true},
		{"target.example:860", "target.example", 860, true},
		{":3260", "", 3260, true},
		{"10.0.2.100", "", 0, false},
		{"fe80::1:3260", "", 0, false},
		{"[fe80::1:3260", "", 0, false},
		{"10.0.2.100:65536", "", 0, false},
		{"10.0.2.100:-1", "", 0, false},
		{"10.0.2.100:+1", "", 0, false},
		{"10.0.2.100:", "", 0, false},
	}
	for _, tt := range tests {
		h, p, err := SplitHostPort(tt.in)
		if (err == nil) != tt.ok || tt.ok && (h != tt.host || p != tt.port) {
			t.Errorf("SplitHostPort(%q) = %q, %d, %v; want %q, %d (ok %v)", tt.in, h, p, err, tt.host, tt.port, tt.ok)
		}
		if tt.ok {
			if got := JoinHostPort(tt.host, tt.port); got != tt.in {
				t.Errorf("JoinHostPort(%q, %d) = %q, want %q", tt.host, tt.port, got, tt.in)
			}
		}
	}
}
