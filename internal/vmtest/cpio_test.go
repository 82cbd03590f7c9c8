package vmtest

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
)

// cpioEntry is one member read back by readCPIO.
type cpioEntry struct {
	name         string
	mode         uint32
	major, minor uint32
	data         string
}

// readCPIO parses a newc archive strictly, as the kernel would.
func readCPIO(t *testing.T, b []byte) []cpioEntry {
	t.Helper()
	var out []cpioEntry
	off := 0
	for i := 0; i < 10000; i++ {
		if off+110 > len(b) || string(b[off:off+6]) != "070701" {
			t.Fatalf("offset %d: no newc header", off)
		}
		f := make([]uint32, 13)
		for j := range f {
			v, err := strconv.ParseUint(string(b[off+6+8*j:off+14+8*j]), 16, 32)
			if err != nil {
				t.Fatalf("offset %d field %d: %v", off, j, err)
			}
			f[j] = uint32(v)
		}
		namesize, filesize := int(f[11]), int(f[6])
		name := string(b[off+110 : off+110+namesize-1])
		if b[off+110+namesize-1] != 0 {
			t.Fatalf("%s: name not NUL-terminated", name)
		}
		off += 110 + namesize
		off += pad4(off)
		if name == "TRAILER!!!" {
			if off != len(b) {
				t.Fatalf("%d bytes after the trailer", len(b)-off)
			}
			return out
		}
		out = append(out, cpioEntry{name, f[1], f[9], f[10], string(b[off : off+filesize])})
		off += filesize
		off += pad4(off)
	}
	t.Fatal("no trailer")
	return nil
}

func TestCPIO(t *testing.T) {
	var buf bytes.Buffer
	c := newCPIO(&buf)
	steps := []error{
		c.File("/etc/iscsi/initiatorname.iscsi", 0o644, []byte("InitiatorName=iqn.2026-11.test:guest\n")),
		c.Dir("etc", 0o755),
		c.Symlink("sbin/iscsiadm", "goiscsi"),
		c.CharDev("dev/console", 0o600, 5, 1),
		c.File("a/../init", 0o755, []byte("#!/bin/sh\n")),
		c.File("empty", 0o644, nil),
		c.Close(),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	got := ""
	for _, e := range readCPIO(t, buf.Bytes()) {
		got += fmt.Sprintf("%s %o %d,%d %q\n", e.name, e.mode, e.major, e.minor, e.data)
	}
	want := `etc 40755 0,0 ""
etc/iscsi 40755 0,0 ""
etc/iscsi/initiatorname.iscsi 100644 0,0 "InitiatorName=iqn.2026-11.test:guest\n"
sbin 40755 0,0 ""
sbin/iscsiadm 120777 0,0 "goiscsi"
dev 40755 0,0 ""
dev/console 20600 5,1 ""
init 100755 0,0 "#!/bin/sh\n"
empty 100644 0,0 ""
`
	if got != want {
		t.Errorf("archive:\n%s\nwant:\n%s", got, want)
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"/init": "init", "a/b/": "a/b", "../../x": "x", "./lib//m.ko": "lib/m.ko",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
