package boot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// kernelFS are the file systems PID 1 mounts first.
func kernelFS() []struct {
	src, dir, fstype string
	flags            uintptr
} {
	const hidden = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	return []struct {
		src, dir, fstype string
		flags            uintptr
	}{
		{"proc", "/proc", "proc", hidden}, {"sysfs", "/sys", "sysfs", hidden},
		{"devtmpfs", "/dev", "devtmpfs", unix.MS_NOSUID}, {"tmpfs", "/run", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV},
	}
}

// mountKernelFS mounts /proc, /sys, /dev and /run; one already mounted
// (by the kernel, or a boot loader's init) is left as it is.
func mountKernelFS() error {
	for _, m := range kernelFS() {
		if err := os.MkdirAll(m.dir, 0o755); err != nil {
			return fmt.Errorf("mounting %s: %w", m.dir, err)
		}
		err := unix.Mount(m.src, m.dir, m.fstype, m.flags, "")
		if err != nil && !errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("mounting %s (%s): %w", m.dir, m.fstype, err)
		}
	}
	return nil
}

// cmdFlags are the kernel command line's root mount settings.
type cmdFlags struct {
	rw        bool   // "rw": mount the root read-write (default: ro)
	fstype    string // rootfstype=
	mountOpts string // rootflags=
}

func parseCmdFlags(cmdline string) cmdFlags {
	var f cmdFlags
	for _, w := range strings.Fields(cmdline) {
		switch {
		case w == "rw":
			f.rw = true
		case w == "ro":
			f.rw = false
		case strings.HasPrefix(w, "rootfstype="):
			f.fstype = strings.TrimPrefix(w, "rootfstype=")
		case strings.HasPrefix(w, "rootflags="):
			f.mountOpts = strings.TrimPrefix(w, "rootflags=")
		}
	}
	return f
}

func (f cmdFlags) mountDescription() string {
	mode := "ro"
	if f.rw {
		mode = "rw"
	}
	if f.fstype != "" {
		return f.fstype + ", " + mode
	}
	return mode
}

// rootFSTypes are tried in order when rootfstype= is not given.
func rootFSTypes() []string { return []string{"ext4", "xfs", "btrfs", "ext3", "ext2"} }

// mountRoot mounts the root device on dir.
func mountRoot(devDir, dev, dir string, f cmdFlags) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("mounting the root: %w", err)
	}
	var flags uintptr
	if !f.rw {
		flags |= unix.MS_RDONLY
	}
	types := rootFSTypes()
	if f.fstype != "" {
		types = []string{f.fstype}
	}
	src := filepath.Join(devDir, dev)
	var errs []error
	for _, t := range types {
		err := unix.Mount(src, dir, t, flags, f.mountOpts)
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", t, err))
	}
	return fmt.Errorf("mounting %s on %s: %w", src, dir, errors.Join(errs...))
}

// switchRoot moves the kernel file systems into newRoot, makes it / and
// executes init there. It returns only on failure.
func switchRoot(newRoot, init string) error {
	for _, m := range kernelFS() {
		target := filepath.Join(newRoot, m.dir)
		if _, err := os.Stat(target); err != nil {
			_ = unix.Unmount(m.dir, unix.MNT_DETACH) // nowhere to move it
			continue
		}
		if err := unix.Mount(m.dir, target, "", unix.MS_MOVE, ""); err != nil {
			return fmt.Errorf("moving %s into the root: %w", m.dir, err)
		}
	}
	if err := unix.Chdir(newRoot); err != nil {
		return fmt.Errorf("switching root: %w", err)
	}
	if err := unix.Mount(".", "/", "", unix.MS_MOVE, ""); err != nil {
		return fmt.Errorf("switching root: moving %s to /: %w", newRoot, err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("switching root: chroot: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("switching root: %w", err)
	}
	if err := unix.Exec(init, []string{init}, os.Environ()); err != nil {
		return fmt.Errorf("running %s: %w", init, err)
	}
	return nil
}

// execShell replaces PID 1 with the rescue shell.
func execShell(shell string) error {
	return unix.Exec(shell, []string{shell}, os.Environ())
}
