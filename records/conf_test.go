package records

import (
	"os"
	"path/filepath"
	"testing"
)

func TestConfigApply(t *testing.T) {
	conf, err := LoadConfig("../dist/iscsid.conf")
	if err != nil {
		t.Fatal(err)
	}
	rec := New(NodeTable)
	conf.Apply(rec)
	for k, want := range map[string]string{
		"node.conn[0].timeo.login_timeout":     "15",
		"node.session.initial_login_retry_max": "8",
		"node.session.auth.authmethod":         "None", // commented out in the file
		"node.name":                            "",
	} {
		if got := rec.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	d := New(DiscoveryTable)
	conf.Apply(d)
	if got := d.Get("discovery.sendtargets.iscsi.MaxRecvDataSegmentLength"); got != "32768" {
		t.Errorf("discovery MaxRecvDataSegmentLength = %q", got)
	}
	bad, _ := ParseConfig([]byte("node.startup = sometimes\nnode.name = iqn.2026-11.x:y\nnode.session.cmds_max = 64\n"))
	rec = New(NodeTable)
	bad.Apply(rec)
	if rec.Get("node.startup") != "manual" || rec.Get("node.name") != "" || rec.Get("node.session.cmds_max") != "64" {
		t.Errorf("Apply took a refused value or a fixed key: %q %q %q", rec.Get("node.startup"), rec.Get("node.name"), rec.Get("node.session.cmds_max"))
	}
}

func TestReadInitiatorName(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		text, name string
		ok         bool
	}{
		{"## comment\nInitiatorName=iqn.1993-08.org.debian:01:8fc9f5bddfbf\n", "iqn.1993-08.org.debian:01:8fc9f5bddfbf", true},
		{"InitiatorName=../../x\n", "", false},
		{"# nothing\n", "", false},
	} {
		p := filepath.Join(dir, "initiatorname.iscsi")
		if err := os.WriteFile(p, []byte(tt.text), 0o600); err != nil {
			t.Fatal(err)
		}
		name, err := ReadInitiatorName(p)
		if (err == nil) != tt.ok || name != tt.name {
			t.Errorf("ReadInitiatorName(%q) = %q, %v", tt.text, name, err)
		}
	}
}
