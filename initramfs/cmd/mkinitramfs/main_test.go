package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, p, data string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	bin := writeFile(t, filepath.Join(dir, "goiscsi"), "#!fake\n")
	mods := filepath.Join(dir, "lib/modules/6.1.0-x")
	writeFile(t, filepath.Join(mods, "modules.dep"), "kernel/a/iscsi_tcp.ko: kernel/a/libiscsi.ko\nkernel/a/libiscsi.ko:\n")
	writeFile(t, filepath.Join(mods, "kernel/a/iscsi_tcp.ko"), "m1")
	writeFile(t, filepath.Join(mods, "kernel/a/libiscsi.ko"), "m2")
	writeFile(t, filepath.Join(mods, "modules.builtin"), "kernel/fs/ext4/ext4.ko\n")
	out := filepath.Join(dir, "out.cpio")
	args := []string{"-binary", bin, "-modules", mods, "-o", out, "-iscsid-conf", "", "-extra-modules", "foo, bar"}

	var stderr bytes.Buffer
	if rc := run(args, &stderr); rc != 0 {
		t.Fatalf("run: exit %d: %s", rc, stderr.String())
	}
	first, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 modules for kernel 6.1.0-x", "built in, skipped: ext4", "skipped: bar crc32c e1000 e1000e foo"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stderr.String())
		}
	}
	if rc := run(args, &stderr); rc != 0 {
		t.Fatalf("second run: exit %d", rc)
	}
	if second, _ := os.ReadFile(out); !bytes.Equal(first, second) {
		t.Error("two runs wrote different archives")
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("output mode: %v %v", st.Mode(), err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("temporary files left behind: %v", ents)
	}

	for _, tc := range []struct {
		name string
		args []string
		rc   int
		want string
	}{
		{"missing binary", []string{"-binary", bin + ".no", "-modules", mods, "-o", out}, 1, "goiscsi binary"},
		{"missing modules", []string{"-binary", bin, "-modules", mods + ".no", "-o", out}, 1, "kernel module tree"},
		{"no -modules", []string{"-binary", bin, "-o", out}, 2, "usage"},
		{"no -o", []string{"-binary", bin, "-modules", mods}, 2, "usage"},
		{"bad flag", []string{"-frob"}, 2, "frob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if rc := run(tc.args, &stderr); rc != tc.rc || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, want %d; stderr %q lacks %q", rc, tc.rc, stderr.String(), tc.want)
			}
		})
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, first) {
		t.Error("a failed run changed the existing output")
	}
}
