package vmtest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/goiscsi/goiscsi/internal/tgttest"
)

// The guest's iSCSI names and the targets StartTargets serves.
const (
	InitiatorIQN = "iqn.2026-11.test:guest" // the guest's /etc/iscsi/initiatorname.iscsi
	RootIQN      = "iqn.2026-11.test:root"  // tid 1: LUN 1 is RootSize bytes of RootSector
	DataIQN      = "iqn.2026-11.test:data"  // tid 2: LUN 1 is DataSize zero bytes
	RootSize     = 16 << 20
	DataSize     = 128 << 20
	SectorSize   = 512
)

// StartTarget runs a tgtd with no targets inside the VM's namespace,
// listening on TargetAddr:TargetPort; it stops at the test's end.
func (vm *VM) StartTarget(t testing.TB) *tgttest.Target {
	t.Helper()
	return tgttest.StartAt(t, vm.NetNS, TargetAddr, TargetPort)
}

// StartTargets runs StartTarget's tgtd serving RootIQN and DataIQN, whose
// disks are files in the test's temporary directory.
func (vm *VM) StartTargets(t testing.TB) *tgttest.Target {
	t.Helper()
	dir := t.TempDir()
	root, data := filepath.Join(dir, "root.img"), filepath.Join(dir, "data.img")
	if err := writeRootImage(root); err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	if err := os.WriteFile(data, nil, 0o600); err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	if err := os.Truncate(data, DataSize); err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	tg := vm.StartTarget(t)
	tg.AddTarget(1, RootIQN)
	tg.AddLUN(1, 1, root)
	tg.AddTarget(2, DataIQN)
	tg.AddLUN(2, 1, data)
	return tg
}

// RootSector is sector n of RootIQN's disk: a line naming it, then
// zeros.
func RootSector(n int64) []byte {
	b := make([]byte, SectorSize)
	copy(b, fmt.Sprintf("goiscsi vmtest root sector %d\n", n))
	return b
}

// writeRootImage writes RootIQN's disk.
func writeRootImage(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("root image: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	for n := int64(0); n < RootSize/SectorSize; n++ {
		if _, err := w.Write(RootSector(n)); err != nil {
			return fmt.Errorf("root image: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("root image: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("root image: %w", err)
	}
	return nil
}
