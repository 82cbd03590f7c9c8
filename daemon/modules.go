package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Modules loads kernel modules with their dependencies, as modprobe
// would, from a module tree (/lib/modules/<release>) and its
// modules.dep. Modules already loaded (or built in) are left alone.
type Modules struct {
	Dir    string // /lib/modules/<release>; "" is the running kernel's
	SysDir string // where /sys/module is looked up; "" is /sys
	// insert loads one module file; nil is finit_module(2).
	insert func(path string) error
}

// transportModule is what software iSCSI over TCP needs; it pulls in
// libiscsi_tcp, libiscsi and scsi_transport_iscsi.
const transportModule = "iscsi_tcp"

// Load loads each module after its dependencies.
func (m Modules) Load(names ...string) error {
	dir, err := m.dir()
	if err != nil {
		return err
	}
	deps, err := readModulesDep(filepath.Join(dir, "modules.dep"))
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := m.load(dir, deps, name, 0); err != nil {
			return err
		}
	}
	return nil
}

func (m Modules) dir() (string, error) {
	if m.Dir != "" {
		return m.Dir, nil
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", fmt.Errorf("uname: %w", err)
	}
	return filepath.Join("/lib/modules", unix.ByteSliceToString(u.Release[:])), nil
}

// maxDepth bounds dependency chains (real ones are a few deep).
const maxDepth = 16

func (m Modules) load(dir string, deps map[string][]string, name string, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("module %s: dependency chain deeper than %d", name, maxDepth)
	}
	if m.loaded(name) {
		return nil
	}
	path, ok := findModule(deps, name)
	if !ok {
		return fmt.Errorf("module %s: not in %s/modules.dep (not built for this kernel?)", name, dir)
	}
	for _, d := range deps[path] {
		if err := m.load(dir, deps, moduleName(d), depth+1); err != nil {
			return err
		}
	}
	if m.insert != nil {
		return m.insert(filepath.Join(dir, path))
	}
	return insert(filepath.Join(dir, path))
}

func (m Modules) loaded(name string) bool {
	sys := m.SysDir
	if sys == "" {
		sys = "/sys"
	}
	_, err := os.Stat(filepath.Join(sys, "module", name))
	return err == nil
}

// insert loads one module file; compressed ones are left to the
// kernel's own decompression.
func insert(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("module: %w", err)
	}
	defer f.Close()
	flags := 0
	if strings.HasSuffix(path, ".xz") || strings.HasSuffix(path, ".zst") || strings.HasSuffix(path, ".gz") {
		flags = unix.MODULE_INIT_COMPRESSED_FILE
	}
	if err := unix.FinitModule(int(f.Fd()), "", flags); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("loading module %s: %w", path, err)
	}
	return nil
}

// moduleName is a module's name from its file: dashes become
// underscores and the .ko suffix, compressed or not, goes.
func moduleName(path string) string {
	base := filepath.Base(path)
	if i := strings.Index(base, ".ko"); i >= 0 {
		base = base[:i]
	}
	return strings.ReplaceAll(base, "-", "_")
}

func findModule(deps map[string][]string, name string) (string, bool) {
	for path := range deps {
		if moduleName(path) == name {
			return path, true
		}
	}
	return "", false
}

// maxDepLines bounds modules.dep (a full kernel has some 6,000 lines).
const maxDepLines = 1 << 16

// readModulesDep reads "path: dep dep …" lines.
func readModulesDep(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("module list: %w", err)
	}
	defer f.Close()
	deps := map[string][]string{}
	sc := bufio.NewScanner(f)
	for n := 0; sc.Scan(); n++ {
		if n == maxDepLines {
			return nil, fmt.Errorf("%s: more than %d lines", path, maxDepLines)
		}
		mod, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		deps[mod] = strings.Fields(rest)
	}
	return deps, sc.Err()
}

// LoadAll loads every module modules.order lists (an initramfs ships
// only the ones it needs), dependencies first.
func (m Modules) LoadAll() error {
	dir, err := m.dir()
	if err != nil {
		return err
	}
	order, err := os.ReadFile(filepath.Join(dir, "modules.order"))
	if err != nil {
		return fmt.Errorf("module list: %w", err)
	}
	var names []string
	for _, l := range strings.Split(string(order), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, moduleName(l))
		}
	}
	if len(names) > maxDepLines {
		return fmt.Errorf("modules.order: more than %d modules", maxDepLines)
	}
	// One module failing (a CPU-specific one, say, that refuses this
	// machine with ENODEV) must not keep the others out.
	var errs []error
	for _, n := range names {
		if err := m.Load(n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
