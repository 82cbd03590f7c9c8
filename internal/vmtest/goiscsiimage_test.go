package vmtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goiscsi/goiscsi/initramfs"
)

// goiscsiImage builds goiscsi's own initramfs (initramfs.Build: goiscsi
// as /init and the default modules, plus virtio_rng so that the guest's
// random numbers are ready at once) for vm's kernel, and returns its path
// and what Build reported. extra adjusts the configuration.
func goiscsiImage(t *testing.T, vm *VM, extra func(*initramfs.Config)) (string, *initramfs.Result) {
	t.Helper()
	cfg := initramfs.Config{Binary: vm.Goiscsi(), Modules: vm.Kernel.ModDir(), ExtraModules: []string{"virtio_rng"}}
	if extra != nil {
		extra(&cfg)
	}
	image := filepath.Join(t.TempDir(), "goiscsi-initramfs.cpio")
	f, err := os.Create(image)
	if err != nil {
		t.Fatal(err)
	}
	res, err := initramfs.Build(f, cfg)
	if err != nil {
		t.Fatalf("initramfs.Build: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return image, res
}
