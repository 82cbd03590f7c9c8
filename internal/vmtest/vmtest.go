package vmtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Config is one boot of the guest.
type Config struct {
	Case   string // the case's name: letters, digits, '.', '_', '-'
	Script string // shell text busybox sh runs as /cases/Case; its exit status is Boot's rc
	Append string // more kernel command line
	// Initramfs, when set, is booted instead of the busybox image; the
	// case's Script and Files are not used, and the guest reports its
	// end by printing VMTEST-EXIT itself.
	Initramfs string
	// QEMUArgs are more QEMU options, such as -acpitable file=….
	QEMUArgs []string
	Files    map[string][]byte // more files for the guest, by absolute path (replacing standard ones); those under /bin are executable
	Modules  []string          // more modules to load (with those they need) after the standard ones
	Timeout  time.Duration     // from starting QEMU to the guest's power-off; 0 means 120 s
	MemMiB   int               // guest memory; 0 means 512
	// OnMark injects faults while the guest runs: when a line of the
	// guest's console (such as the script's "echo FAULT-KILL-TARGET")
	// first contains a key, its function runs once, on the host, in a
	// goroutine of its own, while the guest goes on; a guest that must
	// wait for the function's effect polls for it. Boot returns only
	// after the functions that started have returned. They may call
	// t.Errorf, Target.Stop and Restart, and VM.Monitor, but not
	// t.Fatal.
	OnMark map[string]func()
	// Monitor gives the guest QEMU's human monitor, on a Unix socket,
	// for VM.Monitor while it runs.
	Monitor bool
}

// VM is what a test's guests share: the kernel, busybox and goiscsi
// binaries, and the network namespace they are wired into. Its guests
// boot one at a time.
type VM struct {
	NetNS  string // network namespace holding the tap device
	Kernel Kernel

	dir        string // the test's temporary directory: images
	busybox    string
	goiscsi    string
	iscsidConf []byte
	mods       *modIndex

	mu    sync.Mutex // one guest at a time on the tap device
	boots int

	monMu   sync.Mutex // serializes monitor commands
	monSock string     // the running guest's monitor socket, if it has one
}

// skipPrefix starts every skip message, so "make test" can list them.
const skipPrefix = "vm tier SKIPPED: "

// Available reports why this machine cannot boot test guests, or "".
func Available() string {
	return unavailable(os.Geteuid(), onPath, exists)
}

// onPath reports whether command is on $PATH.
func onPath(command string) bool {
	_, err := exec.LookPath(command)
	return err == nil
}

// unavailable is Available on the given facts.
func unavailable(euid int, onPath func(string) bool, exists func(string) bool) string {
	switch {
	case euid != 0:
		return "needs root (network namespaces, tap devices, tgtd)"
	case !onPath("qemu-system-x86_64"):
		return "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
	case !onPath("ip"):
		return "ip is not installed (apt-get install iproute2)"
	case !exists("/dev/net/tun"):
		return "no /dev/net/tun for the guest's tap device"
	case !onPath("go"):
		return "no go command to build goiscsi for the guest"
	}
	return ""
}

// needsFetch reports why a kernel cannot be had when the cache holds
// none, or "".
func needsFetch(cache string, onPath func(string) bool) string {
	if len(cachedKernels(cache)) > 0 && exists(filepath.Join(cache, "busybox-static", completeMark)) && os.Getenv(envKernel) == "" {
		return ""
	}
	for _, p := range []string{"apt-get", "apt-cache", "dpkg-deb"} {
		if !onPath(p) {
			return fmt.Sprintf("no kernel in %s and no %s to fetch Debian's", cache, p)
		}
	}
	return ""
}

// New makes what the test's guests need, fetching the kernel and
// busybox into the cache on first use, building goiscsi and creating
// the network namespace; all but the cache goes when the test ends. It
// skips the test, saying why, when guests cannot be booted here.
func New(t testing.TB) *VM {
	t.Helper()
	if why := Available(); why != "" {
		t.Skip(skipPrefix + why)
	}
	cache := CacheDir()
	if why := needsFetch(cache, onPath); why != "" {
		t.Skip(skipPrefix + why)
	}
	ctx := context.Background()
	start := time.Now()
	busybox, err := fetchBusybox(ctx, cache, t.Logf)
	if err != nil {
		t.Skipf("%scannot fetch busybox-static: %v", skipPrefix, err)
	}
	kernel, err := fetchKernel(ctx, cache, busybox, t.Logf)
	if err != nil {
		t.Skipf("%scannot fetch a kernel: %v", skipPrefix, err)
	}
	mods, err := loadModIndex(kernel.ModDir())
	if err != nil {
		t.Fatalf("vmtest: kernel %s in %s: %v", kernel.Version, kernel.Dir, err)
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	conf, err := os.ReadFile(filepath.Join(root, "dist", "iscsid.conf"))
	if err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	vm := &VM{Kernel: kernel, dir: t.TempDir(), busybox: busybox, iscsidConf: conf, mods: mods}
	built := time.Now()
	vm.goiscsi = filepath.Join(vm.dir, "goiscsi")
	if err := buildGoiscsi(ctx, root, vm.goiscsi); err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	reapStale(t)
	vm.NetNS = makeNetNS(t)
	t.Logf("vmtest: kernel %s (from %s), goiscsi built in %.1fs, namespace %s; ready in %.1fs",
		kernel.Version, cache, time.Since(built).Seconds(), vm.NetNS, time.Since(start).Seconds())
	return vm
}

// Boot boots a guest in a VM of its own; see VM.Boot.
func Boot(t testing.TB, cfg Config) (console string, rc int) {
	t.Helper()
	return New(t).Boot(t, cfg)
}

// Boot boots a guest that runs cfg.Script and returns its serial
// console and the script's exit status. It fails the test when the
// guest does not get that far (a module or the network failed, or
// nothing came within the timeout); the console goes into the test's
// log whenever the test fails.
func (vm *VM) Boot(t testing.TB, cfg Config) (console string, rc int) {
	t.Helper()
	if err := checkCaseName(cfg.Case); err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	vm.mu.Lock()
	defer vm.mu.Unlock()
	vm.boots++
	initrd := cfg.Initramfs
	if initrd == "" {
		initrd = vm.writeImage(t, cfg)
	}
	timeout, mem := cfg.Timeout, cfg.MemMiB
	if timeout <= 0 {
		timeout = 120 * time.Second
	}
	if mem <= 0 {
		mem = 512
	}
	cmdline := strings.TrimSpace("console=ttyS0 quiet panic=-1 vmtest.case=" + cfg.Case + " " + cfg.Append)
	var monitor string
	if cfg.Monitor {
		monitor = vm.monitorSocket(t)
		defer vm.setMonitor("")
	}
	args := append(qemuArgs(vm.NetNS, vm.Kernel.Vmlinuz(), initrd, cmdline, mem, monitor), cfg.QEMUArgs...)
	res, err := runQEMU(context.Background(), args, timeout, cfg.OnMark)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("vmtest: console of case %s:\n%s", cfg.Case, res.console)
		}
	})
	if err != nil {
		t.Fatalf("vmtest: case %s: %v", cfg.Case, err)
	}
	_, started, _ := strings.Cut(guestMark(res.console, "VMTEST-START "), " ")
	t.Logf("vmtest: case %s: exit %d after %.1fs (guest: booted in %ss, done at %ss)",
		cfg.Case, res.rc, res.elapsed.Seconds(), started, guestMark(res.console, "VMTEST-UPTIME "))
	return res.console, res.rc
}

// writeImage writes the busybox initramfs of a case.
func (vm *VM) writeImage(t testing.TB, cfg Config) string {
	t.Helper()
	order, err := vm.mods.resolve(append(guestModules(), cfg.Modules...))
	if err != nil {
		t.Fatalf("vmtest: kernel %s: %v", vm.Kernel.Version, err)
	}
	im := &image{
		busybox: vm.busybox, goiscsi: vm.goiscsi, kernel: vm.Kernel,
		modules: order, depLines: vm.mods.depLines(order), iscsidConf: vm.iscsidConf,
		cases: map[string]string{cfg.Case: cfg.Script}, files: cfg.Files,
	}
	initrd := filepath.Join(vm.dir, fmt.Sprintf("initrd-%d-%s.cpio", vm.boots, cfg.Case))
	if err := im.write(initrd); err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	return initrd
}

// Goiscsi is the goiscsi binary the VM's images hold.
func (vm *VM) Goiscsi() string { return vm.goiscsi }

// checkCaseName refuses names that are not one plain file name.
func checkCaseName(name string) error {
	if name == "" || name == "." || name == ".." {
		return fmt.Errorf("bad case name %q", name)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			return fmt.Errorf("bad case name %q", name)
		}
	}
	return nil
}

// moduleRoot is goiscsi's module root, found above the working
// directory (a package directory, under go test).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for i := 0; i < 64; i++ {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/goiscsi/goiscsi\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("module root: no go.mod of github.com/goiscsi/goiscsi above the working directory")
}

// buildGoiscsi builds the static goiscsi binary the guest runs, as
// "make build" does.
func buildGoiscsi(ctx context.Context, root, out string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "netgo,osusergo", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOAMD64=v1")
	cmd.WaitDelay = 5 * time.Second
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building goiscsi: %w: %s", err, b)
	}
	return nil
}

// BuildTest compiles the tests of package pkg (a path relative to the
// module root, such as "./daemon") into a static test binary for the
// guest, where its privileged TestIntegration* tests run against the
// guest's kernel.
func BuildTest(t testing.TB, pkg string) []byte {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	out := filepath.Join(t.TempDir(), "pkg.test")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-trimpath", "-tags", "netgo,osusergo", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOAMD64=v1")
	cmd.WaitDelay = 5 * time.Second
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("vmtest: building the tests of %s: %v: %s", pkg, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	return b
}
