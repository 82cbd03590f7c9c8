package records

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestValidateTargetName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"iqn.2026-11.test:root", true},
		{"iqn.2001-04.com.example:storage.disk2.sys1.xyz", true},
		{"iqn.1993-08.org.debian:01:8fc9f5bddfbf", true},
		{"IQN.2000-01.COM.SYNOLOGY:NAS.Target-1", true},
		{"eui.02004567A425678D", true},
		{"naa.52004567BA64678D", true},
		{"naa.62004567BA64678D0123456789ABCDEF", true},
		{"../../evil", false},
		{"iqn.2026-11.test:../../evil", false},
		{"iqn.2026-11.test:a/b", false},
		{"iqn.2026-11.test:a\nnode.startup = automatic", false},
		{"iqn.2026-11.test:a b", false},
		{"iqn.2026-11.test:a,b", false},
		{"iqn.2026-11.test:" + strings.Repeat("a", 207), false},
		{"iqn.2026-11.test:" + strings.Repeat("a", 206), true},
		{"iqn.26-11.test:x", false},
		{"iqn.2026-11.:x", false},
		{"eui.0200", false},
		{"naa.zz004567BA64678D", false},
		{"foo", false},
		{"", false},
		{".", false},
		{"..", false},
	}
	for _, tt := range tests {
		err := ValidateTargetName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateTargetName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateTargetName(%q) error does not wrap ErrInvalidName", tt.name)
		}
	}
}

func TestParsePortal(t *testing.T) {
	tests := []struct {
		in   string
		want Portal
		ok   bool
	}{
		{"10.0.2.100", Portal{"10.0.2.100", 3260, -1, false}, true},
		{"10.0.2.100:3261", Portal{"10.0.2.100", 3261, -1, true}, true},
		{"10.0.2.100:3261,5", Portal{"10.0.2.100", 3261, 5, true}, true},
		{"10.0.2.101,2", Portal{"10.0.2.101", 3260, 2, false}, true},
		{"[fe80::1]:3261,7", Portal{"fe80::1", 3261, 7, true}, true},
		{"[2001:db8::1]", Portal{"2001:db8::1", 3260, -1, false}, true},
		{"2001:db8::1", Portal{"2001:db8::1", 3260, -1, false}, true},
		{"target.example.com:3260", Portal{"target.example.com", 3260, -1, true}, true},
		{"[::1", Portal{}, false},
		{"[::1]x", Portal{}, false},
		{"10.0.2.100:99999", Portal{}, false},
		{"10.0.2.100:x", Portal{}, false},
		{"10.0.2.100,x", Portal{}, false},
		{"../../evil", Portal{}, false},
		{"a b", Portal{}, false},
		{"", Portal{}, false},
	}
	for _, tt := range tests {
		got, err := ParsePortal(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParsePortal(%q) = %+v, %v; want %+v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if got := (Portal{Addr: "fe80::1", Port: 3260}).HostPort(); got != "[fe80::1]:3260" {
		t.Errorf("HostPort = %q", got)
	}
}

// FuzzParsePortal: an accepted portal is a safe path component and
// formats back to a portal that parses to the same value.
func FuzzParsePortal(f *testing.F) {
	for _, s := range []string{"10.0.2.100:3260,1", "[fe80::1%eth0]:3260", "host.example:1", "a,b,c", "[:::]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePortal(s)
		if err != nil {
			return
		}
		if strings.ContainsAny(p.DirName(), "/\n\x00") || p.Addr == ".." || p.Addr == "." {
			t.Fatalf("portal %q gives unsafe path %q", s, p.DirName())
		}
		back := p.HostPort()
		if p.TPGT != NoTPGT {
			back += "," + itoa(p.TPGT)
		}
		q, err := ParsePortal(back)
		if err != nil || q.Addr != p.Addr || q.Port != p.Port || q.TPGT != p.TPGT {
			t.Fatalf("ParsePortal(%q) = %+v, but %q gives %+v, %v", s, p, back, q, err)
		}
	})
}

// FuzzValidateTargetName: an accepted name is a single safe path
// component and a single record line.
func FuzzValidateTargetName(f *testing.F) {
	for _, s := range []string{"iqn.2026-11.test:root", "../../evil", "eui.02004567A425678D", "iqn.2026-11.a:\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateTargetName(s) != nil {
			return
		}
		if strings.ContainsAny(s, "/\n\r\x00 ,=") || strings.Contains(s, "..") || len(s) > MaxTargetName {
			t.Fatalf("unsafe name %q accepted", s)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
