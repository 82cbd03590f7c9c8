package vmtest

import (
	"strings"
	"testing"
)

func TestResult(t *testing.T) {
	console := "[    1.0] random kernel line\r\n" +
		"VMTEST-RUN disc 0 o:YQpi e:\r\n" +
		"VMTEST-RUN fail 4 o: e:b29wcwo=\r\n" +
		"VMTEST-RUN disc 1 o: e:\r\n" +
		"VMTEST-RUN bad 1 o:!!! e:\r\n" +
		"VMTEST-RUN short 1\r\n"
	for _, c := range []struct {
		name string
		want Run
		err  string
	}{
		{"disc", Run{RC: 1}, ""},
		{"fail", Run{Stderr: "oops\n", RC: 4}, ""},
		{"bad", Run{}, "illegal base64"},
		{"short", Run{}, "garbled"},
		{"none", Run{}, "not in the console"},
	} {
		got, err := Result(console, c.name)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Result(%s): error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Result(%s) = %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func TestExitStatus(t *testing.T) {
	for in, want := range map[string]int{
		"a\r\nVMTEST-EXIT 0\r\n":                       0,
		"VMTEST-EXIT 3\nVMTEST-EXIT 120\r\n":           120,
		"x VMTEST-EXIT 4\r\n[ 2.0] reboot: Power down": 4,
	} {
		if got, ok := exitStatus(in); !ok || got != want {
			t.Errorf("exitStatus(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "VMTEST-EXIT \r\n", "VMTEST-EXIT 1"} {
		if _, ok := exitStatus(in); ok {
			t.Errorf("exitStatus(%q) found a status", in)
		}
	}
	if up := guestMark("VMTEST-UPTIME 2.51\r\nVMTEST-EXIT 0\r\n", "VMTEST-UPTIME "); up != "2.51" {
		t.Errorf("guestMark = %q", up)
	}
	if up := guestMark("VMTEST-EXIT 0\r\n", "VMTEST-UPTIME "); up != "" {
		t.Errorf("guestMark with no such line = %q", up)
	}
}

func TestUnavailable(t *testing.T) {
	all := func(string) bool { return true }
	none := func(string) bool { return false }
	but := func(missing string) func(string) bool { return func(f string) bool { return f != missing } }
	for _, c := range []struct {
		euid   int
		onPath func(string) bool
		exists func(string) bool
		want   string
	}{
		{0, all, all, ""},
		{65534, all, all, "needs root"},
		{0, but("qemu-system-x86_64"), all, "qemu-system-x86_64 is not installed"},
		{0, but("ip"), all, "ip is not installed"},
		{0, all, none, "/dev/net/tun"},
		{0, but("go"), all, "no go command"},
	} {
		got := unavailable(c.euid, c.onPath, c.exists)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("unavailable(%d, …) = %q, want %q", c.euid, got, c.want)
		}
	}
	cache := t.TempDir()
	if got := needsFetch(cache, but("dpkg-deb")); !strings.Contains(got, "no dpkg-deb") {
		t.Errorf("needsFetch with an empty cache and no dpkg-deb = %q", got)
	}
	if got := needsFetch(cache, all); got != "" {
		t.Errorf("needsFetch with an empty cache and apt = %q", got)
	}
}

func TestCheckCaseName(t *testing.T) {
	for _, ok := range []string{"discovery", "iscsistart-1.root_ok"} {
		if err := checkCaseName(ok); err != nil {
			t.Errorf("checkCaseName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "a b", "x;y"} {
		if err := checkCaseName(bad); err == nil {
			t.Errorf("checkCaseName(%q) accepted it", bad)
		}
	}
}

func TestCloudABI(t *testing.T) {
	vs := []string{"6.1.0-9-cloud-amd64", "6.1.0-57-cloud-amd64", "6.1.0-48-cloud-amd64"}
	sortNewestFirst(vs)
	if vs[0] != "6.1.0-57-cloud-amd64" || vs[2] != "6.1.0-9-cloud-amd64" {
		t.Errorf("sorted: %q", vs)
	}
	for _, bad := range []string{"6.12.117+deb12-cloud-amd64", "6.1.0-57-amd64", "6.1.0-x-cloud-amd64"} {
		if _, ok := cloudABI(bad); ok {
			t.Errorf("cloudABI(%q) accepted it", bad)
		}
	}
}
