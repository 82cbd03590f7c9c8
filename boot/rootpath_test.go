package boot

import (
	"errors"
	"strings"
	"testing"

	"github.com/goiscsi/goiscsi/records"
)

const iqn = "iqn.2009-06.com.example:boot"

func tgt(name, addr string, port, lun int) BootTarget {
	return BootTarget{Name: name, Addr: addr, Port: port, TPGT: DefaultTPGT, LUN: lun}
}

// TestParseRootPath starts from u-root's ParseISCSIURI cases (their
// names lack the yyyy-mm date RFC 3720 requires, so they appear twice:
// as given, refused, and with a date).
func TestParseRootPath(t *testing.T) {
	tests := []struct {
		in      string
		want    BootTarget
		wantErr string // substring of the error; "" for success
	}{
		// u-root's cases, names made valid.
		{"iscsi:192.168.1.1:::1:iqn.2009-06.com.oracle:boot", tgt("iqn.2009-06.com.oracle:boot", "192.168.1.1", 3260, 1), ""},
		{"iscsi:@192.168.1.1::3260::iqn.2009-06.com.oracle:boot", tgt("iqn.2009-06.com.oracle:boot", "192.168.1.1", 3260, 0), ""},
		{"iscsi:[fe80::1]::3260::iqn.2019-01.com.google:esxi-boot-image", tgt("iqn.2019-01.com.google:esxi-boot-image", "fe80::1", 3260, 0), ""},
		{"iscsi:192.168.1.1::3260::iqn.2019-01.com.google:esxi-boot-image", tgt("iqn.2019-01.com.google:esxi-boot-image", "192.168.1.1", 3260, 0), ""},
		{"iscsi:192.168.1.1::3000::iqn.2019-01.com.google:esxi-boot-image", tgt("iqn.2019-01.com.google:esxi-boot-image", "192.168.1.1", 3000, 0), ""},
		{"iscsi:192.168.1.1::::iqn.2019-01.com.google:esxi-boot-image", tgt("iqn.2019-01.com.google:esxi-boot-image", "192.168.1.1", 3260, 0), ""},
		{"iscsi:192.168.1.1::::iqn.2019-01.com.google::::", tgt("iqn.2019-01.com.google::::", "192.168.1.1", 3260, 0), ""},
		// u-root's cases as given: names without a date, or with [ ].
		{"iscsi:192.168.1.1:::1:iqn.com.oracle:boot", BootTarget{}, "yyyy-mm"},
		{"iscsi:[fe80::1]::3260::iqn.2019-01.com.google:esxi-boot-]:image", BootTarget{}, "not allowed"},
		{"iscsi:192.168.1.1::3260::iqn.2019-01.com.google:[fe80::1]", BootTarget{}, "not allowed"},
		{"iscsi:[fe80::1]::3260::iqn.2019-01.com.google:[foobar]", BootTarget{}, "not allowed"},
		// u-root's error cases.
		{"iscsi:192.168.1.1::::", BootTarget{}, "target name missing"},
		{"iscsi:192.168.1.1:::", BootTarget{}, "fields missing"},
		{"iscs:192.168.1.1::::", BootTarget{}, `"iscsi:"`},
		{"", BootTarget{}, `"iscsi:"`},
		{"iscsi:192.168.1.1::foobar::" + iqn, BootTarget{}, "bad port"},
		{"iscsi:[fe80::1::::", BootTarget{}, "missing ]"},
		// More forms.
		{"iscsi:10.0.0.1:6:3261:7:" + iqn, tgt(iqn, "10.0.0.1", 3261, 7), ""},
		{"iscsi:target.example.com::::eui.0123456789ABCDEF", tgt("eui.0123456789ABCDEF", "target.example.com", 3260, 0), ""},
		{"iscsi:[2001:db8::5]:6:860:65535:" + iqn, tgt(iqn, "2001:db8::5", 860, 65535), ""},
		{"iscsi:::::" + iqn, BootTarget{}, "server missing"},
		{"iscsi:10.0.0.1:17:::" + iqn, BootTarget{}, "protocol"},
		{"iscsi:10.0.0.1::0::" + iqn, BootTarget{}, "out of range"},
		{"iscsi:10.0.0.1::65536::" + iqn, BootTarget{}, "out of range"},
		{"iscsi:10.0.0.1::+80::" + iqn, BootTarget{}, "bad port"},
		{"iscsi:10.0.0.1:::65536:" + iqn, BootTarget{}, "out of range"},
		{"iscsi:10.0.0.1:::-1:" + iqn, BootTarget{}, "bad LUN"},
		{"iscsi:10.0.0.1:::4752-3A4F:" + iqn, BootTarget{}, "bad LUN"},
		{"iscsi:[10.0.0.1]::::" + iqn, BootTarget{}, "bad IPv6"},
		{"iscsi:[fe80::1]x::::" + iqn, BootTarget{}, "after ]"},
		{"iscsi:fe80::1::::" + iqn, BootTarget{}, `not an "iqn."`},
		{"iscsi:bad_host!::::" + iqn, BootTarget{}, "not an IP address"},
		{"iscsi:10.0.0.1::::iqn.2009-06.com.example/../etc", BootTarget{}, "not allowed"},
		{"iscsi:10.0.0.1::::iqn.2009-06.com.example..x", BootTarget{}, `".."`},
		{"iscsi:10.0.0.1::::iqn.2009-06.com.example:a\nb", BootTarget{}, "not allowed"},
		{"iscsi:10.0.0.1::::iqn.2009-06.com.example:" + strings.Repeat("a", 300), BootTarget{}, "longer"},
		{"iscsi:10.0.0.1::::" + strings.Repeat("a", 3000), BootTarget{}, "longer"},
		// An iface/netdev pair is dracut's, not RFC 4173's.
		{"iscsi:10.0.0.1:::default:eth0:0:" + iqn, BootTarget{}, "bad LUN"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRootPath(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRootPath(%q) = %v, want error containing %q", tt.in, err, tt.wantErr)
				}
				if !errors.Is(err, ErrBadConfig) && !errors.Is(err, records.ErrInvalidName) {
					t.Errorf("ParseRootPath(%q) = %v, want it to wrap ErrBadConfig or records.ErrInvalidName", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRootPath(%q) = %+v, %v, want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseNetroot(t *testing.T) {
	withAuth := func(b BootTarget, u, p, ui, pi string) BootTarget {
		b.Username, b.Password, b.UsernameIn, b.PasswordIn = u, p, ui, pi
		return b
	}
	withIface := func(b BootTarget, iface, dev string) BootTarget {
		b.Iface, b.NetDev = iface, dev
		return b
	}
	tests := []struct {
		in      string
		want    BootTarget
		wantErr string
	}{
		{"iscsi:10.0.0.1::::" + iqn, tgt(iqn, "10.0.0.1", 3260, 0), ""},
		{"iscsi:user:secret@10.0.0.1::::" + iqn, withAuth(tgt(iqn, "10.0.0.1", 3260, 0), "user", "secret", "", ""), ""},
		{"iscsi:u:s@cret:ru:rs@10.0.0.1::3261:2:" + iqn, withAuth(tgt(iqn, "10.0.0.1", 3261, 2), "u", "s@cret", "ru", "rs"), ""},
		{"iscsi:u:p@[fd00::9]::::" + iqn, withAuth(tgt(iqn, "fd00::9", 3260, 0), "u", "p", "", ""), ""},
		{"iscsi:10.0.0.1:::myiface:eth1:3:" + iqn, withIface(tgt(iqn, "10.0.0.1", 3260, 3), "myiface", "eth1"), ""},
		{"iscsi:10.0.0.1:::::" + iqn, BootTarget{}, `not an "iqn."`},
		{"iscsi:10.0.0.1::::::" + iqn, withIface(tgt(iqn, "10.0.0.1", 3260, 0), "", ""), ""},
		{"iscsi:10.0.0.1:::bad/iface:eth1:3:" + iqn, BootTarget{}, "iface"},
		{"iscsi:10.0.0.1:::default:eth/1:3:" + iqn, BootTarget{}, "network device"},
		{"iscsi:10.0.0.1:::default:averyveryverylongname:3:" + iqn, BootTarget{}, "network device"},
		{"iscsi:onlyuser@10.0.0.1::::" + iqn, BootTarget{}, "credentials"},
		{"iscsi:a:b:c@10.0.0.1::::" + iqn, BootTarget{}, "credentials"},
		{"iscsi:a:@10.0.0.1::::" + iqn, BootTarget{}, "empty credential"},
		{"iscsi:u:p\x01w@10.0.0.1::::" + iqn, BootTarget{}, "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNetroot(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseNetroot(%q) = %v, want error containing %q", tt.in, err, tt.wantErr)
				}
				for _, secret := range []string{"secret", "s@cret", "p\x01w"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("ParseNetroot(%q) = %v, want no credential in the error", tt.in, err)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseNetroot(%q) = %+v, %v, want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}
