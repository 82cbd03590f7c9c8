package boot

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitCmdline(t *testing.T) {
	tests := []struct {
		in   string
		want []cmdlineArg
	}{
		{"", nil},
		{"  ro\tquiet\n", []cmdlineArg{{"ro", "", false}, {"quiet", "", false}}},
		{"root=/dev/sda1 init=/init", []cmdlineArg{{"root", "/dev/sda1", true}, {"init", "/init", true}}},
		{`a="b c" d`, []cmdlineArg{{"a", "b c", true}, {"d", "", false}}},
		{`"a=b c" d`, []cmdlineArg{{"a", "b c", true}, {"d", "", false}}},
		{`"bare word"`, []cmdlineArg{{"bare word", "", false}}},
		{`a=x"y z"w`, []cmdlineArg{{"a", `x"y z"w`, true}}},
		{`a="unterminated b`, []cmdlineArg{{"a", "unterminated b", true}}},
		{"a= b==c", []cmdlineArg{{"a", "", true}, {"b", "=c", true}}},
		{"quiet -- netroot=iscsi:x", []cmdlineArg{{"quiet", "", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := splitCmdline(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitCmdline(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// public returns c without its unexported bookkeeping, for comparison.
func public(c Config) Config {
	c.defaults, c.tools = nil, nil
	return c
}

func TestParseCmdline(t *testing.T) {
	dr := func(b BootTarget) BootTarget { return b }
	auth := func(b BootTarget, u, p string) BootTarget { b.Username, b.Password = u, p; return b }
	tpgt := func(b BootTarget, g int) BootTarget { b.TPGT = g; return b }
	tools := tgt(iqn, "10.0.0.9", 3260, AnyLUN)
	tests := []struct {
		name string
		in   string
		want Config
	}{
		{"empty", "", Config{}},
		{"plain", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro init=/sbin/init", Config{Root: "/dev/sda1", Init: "/sbin/init"}},
		{"netroot", "netroot=iscsi:10.0.0.1::::" + iqn + " rd.iscsi.initiator=iqn.2026-01.test:host",
			Config{Initiator: "iqn.2026-01.test:host", Targets: []BootTarget{dr(tgt(iqn, "10.0.0.1", 3260, 0))}, Source: SourceDracut}},
		{"several netroots", "netroot=iscsi:10.0.0.1::::" + iqn + " netroot=dhcp netroot=iscsi:[fd00::2]::3261:1:" + iqn + ":two",
			Config{Targets: []BootTarget{tgt(iqn, "10.0.0.1", 3260, 0), tgt(iqn+":two", "fd00::2", 3261, 1)}, Source: SourceDracut}},
		{"root wins over netroot", "netroot=iscsi:10.0.0.1::::" + iqn + " root=iscsi:u:pw@10.0.0.2::::" + iqn,
			Config{Targets: []BootTarget{auth(tgt(iqn, "10.0.0.2", 3260, 0), "u", "pw")}, Root: "iscsi:10.0.0.2::::" + iqn, Source: SourceDracut}},
		{"rd.iscsi fill-ins", "rd.iscsi.target.group=3 rd.iscsi.username=u rd.iscsi.password=pw netroot=iscsi:10.0.0.1::::" + iqn,
			Config{Targets: []BootTarget{auth(tpgt(tgt(iqn, "10.0.0.1", 3260, 0), 3), "u", "pw")}, Source: SourceDracut}},
		{"netroot credentials win", "rd.iscsi.username=u rd.iscsi.password=pw netroot=iscsi:a:b@10.0.0.1::::" + iqn,
			Config{Targets: []BootTarget{auth(tgt(iqn, "10.0.0.1", 3260, 0), "a", "b")}, Source: SourceDracut}},
		{"legacy iscsi_ fill-ins", "iscsi_target_group=0 iscsi_username=u iscsi_password=pw netroot=iscsi:10.0.0.1::::" + iqn,
			Config{Targets: []BootTarget{auth(tpgt(tgt(iqn, "10.0.0.1", 3260, 0), 0), "u", "pw")}, Source: SourceDracut}},
		{"firmware bare", "rd.iscsi.firmware", Config{Firmware: true}},
		{"firmware=1", "rd.iscsi.firmware=1", Config{Firmware: true}},
		{"firmware=0", "rd.iscsi.firmware=0", Config{}},
		{"ibft", "rd.iscsi.ibft", Config{Firmware: true, Net: []NetConfig{{Mode: "ibft"}}}},
		{"ibft with ip=", "rd.iscsi.ibft=1 ip=eth0:dhcp", Config{Firmware: true, Net: []NetConfig{{Mode: "dhcp", Dev: "eth0"}}}},
		{"params in order", "rd.iscsi.param=node.session.timeo.replacement_timeout=30 rd.iscsi.param=node.conn[0].timeo.login_timeout=5",
			Config{Params: [][2]string{{"node.session.timeo.replacement_timeout", "30"}, {"node.conn[0].timeo.login_timeout", "5"}}}},
		{"initramfs-tools", "iscsi_initiator=iqn.2026-01.test:host iscsi_target_name=" + iqn + " iscsi_target_ip=10.0.0.9",
			Config{Initiator: "iqn.2026-01.test:host", Targets: []BootTarget{tools}, Source: SourceInitramfsTools}},
		{"initramfs-tools full", "iscsi_target_name=" + iqn + " iscsi_target_ip=[fd00::9] iscsi_target_port=3262 iscsi_target_group=2 iscsi_username=u iscsi_password=pw",
			Config{Targets: []BootTarget{auth(tpgt(tgt(iqn, "fd00::9", 3262, AnyLUN), 2), "u", "pw")}, Source: SourceInitramfsTools}},
		{"initramfs-tools waits for the file", "iscsi_target_name=" + iqn, Config{}},
		{"dracut wins over initramfs-tools", "iscsi_target_name=" + iqn + " iscsi_target_ip=10.0.0.9 netroot=iscsi:10.0.0.1::::" + iqn,
			Config{Targets: []BootTarget{tgt(iqn, "10.0.0.1", 3260, 0)}, Source: SourceDracut}},
		{"rd.iscsi.initiator wins", "iscsi_initiator=iqn.2026-01.test:old rd.iscsi.initiator=iqn.2026-01.test:new",
			Config{Initiator: "iqn.2026-01.test:new"}},
		{"quoted init", `init="/bin/sh" root="/dev/nfs"`, Config{Root: "/dev/nfs", Init: "/bin/sh"}},
		{"after --", "rd.iscsi.firmware -- netroot=iscsi:bogus", Config{Firmware: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCmdline(tt.in)
			if err != nil || !reflect.DeepEqual(public(got), tt.want) {
				t.Errorf("ParseCmdline(%q) = %+v, %v, want %+v", tt.in, public(got), err, tt.want)
			}
		})
	}
}

func TestParseCmdlineErrors(t *testing.T) {
	tests := []struct {
		in, wantErr string
	}{
		{strings.Repeat("a ", MaxCmdline/2+1), "cmdline"},
		{"netroot=iscsi:10.0.0.1::99999::" + iqn, "netroot"},
		{"root=iscsi:10.0.0.1::::iqn.bad/name", "root"},
		{"netroot=iscsi:[fd00::1::::" + iqn, "missing ]"},
		{"netroot=iscsi:10.0.0.1::::" + iqn + "/../x", "not allowed"},
		{"rd.iscsi.initiator=../../etc", "initiator"},
		{"rd.iscsi.target.group=x netroot=iscsi:10.0.0.1::::" + iqn, "rd.iscsi.target.group"},
		{"rd.iscsi.firmware=maybe", "rd.iscsi.firmware"},
		{"rd.iscsi.param=node.session.timeo.replacement_timeout", "rd.iscsi.param"},
		{"rd.iscsi.param=node.bogus=1", "node.bogus"},
		{"rd.iscsi.param=node.name=" + iqn, "node.name"},
		{"rd.iscsi.param=node.session.timeo.replacement_timeout=soon", "replacement_timeout"},
		{"ip=10.0.0.5", "ip"},
		{"iscsi_target_name=" + iqn + " iscsi_target_ip=10.0.0.9 iscsi_target_port=0", "ISCSI_TARGET_PORT"},
		{"iscsi_target_name=" + iqn + " iscsi_target_ip=bad..host", "address"},
		{"iscsi_target_name=" + iqn + " iscsi_target_ip=10.0.0.9 iscsi_password=\"a\x01b\"", "password"},
		{"init=\"/bin/sh\x01\"", "init"},
		{strings.Repeat("netroot=iscsi:10.0.0.1::::"+iqn+" ", maxNetroots+1), "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.wantErr, func(t *testing.T) {
			_, err := ParseCmdline(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseCmdline(%.80q) = %v, want error naming %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestUseRootPath(t *testing.T) {
	rp := "iscsi:10.0.0.7::::" + iqn
	tests := []struct {
		name    string
		cmdline string
		want    []BootTarget
		source  string
	}{
		{"nothing else", "", []BootTarget{tgt(iqn, "10.0.0.7", 3260, 0)}, SourceRootPath},
		{"fill-ins apply", "rd.iscsi.target.group=4 rd.iscsi.username=u rd.iscsi.password=pw",
			[]BootTarget{{Name: iqn, Addr: "10.0.0.7", Port: 3260, TPGT: 4, Username: "u", Password: "pw"}}, SourceRootPath},
		{"dracut wins", "netroot=iscsi:10.0.0.1::::" + iqn, []BootTarget{tgt(iqn, "10.0.0.1", 3260, 0)}, SourceDracut},
		{"initramfs-tools wins", "iscsi_target_name=" + iqn + " iscsi_target_ip=10.0.0.9", []BootTarget{tgt(iqn, "10.0.0.9", 3260, AnyLUN)}, SourceInitramfsTools},
		{"firmware wins", "rd.iscsi.firmware", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCmdline(tt.cmdline)
			if err != nil {
				t.Fatalf("ParseCmdline(%q) = %v", tt.cmdline, err)
			}
			if err := c.UseRootPath(rp); err != nil || !reflect.DeepEqual(c.Targets, tt.want) || c.Source != tt.source {
				t.Errorf("UseRootPath(%q) after %q = %v, targets %+v from %q, want %+v from %q", rp, tt.cmdline, err, c.Targets, c.Source, tt.want, tt.source)
			}
		})
	}
	var c Config
	if err := c.UseRootPath("iscsi:10.0.0.7::::iqn.bad"); err == nil {
		t.Errorf("UseRootPath(%q) = nil, want an error", "iscsi:10.0.0.7::::iqn.bad")
	}
}

func TestStringMasks(t *testing.T) {
	in := "root=iscsi:rootuser:rootsecret@10.0.0.2::::" + iqn +
		" rd.iscsi.in.username=inuser rd.iscsi.in.password=insecret" +
		" rd.iscsi.param=node.session.auth.password=paramsecret rd.iscsi.param=node.session.timeo.replacement_timeout=30" +
		" ip=10.0.0.5::10.0.0.1:255.255.255.0:host:eth0:off"
	c, err := ParseCmdline(in)
	if err != nil {
		t.Fatalf("ParseCmdline(%q) = %v", in, err)
	}
	s := c.String()
	for _, secret := range []string{"rootuser", "rootsecret", "inuser", "insecret", "paramsecret"} {
		if strings.Contains(s, secret) {
			t.Errorf("String() = %q, want %q masked", s, secret)
		}
	}
	for _, want := range []string{"username=********", "password_in=********", "node.session.auth.password=********",
		"replacement_timeout=30", iqn + " 10.0.0.2:3260,1 lun=0", "mode=static dev=eth0 addr=10.0.0.5", "root=iscsi:10.0.0.2::::"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q, want it to contain %q", s, want)
		}
	}
	if got := tgt(iqn, "fd00::1", 3260, AnyLUN).String(); got != iqn+" [fd00::1]:3260,1 lun=any" {
		t.Errorf("BootTarget.String() = %q, want %q", got, iqn+" [fd00::1]:3260,1 lun=any")
	}
}
