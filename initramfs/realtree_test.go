package initramfs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

// realTree is a Debian kernel's module tree the VM tests cache; the
// test using it skips where it is absent.
const realTree = "/var/cache/goiscsi-vmtest/kernel-6.1.0-57-cloud-amd64/lib/modules/6.1.0-57-cloud-amd64"

func TestRealModuleTree(t *testing.T) {
	if _, err := os.Stat(filepath.Join(realTree, "modules.dep")); err != nil {
		t.Skipf("no cached kernel module tree: %v", err)
	}
	cfg := Config{
		Binary:  writeFile(t, t.TempDir(), "goiscsi", "#!fake goiscsi binary\n"),
		Modules: realTree,
	}
	data, res := build(t, cfg)
	again, _ := build(t, cfg)
	if !bytes.Equal(data, again) {
		t.Fatal("two builds from the real module tree differ")
	}
	byName := map[string]cpio.Record{}
	for _, r := range readArchive(t, data) {
		byName[r.Name] = r
	}
	base := "lib/modules/" + filepath.Base(realTree) + "/"
	for _, m := range []string{"scsi_transport_iscsi", "libiscsi", "libiscsi_tcp", "iscsi_tcp", "sd_mod",
		"scsi_mod", "scsi_common", "iscsi_ibft", "iscsi_boot_sysfs", "virtio_net", "virtio_pci", "virtio"} {
		found := false
		for _, p := range res.Modules.Paths {
			found = found || moduleName(p) == m
		}
		if !found {
			t.Errorf("module %s not shipped; shipped %v", m, res.Modules.Paths)
		}
	}
	// Every module the trimmed modules.dep names is in the archive.
	dep := byName[base+"modules.dep"]
	for _, l := range strings.Split(content(t, dep), "\n") {
		for _, f := range strings.Fields(strings.Replace(l, ":", " ", 1)) {
			if _, ok := byName[base+f]; !ok {
				t.Errorf("modules.dep names %s, which the archive lacks", f)
			}
		}
	}
	if !strings.Contains(strings.Join(res.Modules.Builtin, " "), "ext4") {
		t.Errorf("ext4 is built into this kernel; built-in skipped: %v", res.Modules.Builtin)
	}
	t.Logf("%d bytes, %d entries, modules %v, built in %v, absent %v",
		len(data), res.Entries, res.Modules.Paths, res.Modules.Builtin, res.Modules.Absent)
}
