package vmtest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
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
// which goiscsi's GOAMD64=v1 build runs on. With monitor, a Unix socket
// path, QEMU's human monitor listens there; otherwise there is none.
func qemuArgs(netns, kernel, initrd, cmdline string, memMiB int, monitor string) []string {
	mon := "none"
	if monitor != "" {
		mon = "unix:" + monitor + ",server=on,wait=off"
	}
	return []string{
		"ip", "netns", "exec", netns,
		"qemu-system-x86_64", "-accel", "tcg", "-machine", "pc", "-cpu", "qemu64",
		"-m", strconv.Itoa(memMiB), "-smp", "1",
		"-nodefaults", "-no-user-config", "-display", "none", "-monitor", mon,
		"-serial", "stdio", "-no-reboot",
		"-kernel", kernel, "-initrd", initrd, "-append", cmdline,
		"-device", "virtio-rng-pci",
		"-netdev", "tap,id=" + netdevName + ",ifname=" + tapName + ",script=no,downscript=no",
		"-device", "virtio-net-pci,id=" + NICName + ",netdev=" + netdevName + ",mac=" + GuestMAC,
	}
}

// NICName is the QEMU device id of the guest's NIC (its eth0), which
// monitor commands name it by: vm.Monitor("set_link "+NICName+" off")
// takes the guest's link down (eth0's carrier goes to 0, and frames
// either way are dropped) and "… on" brings it back. QEMU's set_link
// also accepts the tap netdev's id, netdevName ("n0"), with the same
// effect on the guest; without an explicit id the NIC would be named
// "virtio-net-pci.N", N counting NICs.
const NICName = "nic0"

// netdevName is the id of the guest NIC's tap backend.
const netdevName = "n0"

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
// guest not power off). Each onMark function runs, in a goroutine of its
// own, when a console line first contains its key; runQEMU returns once
// those that started have returned.
func runQEMU(ctx context.Context, args []string, timeout time.Duration, onMark map[string]func()) (bootResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var marks sync.WaitGroup
	defer marks.Wait()
	con := newConsole(onMark, func(f func()) { marks.Go(f) })
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
// Complete lines are matched against the keys of marks as they arrive:
// the first line containing a key has run called with its function,
// outside the lock.
type console struct {
	mu    sync.Mutex
	b     strings.Builder
	seen  chan struct{}
	done  bool
	line  []byte            // the output since the last newline
	marks map[string]func() // keys not seen yet
	run   func(func())      // starts a mark's function
}

func newConsole(marks map[string]func(), run func(func())) *console {
	c := &console{seen: make(chan struct{}), marks: make(map[string]func(), len(marks)), run: run}
	for k, f := range marks {
		if k != "" && f != nil {
			c.marks[k] = f
		}
	}
	return c
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.b.Write(p)
	if !c.done && strings.Contains(c.b.String(), exitMarker) {
		if _, ok := exitStatus(c.b.String()); ok {
			c.done = true
			close(c.seen)
		}
	}
	fire := c.matchLines(p)
	c.mu.Unlock()
	for _, f := range fire {
		c.run(f)
	}
	return len(p), nil
}

// matchLines adds p to the current line and returns the functions of
// the keys the lines it completes contain, forgetting those keys.
func (c *console) matchLines(p []byte) []func() {
	if len(c.marks) == 0 {
		return nil
	}
	var fire []func()
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.line = append(c.line, p...)
			return fire
		}
		c.line = append(c.line, p[:i]...)
		p = p[i+1:]
		line := string(c.line)
		c.line = c.line[:0]
		keys := make([]string, 0, len(c.marks))
		for k := range c.marks {
			if strings.Contains(line, k) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			fire = append(fire, c.marks[k])
			delete(c.marks, k)
		}
	}
}

func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}
