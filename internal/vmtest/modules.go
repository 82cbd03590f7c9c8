package vmtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// guestModules are the modules every guest loads: virtio PCI, its
// network card and entropy source, the SCSI disk driver and the
// kernel's iSCSI initiator. Those built into the kernel are left out.
func guestModules() []string {
	return []string{
		"virtio_pci", "virtio_net", "virtio_rng", "crc32c_generic",
		"sd_mod", "scsi_transport_iscsi", "libiscsi", "libiscsi_tcp", "iscsi_tcp",
	}
}

// modIndex is what depmod wrote about a kernel's modules.
type modIndex struct {
	deps    map[string][]string // path (as in modules.dep) → every module it needs
	byName  map[string]string   // module name → path
	builtin map[string]bool     // names of modules built into the kernel
}

// modName is a module's name from its file: "virtio-rng.ko" → "virtio_rng".
func modName(p string) string {
	b := path.Base(p)
	for _, ext := range []string{".xz", ".zst", ".gz"} {
		b = strings.TrimSuffix(b, ext)
	}
	return strings.ReplaceAll(strings.TrimSuffix(b, ".ko"), "-", "_")
}

// loadModIndex reads modules.dep and modules.builtin from modDir.
func loadModIndex(modDir string) (*modIndex, error) {
	dep, err := os.Open(filepath.Join(modDir, "modules.dep"))
	if err != nil {
		return nil, fmt.Errorf("modules: %w", err)
	}
	defer dep.Close()
	builtin, err := os.Open(filepath.Join(modDir, "modules.builtin"))
	if err != nil {
		return nil, fmt.Errorf("modules: %w", err)
	}
	defer builtin.Close()
	return parseModIndex(dep, builtin)
}

// parseModIndex parses modules.dep ("path: dep dep…") and
// modules.builtin (one path a line).
func parseModIndex(dep, builtin io.Reader) (*modIndex, error) {
	ix := &modIndex{deps: map[string][]string{}, byName: map[string]string{}, builtin: map[string]bool{}}
	s := bufio.NewScanner(dep)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, rest, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("modules.dep: bad line %q", line)
		}
		ix.deps[p] = strings.Fields(rest)
		ix.byName[modName(p)] = p
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("modules.dep: %w", err)
	}
	s = bufio.NewScanner(builtin)
	for s.Scan() {
		if line := strings.TrimSpace(s.Text()); line != "" {
			ix.builtin[modName(line)] = true
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("modules.builtin: %w", err)
	}
	return ix, nil
}

// resolve lists the module files to load, in an order where each comes
// after every module it needs, for the named modules; built-in ones are
// left out.
func (ix *modIndex) resolve(names []string) ([]string, error) {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var order []string
	// Each module is visited once, so this ends after len(ix.deps) visits.
	var visit func(p string) error
	visit = func(p string) error {
		switch state[p] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("modules.dep: dependency loop at %s", p)
		}
		deps, ok := ix.deps[p]
		if !ok {
			return fmt.Errorf("modules.dep: %s is needed but has no line of its own", p)
		}
		state[p] = visiting
		for _, d := range deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[p] = done
		order = append(order, p)
		return nil
	}
	for _, n := range names {
		n = modName(n)
		if ix.builtin[n] {
			continue
		}
		p, ok := ix.byName[n]
		if !ok {
			return nil, fmt.Errorf("module %s: neither in modules.dep nor built in", n)
		}
		if err := visit(p); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// depLines is modules.dep for just the modules in order, so that the
// guest's "modprobe" can load them by name.
func (ix *modIndex) depLines(order []string) string {
	var b strings.Builder
	for _, p := range order {
		fmt.Fprintf(&b, "%s:", p)
		for _, d := range ix.deps[p] {
			fmt.Fprintf(&b, " %s", d)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
