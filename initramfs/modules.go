package initramfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultModules returns the kernel modules an iSCSI root boot loads
// unless told otherwise: the iSCSI initiator stack, the SCSI disk
// driver, iBFT, the NICs QEMU and common hardware present (virtio_pci
// too, as virtio_net binds nothing without it and modules.dep does not
// name it) and the root filesystem with the crc32c its metadata
// checksums (and iSCSI digests) ask the crypto API for. Each is resolved
// with its dependencies; a name that is built in or absent is skipped.
func DefaultModules() []string {
	return []string{
		"scsi_transport_iscsi", "libiscsi", "libiscsi_tcp", "iscsi_tcp", "sd_mod", "iscsi_ibft",
		"virtio_pci", "virtio_net", "e1000", "e1000e",
		"ext4", "crc32c",
	}
}

// moduleTree is what modules.dep, modules.builtin, modules.alias and
// modules.softdep of one /lib/modules/<version> directory say.
type moduleTree struct {
	dir      string
	order    []string            // module paths in modules.dep order
	deps     map[string][]string // module path → the paths it needs
	byName   map[string]string   // module name → module path
	builtin  map[string]bool     // names of built-in modules
	aliases  map[string][]string // literal alias ("-" read as "_") → module names
	softdeps map[string][]string // module name → pre: and post: names
}

// ModuleSet is the outcome of resolving module names against a tree.
type ModuleSet struct {
	Paths   []string // module files to ship, relative to the tree, sorted
	Builtin []string // requested names the kernel has built in
	Absent  []string // requested names neither built in nor in modules.dep
}

// moduleName is the name modprobe knows a module file by: its base name
// without ".ko" or ".ko.<compression>", with "-" read as "_".
func moduleName(p string) string {
	base := path.Base(p)
	if i := strings.Index(base, ".ko"); i > 0 {
		base = base[:i]
	}
	return strings.ReplaceAll(base, "-", "_")
}

// loadModuleTree reads the module tree at dir; modules.dep is required,
// the other indexes are used when present.
func loadModuleTree(dir string) (*moduleTree, error) {
	t := &moduleTree{
		dir: dir, deps: map[string][]string{}, byName: map[string]string{},
		builtin: map[string]bool{}, aliases: map[string][]string{}, softdeps: map[string][]string{},
	}
	dep, err := os.ReadFile(filepath.Join(dir, "modules.dep"))
	if err != nil {
		return nil, fmt.Errorf("module tree %s: %w", dir, err)
	}
	for n, line := range lines(dep) {
		mod, rest, ok := strings.Cut(line, ":")
		if !ok || mod == "" {
			return nil, fmt.Errorf("module tree %s: modules.dep line %d: %q is not \"module: deps\"", dir, n+1, line)
		}
		t.order = append(t.order, mod)
		t.deps[mod] = strings.Fields(rest)
		t.byName[moduleName(mod)] = mod
	}
	if err := t.readOptional("modules.builtin", func(line string) {
		t.builtin[moduleName(line)] = true
	}); err != nil {
		return nil, err
	}
	if err := t.readOptional("modules.alias", func(line string) {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "alias" && !strings.ContainsAny(f[1], "*?[") {
			a := strings.ReplaceAll(f[1], "-", "_")
			t.aliases[a] = append(t.aliases[a], f[2])
		}
	}); err != nil {
		return nil, err
	}
	if err := t.readOptional("modules.softdep", func(line string) {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "softdep" {
			for _, n := range f[2:] {
				if n != "pre:" && n != "post:" {
					t.softdeps[moduleName(f[1])] = append(t.softdeps[moduleName(f[1])], n)
				}
			}
		}
	}); err != nil {
		return nil, err
	}
	return t, nil
}

// readOptional calls fn for each non-comment line of the index name,
// if the tree has it.
func (t *moduleTree) readOptional(name string, fn func(string)) error {
	data, err := os.ReadFile(filepath.Join(t.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("module tree %s: %w", t.dir, err)
	}
	for _, line := range lines(data) {
		fn(line)
	}
	return nil
}

// lines returns the non-empty, non-comment lines of data, trimmed.
func lines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// resolve finds the module files that names need, dependencies and soft
// dependencies included. A name may also be a literal alias ("crc32c").
// Soft dependencies that are missing are not reported: they are optional.
func (t *moduleTree) resolve(names []string) ModuleSet {
	paths := map[string]bool{}
	seenName := map[string]bool{}
	var set ModuleSet
	var addPath func(p string)
	var addName func(n string, requested bool)
	addPath = func(p string) {
		if paths[p] {
			return
		}
		paths[p] = true
		for _, d := range t.deps[p] {
			addPath(d)
		}
		for _, s := range t.softdeps[moduleName(p)] {
			addName(s, false)
		}
	}
	addName = func(n string, requested bool) {
		n = strings.ReplaceAll(n, "-", "_")
		if seenName[n] {
			return
		}
		seenName[n] = true
		switch {
		case t.byName[n] != "":
			addPath(t.byName[n])
		case t.builtin[n]:
			if requested {
				set.Builtin = append(set.Builtin, n)
			}
		case len(t.aliases[n]) > 0:
			targets := append([]string(nil), t.aliases[n]...)
			sort.Strings(targets)
			for _, m := range targets {
				addName(m, false)
			}
		default:
			if requested {
				set.Absent = append(set.Absent, n)
			}
		}
	}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			addName(n, true)
		}
	}
	for p := range paths {
		set.Paths = append(set.Paths, p)
	}
	sort.Strings(set.Paths)
	sort.Strings(set.Builtin)
	sort.Strings(set.Absent)
	return set
}

// indexes returns trimmed modules.dep, modules.order, modules.alias and
// modules.softdep covering only the modules in set, plus modules.builtin
// as it is, so that a loader finds what it needs (and knows what it need
// not load) in the trimmed tree. Indexes the tree lacks are left out.
func (t *moduleTree) indexes(set ModuleSet) (map[string][]byte, error) {
	ship := map[string]bool{}
	names := map[string]bool{}
	for _, p := range set.Paths {
		ship[p] = true
		names[moduleName(p)] = true
	}
	out := map[string][]byte{}
	var dep bytes.Buffer
	for _, p := range t.order {
		if ship[p] {
			fmt.Fprintf(&dep, "%s:", p)
			for _, d := range t.deps[p] {
				fmt.Fprintf(&dep, " %s", d)
			}
			dep.WriteString("\n")
		}
	}
	out["modules.dep"] = dep.Bytes()
	filters := map[string]func(line string) bool{
		"modules.order": func(l string) bool { return ship[l] },
		"modules.alias": func(l string) bool {
			f := strings.Fields(l)
			return len(f) == 3 && names[moduleName(f[2])]
		},
		"modules.softdep": func(l string) bool {
			f := strings.Fields(l)
			return len(f) >= 2 && names[moduleName(f[1])]
		},
		"modules.builtin": func(string) bool { return true },
	}
	for name, keep := range filters {
		data, err := os.ReadFile(filepath.Join(t.dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("module tree %s: %w", t.dir, err)
		}
		var b bytes.Buffer
		listed := map[string]bool{}
		for _, l := range lines(data) {
			if keep(l) {
				b.WriteString(l + "\n")
				listed[l] = true
			}
		}
		if name == "modules.order" {
			// Modules modules.order does not list still get a place, last.
			for _, p := range set.Paths {
				if !listed[p] {
					b.WriteString(p + "\n")
				}
			}
		}
		out[name] = b.Bytes()
	}
	return out, nil
}
