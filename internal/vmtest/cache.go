package vmtest

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Kernel is a Debian kernel package unpacked in the cache, with
// modules.dep written for its modules.
type Kernel struct {
	Version string // as uname -r prints it, e.g. 6.1.0-57-cloud-amd64
	Dir     string // the package's unpacked root
}

// Vmlinuz is the kernel image.
func (k Kernel) Vmlinuz() string { return filepath.Join(k.Dir, "boot", "vmlinuz-"+k.Version) }

// ModDir is /lib/modules/VERSION in the unpacked package.
func (k Kernel) ModDir() string { return filepath.Join(k.Dir, "lib", "modules", k.Version) }

// Environment variables the tier reads.
const (
	envCache  = "GOISCSI_VMTEST_CACHE"  // cache directory
	envKernel = "GOISCSI_VMTEST_KERNEL" // kernel version to use, e.g. 6.1.0-57-cloud-amd64
)

// completeMark is written last into a cache entry, so that one left
// half-made by an interrupted run is never used.
const completeMark = ".complete"

// cloudABI is the ABI number N of a Debian 12 6.1 cloud kernel's
// version "6.1.0-N-cloud-amd64"; ok is false for any other version.
func cloudABI(v string) (n int, ok bool) {
	s, ok1 := strings.CutPrefix(v, "6.1.0-")
	s, ok2 := strings.CutSuffix(s, "-cloud-amd64")
	n, err := strconv.Atoi(s)
	return n, ok1 && ok2 && err == nil && n >= 0
}

// CacheDir is where fetched packages are kept.
func CacheDir() string {
	if d := os.Getenv(envCache); d != "" {
		return d
	}
	return "/var/cache/goiscsi-vmtest"
}

// cachedKernels lists the complete kernels in the cache, newest first.
func cachedKernels(cache string) []string {
	ents, _ := os.ReadDir(cache)
	var vs []string
	for _, e := range ents {
		v, ok := strings.CutPrefix(e.Name(), "kernel-")
		if _, cloud := cloudABI(v); ok && cloud && exists(filepath.Join(cache, e.Name(), completeMark)) {
			vs = append(vs, v)
		}
	}
	sortNewestFirst(vs)
	return vs
}

// sortNewestFirst orders cloud kernel versions by their ABI number.
func sortNewestFirst(vs []string) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, _ := cloudABI(vs[i])
		b, _ := cloudABI(vs[j])
		return a > b
	})
}

// aptKernels lists the 6.1 cloud kernels apt knows of, newest first,
// from apt-cache's package names.
func aptKernels(ctx context.Context) ([]string, error) {
	out, err := run(ctx, "", time.Minute, "apt-cache", "search", "--names-only", `^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$`)
	if err != nil {
		return nil, err
	}
	var vs []string
	for _, line := range strings.Split(out, "\n") {
		name, _, _ := strings.Cut(line, " ")
		v := strings.TrimSuffix(strings.TrimPrefix(name, "linux-image-"), "-unsigned")
		if _, ok := cloudABI(v); ok {
			vs = append(vs, v)
		}
	}
	sortNewestFirst(vs)
	return vs, nil
}

// fetchKernel returns the kernel to boot: GOISCSI_VMTEST_KERNEL's, else
// the newest in the cache, else the newest 6.1 cloud kernel apt offers
// (after an apt-get update when it offers none), fetched with
// "apt-get download" and unpacked into the cache; busybox writes its
// modules.dep.
func fetchKernel(ctx context.Context, cache, busybox string, logf func(string, ...any)) (Kernel, error) {
	ver := os.Getenv(envKernel)
	if ver == "" {
		if vs := cachedKernels(cache); len(vs) > 0 {
			ver = vs[0]
		}
	}
	if ver == "" {
		vs, err := aptKernels(ctx)
		if err == nil && len(vs) == 0 {
			logf("vmtest: apt knows no 6.1 cloud kernel; running apt-get update")
			if _, err = run(ctx, "", 5*time.Minute, "apt-get", "update", "-qq"); err == nil {
				vs, err = aptKernels(ctx)
			}
		}
		if err != nil {
			return Kernel{}, err
		}
		if len(vs) == 0 {
			return Kernel{}, errors.New("apt offers no linux-image-6.1.0-N-cloud-amd64-unsigned")
		}
		ver = vs[0]
	}
	k := Kernel{Version: ver, Dir: filepath.Join(cache, "kernel-"+ver)}
	err := fill(ctx, cache, k.Dir, "linux-image-"+ver+"-unsigned", func(root string) error {
		if !exists(filepath.Join(root, "boot", "vmlinuz-"+ver)) {
			return fmt.Errorf("package has no boot/vmlinuz-%s", ver)
		}
		_, err := run(ctx, "", 2*time.Minute, busybox, "depmod", "-b", root, ver)
		return err
	}, logf)
	return k, err
}

// fetchBusybox returns the path of Debian's static busybox, fetched into
// the cache when it is not there.
func fetchBusybox(ctx context.Context, cache string, logf func(string, ...any)) (string, error) {
	dir := filepath.Join(cache, "busybox-static")
	bin := filepath.Join(dir, "bin", "busybox")
	err := fill(ctx, cache, dir, "busybox-static", func(root string) error {
		return checkStatic(filepath.Join(root, "bin", "busybox"))
	}, logf)
	return bin, err
}

// fill makes cache entry dir from Debian package pkg unless it is there
// and complete: it downloads and unpacks the package in a temporary
// directory beside dir, runs prepare on the unpacked root, and renames
// it into place, so concurrent or interrupted runs never see half an
// entry.
func fill(ctx context.Context, cache, dir, pkg string, prepare func(root string) error, logf func(string, ...any)) error {
	if exists(filepath.Join(dir, completeMark)) {
		return nil
	}
	start := time.Now()
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	tmp, err := os.MkdirTemp(cache, ".fetch-")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	if _, err := run(ctx, tmp, 10*time.Minute, "apt-get", "download", "-q", pkg); err != nil {
		return err
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != 1 {
		return fmt.Errorf("apt-get download %s left %d .deb files", pkg, len(debs))
	}
	root := filepath.Join(tmp, "root")
	if _, err := run(ctx, "", 5*time.Minute, "dpkg-deb", "-x", debs[0], root); err != nil {
		return err
	}
	if err := prepare(root); err != nil {
		return fmt.Errorf("%s: %w", pkg, err)
	}
	if err := os.WriteFile(filepath.Join(root, completeMark), []byte(filepath.Base(debs[0])+"\n"), 0o644); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if exists(filepath.Join(dir, completeMark)) {
		return nil // another run filled it meanwhile
	}
	_ = os.RemoveAll(dir) // an incomplete entry left by an interrupted run
	if err := os.Rename(root, dir); err != nil && !exists(filepath.Join(dir, completeMark)) {
		return fmt.Errorf("cache: %w", err)
	}
	logf("vmtest: fetched %s into %s in %.1fs", filepath.Base(debs[0]), dir, time.Since(start).Seconds())
	return nil
}

// checkStatic fails unless path is an ELF executable with no
// interpreter, so that it runs in an initramfs without libraries.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("checking %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked", path)
		}
	}
	return nil
}

// run runs a command in dir, bounded by timeout, and returns its output;
// the error carries what it printed.
func run(ctx context.Context, dir string, timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
