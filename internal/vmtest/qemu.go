package vmtest

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// exitMarker starts the line /init prints when the case has ended.
const exitMarker = "VMTEST-EXIT "

// qemuArgs is the command that boots kernel with initrd, inside network
// namespace netns, wired to its tap device. The "pc" machine with no
// default devices boots fastest under TCG; the CPU is QEMU's baseline,
// which goiscsi's GOAMD64=v1 build runs on.
func qemuArgs(netns, kernel, initrd, cmdline string, memMiB int) []string {
	return []string{
		"ip", "netns", "exec", netns,
		"qemu-system-x86_64", "-accel", "tcg", "-machine", "pc", "-cpu", "qemu64",
		"-m", strconv.Itoa(memMiB), "-smp", "1",
		"-nodefaults", "-no-user-config", "-display", "none", "-monitor", "none",
		"-serial", "stdio", "-no-reboot",
		"-kernel", kernel, "-initrd", initrd, "-append", cmdline,
		"-device", "virtio-rng-pci",
		"-netdev", "tap,id=n0,ifname=" + tapName + ",script=no,downscript=no",
		"-device", "virtio-net-pci,netdev=n0,mac=" + GuestMAC,
	}
}

// GuestMAC is the guest NIC's MAC address (QEMU's default for the first
// NIC, given explicitly so that firmware tables can name it).
const GuestMAC = "52:54:00:12:34:56"

// bootResult is what one boot gave.
type bootResult struct {
	console string        // the serial console, and QEMU's own messages
	rc      int           // the case's exit status
	elapsed time.Duration // from starting QEMU to the exit line
}

// runQEMU runs args until the guest prints its exit line and powers off,
// killing QEMU after timeout (or 10 s after the exit line, should the
// guest not power off).
func runQEMU(ctx context.Context, args []string, timeout time.Duration) (bootResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	con := &console{seen: make(chan struct{})}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = con, con
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return bootResult{}, fmt.Errorf("starting qemu: %w", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var waitErr error
	var elapsed time.Duration
	select {
	case waitErr = <-waited:
		elapsed = time.Since(start)
	case <-con.seen:
		elapsed = time.Since(start)
		select {
		case waitErr = <-waited:
		case <-time.After(10 * time.Second):
			cancel()
			waitErr = <-waited
		}
	}
	res := bootResult{console: con.String(), elapsed: elapsed}
	rc, ok := exitStatus(res.console)
	if !ok && strings.Contains(res.console, initDied) {
		rc, ok = InitDied, true // PID 1 gave up; the test reads why
	}
	switch {
	case !ok && ctx.Err() != nil:
		return res, fmt.Errorf("guest did not finish within %v: %w", timeout, ctx.Err())
	case !ok:
		return res, fmt.Errorf("guest stopped without an exit line (qemu: %v)", waitErr)
	}
	res.rc = rc
	return res, nil
}

// initDied is the kernel's panic when PID 1 exits.
const initDied = "Kernel panic - not syncing: Attempted to kill init!"

// InitDied is Boot's rc when the guest's PID 1 exited (the kernel
// panicked and, with panic=-1, QEMU stopped).
const InitDied = -1

// exitStatus finds the status in the guest's exit line.
func exitStatus(console string) (int, bool) {
	m := regexp.MustCompile(exitMarker+`([0-9]+)\r?\n`).FindAllStringSubmatch(console, -1)
	if len(m) == 0 {
		return 0, false
	}
	rc, err := strconv.Atoi(m[len(m)-1][1])
	return rc, err == nil
}

// guestMark is the rest of the line the guest printed after prefix
// (such as "VMTEST-UPTIME "), or "" if it printed none.
func guestMark(console, prefix string) string {
	_, rest, ok := strings.Cut(console, prefix)
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(rest, "\n")
	return strings.TrimSpace(line)
}

// console collects QEMU's output and closes seen at the first exit line.
type console struct {
	mu   sync.Mutex
	b    strings.Builder
	seen chan struct{}
	done bool
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.b.Write(p)
	if !c.done && strings.Contains(c.b.String(), exitMarker) {
		if _, ok := exitStatus(c.b.String()); ok {
			c.done = true
			close(c.seen)
		}
	}
	return len(p), nil
}

func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}
