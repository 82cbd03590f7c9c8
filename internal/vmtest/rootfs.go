package vmtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BootIQN is a target whose LUN 1 holds an ext4 root file system that
// RootFS makes.
const BootIQN = "iqn.2026-11.test:boot"

// RootMarker is in the root file system's /etc/goiscsi-root, and its
// /sbin/init prints it, so a test knows the guest runs from that disk.
const RootMarker = "goiscsi iSCSI root file system"

// rootInit is the root file system's /sbin/init: it shows where / is
// mounted from, then reports the end as the image's /init would.
const rootInit = `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "ROOT-INIT pid $$: $(/bin/busybox cat /etc/goiscsi-root)"
echo "ROOT-MOUNT $(/bin/busybox grep ' / ' /proc/mounts)"
echo "VMTEST-UPTIME $(/bin/busybox cut -d' ' -f1 /proc/uptime)"
echo "VMTEST-EXIT 0"
/bin/busybox sync
/bin/busybox poweroff -f
`

// RootFS writes an ext4 image of size bytes holding a static busybox and
// rootInit as /sbin/init, with mke2fs (e2fsprogs) from a directory.
func (vm *VM) RootFS(t testing.TB, size int64) string {
	t.Helper()
	if _, err := exec.LookPath("mke2fs"); err != nil {
		t.Skip(skipPrefix + "mke2fs (e2fsprogs) is not installed")
	}
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	bb, err := os.ReadFile(vm.busybox)
	if err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	files := map[string]struct {
		data []byte
		perm os.FileMode
	}{
		"bin/busybox":      {bb, 0o755},
		"sbin/init":        {[]byte(rootInit), 0o755},
		"etc/goiscsi-root": {[]byte(RootMarker + "\n"), 0o644},
		"proc/.keep":       {nil, 0o644},
		"dev/.keep":        {nil, 0o644},
		"sys/.keep":        {nil, 0o644},
	}
	for name, f := range files {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatalf("vmtest: %v", err)
		}
		if err := os.WriteFile(p, f.data, f.perm); err != nil {
			t.Fatalf("vmtest: %v", err)
		}
	}
	img := filepath.Join(dir, "rootfs.ext4")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "mke2fs", "-q", "-F", "-t", "ext4", "-L", "goiscsi-root", "-d", tree, img, fmt.Sprintf("%dk", size>>10))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("vmtest: mke2fs: %v: %s", err, out)
	}
	return img
}
