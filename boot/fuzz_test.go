package boot

import (
	"strings"
	"testing"
)

// checkConfig is what every fuzz target requires of a parse that
// succeeded: every target validates and String shows no credential
// that it would not show with the credentials blanked.
func checkConfig(t *testing.T, c Config) {
	t.Helper()
	blank := c
	blank.Targets = nil
	var secrets []string
	for _, tg := range c.Targets {
		if err := tg.Validate(); err != nil {
			t.Fatalf("target %+v does not validate: %v", tg, err)
		}
		secrets = append(secrets, tg.Username, tg.Password, tg.UsernameIn, tg.PasswordIn)
		tg.Username, tg.Password = placeholder(tg.Username), placeholder(tg.Password)
		tg.UsernameIn, tg.PasswordIn = placeholder(tg.UsernameIn), placeholder(tg.PasswordIn)
		blank.Targets = append(blank.Targets, tg)
	}
	blank.Params = nil
	for _, p := range c.Params {
		if secretParam(p[0]) {
			secrets = append(secrets, p[1])
			p[1] = placeholder(p[1])
		}
		blank.Params = append(blank.Params, p)
	}
	s, bs := c.String(), blank.String()
	for _, secret := range secrets {
		if len(secret) >= 4 && strings.Contains(s, secret) && !strings.Contains(bs, secret) {
			t.Fatalf("String() = %q shows the credential %q", s, secret)
		}
	}
}

// placeholder stands for a credential in the blanked copy: set or not,
// as the original, so that String prints the same labels.
func placeholder(v string) string {
	if v == "" {
		return ""
	}
	return "-"
}

func FuzzParseCmdline(f *testing.F) {
	for _, s := range []string{
		"",
		"root=/dev/sda1 ro quiet",
		"netroot=iscsi:user:secret@10.0.0.1::3260:0:" + iqn + " rd.iscsi.initiator=iqn.2026-01.test:host",
		"root=iscsi:[fd00::1]:6:3260:1:" + iqn + " ip=[fd00::5]::[fd00::1]:64:h:eth0:none",
		"netroot=iscsi:10.0.0.1:::default:eth0:0:" + iqn + " rd.iscsi.param=node.session.auth.password=pw",
		"iscsi_target_name=" + iqn + " iscsi_target_ip=10.0.0.9 iscsi_password=\"two words\"",
		"rd.iscsi.firmware rd.iscsi.ibft=1 ip=eth0:dhcp init=/init -- x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCmdline(s)
		if err != nil {
			return
		}
		checkConfig(t, c)
	})
}

func FuzzParseRootPath(f *testing.F) {
	for _, s := range []string{
		"iscsi:192.168.1.1:::1:iqn.2009-06.com.oracle:boot",
		"iscsi:@192.168.1.1::3260::" + iqn,
		"iscsi:[fe80::1]::3260::iqn.2019-01.com.google:esxi-boot-]:image",
		"iscsi:192.168.1.1::::iqn.2019-01.com.google::::",
		"iscsi:user:password@[fe80::1%eth0]:6:3260:7:" + iqn,
		"iscsi:[fe80::1::::",
		"iscs:192.168.1.1::::",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseRootPath(s)
		if err != nil {
			rest, ok := strings.CutPrefix(s, "iscsi:")
			if at := strings.LastIndexByte(rest, '@'); ok && at >= 0 {
				creds := strings.Split(rest[:at], ":")
				blank := make([]string, len(creds))
				for i, c := range creds {
					blank[i] = placeholder(c)
				}
				_, berr := ParseRootPath("iscsi:" + strings.Join(blank, ":") + rest[at:])
				for _, cred := range creds {
					if len(cred) >= 4 && strings.Contains(err.Error(), cred) && (berr == nil || !strings.Contains(berr.Error(), cred)) {
						t.Fatalf("ParseRootPath(%q) = %v, shows the credential %q", s, err, cred)
					}
				}
			}
			return
		}
		checkConfig(t, Config{Targets: []BootTarget{tg}})
	})
}

func FuzzParseInitramfsConf(f *testing.F) {
	f.Add([]byte(sampleConf), "")
	f.Add([]byte("ISCSI_TARGET_IP=10.0.0.9\n"), "iscsi_target_name="+iqn)
	f.Add([]byte("ISCSI_TARGET_NAME='"+iqn+"'\nISCSI_TARGET_IP=[fd00::1]\nISCSI_PASSWORD=\"pw pw\" # c\n"), "rd.iscsi.firmware")
	f.Add([]byte("export ISCSI_INITIATOR=x\nISCSI_TARGET_PORT=$(x)\n"), "netroot=iscsi:10.0.0.1::::"+iqn)
	f.Fuzz(func(t *testing.T, data []byte, cmdline string) {
		c, err := ParseCmdline(cmdline)
		if err != nil {
			return
		}
		if err := ParseInitramfsConf(data, &c); err != nil {
			return
		}
		checkConfig(t, c)
	})
}
