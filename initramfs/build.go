package initramfs

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/goiscsi/goiscsi/records"
)

// Roles are the names /sbin/goiscsi answers to through a symlink.
func Roles() []string { return []string{"iscsiadm", "iscsid", "iscsistart", "iscsi-iname"} }

// Config says what goes into the initramfs.
type Config struct {
	// Binary is the static goiscsi binary, shipped as /sbin/goiscsi.
	Binary string
	// Modules is a kernel module tree, /lib/modules/<version>; the
	// modules it ships keep their paths under /lib/modules/<version>.
	Modules string
	// ModuleNames are the modules to ship (with their dependencies);
	// nil means DefaultModules.
	ModuleNames []string
	// ExtraModules are shipped as well as ModuleNames.
	ExtraModules []string
	// ISCSIDConf, if set, is shipped as /etc/iscsi/iscsid.conf.
	ISCSIDConf string
	// InitiatorName, if set, is written to /etc/iscsi/initiatorname.iscsi.
	InitiatorName string
	// Shell, if set, is a static rescue shell shipped as /bin/<its name>
	// with /bin/sh pointing at it.
	Shell string
}

// Result tells what Build put in and what it skipped.
type Result struct {
	Version string // the kernel version, the module tree's directory name
	Modules ModuleSet
	Entries int   // records in the archive, the trailer not counted
	Size    int64 // bytes written
}

// Build writes the initramfs cfg describes to w as a newc cpio archive.
// The same inputs give the same bytes.
func Build(w io.Writer, cfg Config) (*Result, error) {
	fsys, res, err := Assemble(cfg)
	if err != nil {
		return nil, err
	}
	n, err := fsys.WriteTo(w)
	if err != nil {
		return nil, err
	}
	res.Entries = len(fsys.entries)
	res.Size = n
	return res, nil
}

// Assemble gathers the files of the initramfs cfg describes.
func Assemble(cfg Config) (*Tree, *Result, error) {
	if cfg.Binary == "" {
		return nil, nil, errors.New("initramfs: no goiscsi binary given")
	}
	if cfg.Modules == "" {
		return nil, nil, errors.New("initramfs: no kernel module tree given")
	}
	bin, err := readExecutable(cfg.Binary, "goiscsi binary")
	if err != nil {
		return nil, nil, err
	}
	modDir := filepath.Clean(cfg.Modules)
	if st, err := os.Stat(modDir); err != nil {
		return nil, nil, fmt.Errorf("initramfs: kernel module tree: %w", err)
	} else if !st.IsDir() {
		return nil, nil, fmt.Errorf("initramfs: kernel module tree %s is not a directory", modDir)
	}
	version := filepath.Base(modDir)
	mt, err := loadModuleTree(modDir)
	if err != nil {
		return nil, nil, fmt.Errorf("initramfs: %w", err)
	}

	t := NewTree()
	for _, d := range []string{"dev", "etc/iscsi", "newroot", "run", "var/lib/iscsi"} {
		t.Dir(d, 0o755)
	}
	t.Dir("proc", 0o555)
	t.Dir("sys", 0o555)
	t.Dir("tmp", 0o1777)
	t.CharDev("dev/console", 0o600, 5, 1)
	t.CharDev("dev/null", 0o666, 1, 3)

	// /init is a symlink rather than a second copy: the kernel follows
	// it, argv[0] stays "/init" so the binary runs its PID-1 role, and
	// the archive holds the binary once.
	t.File("sbin/goiscsi", 0o755, bin)
	t.Symlink("init", "sbin/goiscsi")
	for _, r := range Roles() {
		t.Symlink("sbin/"+r, "goiscsi")
	}

	if cfg.ISCSIDConf != "" {
		conf, err := os.ReadFile(cfg.ISCSIDConf)
		if err != nil {
			return nil, nil, fmt.Errorf("initramfs: iscsid.conf: %w", err)
		}
		// 0600 as open-iscsi installs it: it may hold CHAP secrets.
		t.File("etc/iscsi/iscsid.conf", 0o600, conf)
	}
	if cfg.InitiatorName != "" {
		if err := records.ValidateTargetName(cfg.InitiatorName); err != nil {
			return nil, nil, fmt.Errorf("initramfs: initiator name: %w", err)
		}
		t.File("etc/iscsi/initiatorname.iscsi", 0o600, []byte("InitiatorName="+cfg.InitiatorName+"\n"))
	}
	if cfg.Shell != "" {
		sh, err := readExecutable(cfg.Shell, "rescue shell")
		if err != nil {
			return nil, nil, err
		}
		name := filepath.Base(cfg.Shell)
		t.File("bin/"+name, 0o755, sh)
		if name != "sh" {
			t.Symlink("bin/sh", name)
		}
	}

	names := cfg.ModuleNames
	if names == nil {
		names = DefaultModules()
	}
	set := mt.resolve(append(append([]string(nil), names...), cfg.ExtraModules...))
	base := path.Join("lib/modules", version)
	for _, p := range set.Paths {
		if !filepath.IsLocal(p) {
			return nil, nil, fmt.Errorf("initramfs: module tree %s: modules.dep names %q outside the tree", modDir, p)
		}
		data, err := os.ReadFile(filepath.Join(modDir, filepath.FromSlash(p)))
		if err != nil {
			return nil, nil, fmt.Errorf("initramfs: module tree %s: modules.dep lists a module it lacks: %w", modDir, err)
		}
		t.File(path.Join(base, p), 0o644, data)
	}
	idx, err := mt.indexes(set)
	if err != nil {
		return nil, nil, fmt.Errorf("initramfs: %w", err)
	}
	for name, data := range idx {
		t.File(path.Join(base, name), 0o644, data)
	}
	t.Dir(base, 0o755)
	return t, &Result{Version: version, Modules: set}, nil
}

// readExecutable reads an executable for the initramfs, refusing a
// dynamically linked ELF file: the initramfs has no libc or loader.
// Files that are not ELF (test fakes) pass.
func readExecutable(name, what string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("initramfs: %s: %w", what, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("initramfs: %s %s is not a regular file", what, name)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("initramfs: %s: %w", what, err)
	}
	if f, err := elf.NewFile(bytes.NewReader(data)); err == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				return nil, fmt.Errorf("initramfs: %s %s is dynamically linked; the initramfs needs a static binary", what, name)
			}
		}
	}
	return data, nil
}
