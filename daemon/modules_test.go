package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestModulesLoadOrder loads iscsi_tcp from a module tree: dependencies
// first, each once, and nothing that /sys/module shows loaded already.
func TestModulesLoadOrder(t *testing.T) {
	dir, sys := t.TempDir(), t.TempDir()
	dep := "kernel/drivers/scsi/iscsi_tcp.ko: kernel/drivers/scsi/libiscsi_tcp.ko kernel/drivers/scsi/libiscsi.ko kernel/drivers/scsi/scsi_transport_iscsi.ko\n" +
		"kernel/drivers/scsi/libiscsi_tcp.ko: kernel/drivers/scsi/libiscsi.ko kernel/drivers/scsi/scsi_transport_iscsi.ko\n" +
		"kernel/drivers/scsi/libiscsi.ko: kernel/drivers/scsi/scsi_transport_iscsi.ko\n" +
		"kernel/drivers/scsi/scsi_transport_iscsi.ko: kernel/drivers/scsi/scsi_common.ko\n" +
		"kernel/drivers/scsi/scsi_common.ko:\n" +
		"kernel/drivers/net/virtio-net.ko.xz:\n"
	if err := os.WriteFile(filepath.Join(dir, "modules.dep"), []byte(dep), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(sys, "module", "scsi_common"), 0o755); err != nil {
		t.Fatal(err)
	}
	var loaded []string
	m := Modules{Dir: dir, SysDir: sys, insert: func(path string) error {
		name := moduleName(path)
		loaded = append(loaded, name)
		return os.MkdirAll(filepath.Join(sys, "module", name), 0o755)
	}}
	if err := m.Load("iscsi_tcp", "virtio_net"); err != nil {
		t.Fatal(err)
	}
	want := "scsi_transport_iscsi libiscsi libiscsi_tcp iscsi_tcp virtio_net"
	if got := strings.Join(loaded, " "); got != want {
		t.Errorf("Load loaded %q, want %q", got, want)
	}
	if err := m.Load("nosuch"); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("Load(nosuch) = %v, want an error naming it", err)
	}
}
