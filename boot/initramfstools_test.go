package boot

import (
	"reflect"
	"strings"
	"testing"
)

const sampleConf = `# /etc/iscsi/iscsi.initramfs
ISCSI_INITIATOR=iqn.2026-01.test:fromfile
ISCSI_TARGET_NAME="iqn.2009-06.com.example:boot"
export ISCSI_TARGET_IP='10.0.0.9'
ISCSI_TARGET_PORT=3261   # not the default
ISCSI_TARGET_GROUP=2
ISCSI_USERNAME=fileuser
ISCSI_PASSWORD="file secret"
ISCSI_AUTO=true

`

func TestParseInitramfsConf(t *testing.T) {
	fromFile := BootTarget{Name: iqn, Addr: "10.0.0.9", Port: 3261, TPGT: 2, LUN: AnyLUN, Username: "fileuser", Password: "file secret"}
	cmdOver := fromFile
	cmdOver.Addr, cmdOver.Username, cmdOver.Password = "10.0.0.10", "cmduser", "cmdsecret"
	tests := []struct {
		name      string
		cmdline   string
		conf      string
		want      []BootTarget
		source    string
		initiator string
	}{
		{"file alone", "", sampleConf, []BootTarget{fromFile}, SourceInitramfsTools, "iqn.2026-01.test:fromfile"},
		{"command line wins key by key", "iscsi_target_ip=10.0.0.10 iscsi_username=cmduser iscsi_password=cmdsecret iscsi_initiator=iqn.2026-01.test:cmd",
			sampleConf, []BootTarget{cmdOver}, SourceInitramfsTools, "iqn.2026-01.test:cmd"},
		{"dracut wins over the file", "netroot=iscsi:10.0.0.1::::" + iqn, sampleConf,
			[]BootTarget{tgt(iqn, "10.0.0.1", 3260, 0)}, SourceDracut, "iqn.2026-01.test:fromfile"},
		{"file completes the command line", "iscsi_target_name=" + iqn, "ISCSI_TARGET_IP=10.0.0.9\n",
			[]BootTarget{tgt(iqn, "10.0.0.9", 3260, AnyLUN)}, SourceInitramfsTools, ""},
		{"file wins over firmware", "rd.iscsi.firmware", sampleConf, []BootTarget{fromFile}, SourceInitramfsTools, "iqn.2026-01.test:fromfile"},
		{"template names nothing", "", "#ISCSI_TARGET_NAME=\nISCSI_TARGET_NAME=\nISCSI_AUTO=true\n", nil, "", ""},
		{"empty", "", "", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCmdline(tt.cmdline)
			if err != nil {
				t.Fatalf("ParseCmdline(%q) = %v", tt.cmdline, err)
			}
			err = ParseInitramfsConf([]byte(tt.conf), &c)
			if err != nil || !reflect.DeepEqual(c.Targets, tt.want) || c.Source != tt.source || c.Initiator != tt.initiator {
				t.Errorf("ParseInitramfsConf(%q) after %q = %v, %+v from %q initiator %q, want %+v from %q initiator %q",
					tt.conf, tt.cmdline, err, c.Targets, c.Source, c.Initiator, tt.want, tt.source, tt.initiator)
			}
		})
	}
}

func TestParseInitramfsConfErrors(t *testing.T) {
	tests := []struct {
		conf, wantErr string
	}{
		{"ISCSI_TARGET_IP=10.0.0.9\n", "ISCSI_TARGET_NAME"},
		{"ISCSI_TARGET_NAME=" + iqn + "\n", "ISCSI_TARGET_IP"},
		{"ISCSI_TARGET_NAME=" + iqn + "\nISCSI_TARGET_IP=10.0.0.9\nISCSI_TARGET_PORT=70000\n", "ISCSI_TARGET_PORT"},
		{"ISCSI_TARGET_NAME=" + iqn + "\nISCSI_TARGET_IP=10.0.0.9\nISCSI_TARGET_GROUP=-1\n", "ISCSI_TARGET_GROUP"},
		{"ISCSI_TARGET_NAME=iqn.2009-06.com.example/../../x\nISCSI_TARGET_IP=10.0.0.9\n", "not allowed"},
		{"ISCSI_TARGET_NAME=" + iqn + "\nISCSI_TARGET_IP=$(reboot)\n", "line 2: bad boot configuration: ISCSI_TARGET_IP: shell expansion"},
		{"ISCSI_PASSWORD=\"unterminated\n", "line 1: bad boot configuration: ISCSI_PASSWORD: unterminated quote"},
		{"ISCSI_PASSWORD=two words\n", "unquoted white space"},
		{"ISCSI_PASSWORD=\"a\"b\n", "after the closing quote"},
		{"ISCSI_PASSWORD=a\"b\n", "stray quote"},
		{"not a line\n", "KEY=value"},
		{"1ABC=x\n", "KEY=value"},
		{"ISCSI_INITIATOR=bogus\n", "ISCSI_INITIATOR"},
		{strings.Repeat("#\n", MaxConfFile), "longer"},
		{"ISCSI_TARGET_NAME=" + iqn + "\nISCSI_TARGET_IP=10.0.0.9\nISCSI_PASSWORD=\"tab\there\"\n", "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.wantErr, func(t *testing.T) {
			var c Config
			err := ParseInitramfsConf([]byte(tt.conf), &c)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseInitramfsConf(%.60q) = %v, want error containing %q", tt.conf, err, tt.wantErr)
			}
			if err != nil && (strings.Contains(err.Error(), "unterminated\"") || strings.Contains(err.Error(), "two words")) {
				t.Errorf("ParseInitramfsConf(%.60q) = %v, want no password in the error", tt.conf, err)
			}
		})
	}
}
