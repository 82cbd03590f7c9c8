package boot

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseIPConfig(t *testing.T) {
	tests := []struct {
		in      string
		want    NetConfig
		wantErr string
	}{
		{"dhcp", NetConfig{Mode: "dhcp"}, ""},
		{"on", NetConfig{Mode: "dhcp"}, ""},
		{"any", NetConfig{Mode: "dhcp"}, ""},
		{"dhcp6", NetConfig{Mode: "dhcp6"}, ""},
		{"auto6", NetConfig{Mode: "auto6"}, ""},
		{"ibft", NetConfig{Mode: "ibft"}, ""},
		{"off", NetConfig{Mode: "off"}, ""},
		{"none", NetConfig{Mode: "off"}, ""},
		{"eth0:dhcp", NetConfig{Mode: "dhcp", Dev: "eth0"}, ""},
		{"enp0s3:dhcp6", NetConfig{Mode: "dhcp6", Dev: "enp0s3"}, ""},
		{":dhcp", NetConfig{Mode: "dhcp"}, ""},
		{"10.0.0.5::10.0.0.1:255.255.255.0:client:eth0:off",
			NetConfig{Mode: "static", Dev: "eth0", Addr: "10.0.0.5", Gateway: "10.0.0.1", Netmask: "255.255.255.0", Hostname: "client"}, ""},
		{"10.0.0.5:10.0.0.2:10.0.0.1:255.255.0.0::eth1:none:10.0.0.53:10.0.0.54",
			NetConfig{Mode: "static", Dev: "eth1", Addr: "10.0.0.5", Peer: "10.0.0.2", Gateway: "10.0.0.1", Netmask: "255.255.0.0", DNS: []string{"10.0.0.53", "10.0.0.54"}}, ""},
		{"10.0.0.5::10.0.0.1:24", NetConfig{Mode: "static", Addr: "10.0.0.5", Gateway: "10.0.0.1", Netmask: "24"}, ""},
		{"[2001:db8::5]::[2001:db8::1]:64::eth0:none",
			NetConfig{Mode: "static", Dev: "eth0", Addr: "2001:db8::5", Gateway: "2001:db8::1", Netmask: "64"}, ""},
		{":::::eth0:dhcp", NetConfig{Mode: "dhcp", Dev: "eth0"}, ""},
		{":::::eth0:ibft", NetConfig{Mode: "ibft", Dev: "eth0"}, ""},
		{":::::eth0:off", NetConfig{Mode: "off", Dev: "eth0"}, ""},
		{"", NetConfig{}, "not an autoconfiguration"},
		{"static", NetConfig{}, "not an autoconfiguration"},
		{"10.0.0.5", NetConfig{}, "unknown autoconfiguration"},
		{"eth0:bogus", NetConfig{}, "unknown autoconfiguration"},
		{"eth0:dhcp:9000", NetConfig{}, "bad client"},
		{"eth/0:dhcp", NetConfig{}, "network device"},
		{"10.0.0.300::::::off", NetConfig{}, "bad client"},
		{"[10.0.0.5]::::::off", NetConfig{}, "bad client"},
		{"[2001:db8::5::::::off", NetConfig{}, "missing ]"},
		{"[2001:db8::5]x::::::off", NetConfig{}, "after ]"},
		{"10.0.0.5:::255.0.255.0:::off", NetConfig{}, "not contiguous"},
		{"10.0.0.5:::129:::off", NetConfig{}, "out of range"},
		{"10.0.0.5::::bad_host!::off", NetConfig{}, "hostname"},
		{"::::::static", NetConfig{}, "static without"},
		{"10.0.0.5:::::eth0:off:1.1.1.1:2.2.2.2:3.3.3.3", NetConfig{}, "at most 9"},
		{"10.0.0.5:::::eth0:off:dns", NetConfig{}, "bad dns"},
		{"eth0:dhcp\n", NetConfig{}, "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIPConfig(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseIPConfig(%q) = %+v, %v, want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseIPConfig(%q) = %+v, %v, want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}
