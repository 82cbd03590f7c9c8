package tgttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStopRestart stops a configured tgtd, sees its portal refuse
// connections, restarts it and finds the same targets, LUN and account.
func TestStopRestart(t *testing.T) {
	tg := Start(t)
	disk := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(disk, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(disk, 1<<20); err != nil {
		t.Fatal(err)
	}
	tg.AddTarget(1, "iqn.2026-11.test:restart")
	tg.AddLUN(1, 1, disk)
	tg.AddAccount("ruser", "rsecret123456")
	tg.BindAccount(1, "ruser", false)
	before := tg.Adm("--mode", "target", "--op", "show")

	tg.Stop()
	if dialable(tg.Portal()) {
		t.Fatalf("%s still accepts connections after Stop", tg.Portal())
	}
	tg.Stop() // a second Stop does nothing
	tg.Restart(t)
	if !dialable(tg.Portal()) {
		t.Fatalf("%s refuses connections after Restart", tg.Portal())
	}
	after := tg.Adm("--mode", "target", "--op", "show")
	if after != before {
		t.Errorf("configuration after Restart:\n%s\nwant:\n%s", after, before)
	}
	for _, want := range []string{"iqn.2026-11.test:restart", disk, "ruser"} {
		if !strings.Contains(after, want) {
			t.Errorf("configuration after Restart lacks %q:\n%s", want, after)
		}
	}
	if p := tg.Adm("--mode", "portal", "--op", "show"); p != "Portal: "+tg.Portal()+",1\n" {
		t.Errorf("portals after Restart: %q, want %s only", p, tg.Portal())
	}
	tg.Restart(t) // restarting a running target works too
	if again := tg.Adm("--mode", "target", "--op", "show"); again != before {
		t.Errorf("configuration after a second Restart:\n%s\nwant:\n%s", again, before)
	}
}

func TestIsQuery(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"--mode", "target", "--op", "show"}, true},
		{[]string{"--mode", "target", "--op", "new", "--tid", "1"}, false},
		{[]string{"-m", "target", "-o", "show"}, true},
		{[]string{"--mode", "account", "--op=show"}, true},
		{[]string{"--mode", "logicalunit", "--op", "update"}, false},
	} {
		if got := isQuery(c.args); got != c.want {
			t.Errorf("isQuery(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
