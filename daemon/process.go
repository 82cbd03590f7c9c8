package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goiscsi/goiscsi/internal/sock"
)

// envChild marks the re-executed daemon process: Go cannot fork, so
// iscsid daemonizes by starting itself again in a new session and
// waiting until that copy is ready.
const envChild = "GOISCSI_ISCSID_CHILD"

// daemonize starts the daemon in the background and returns its exit
// code for the foreground process: 0 once the daemon reports ready on
// the pipe it inherits as descriptor 3, 1 when it fails to start.
func daemonize(args []string) error {
	self, err := os.Executable()
	if err != nil {
		self = "/proc/self/exe"
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		w.Close()
		return err
	}
	defer devnull.Close()
	p, err := StartIOFlusher(self, args, &os.ProcAttr{
		Env:   append(os.Environ(), envChild+"=1"),
		Files: []*os.File{devnull, devnull, devnull, w},
		Sys:   &unix.SysProcAttr{Setsid: true},
	})
	w.Close()
	if err != nil {
		return err
	}
	_ = p.Release()
	_ = r.SetReadDeadline(time.Now().Add(60 * time.Second))
	line, err := bufio.NewReader(r).ReadString('\n')
	switch {
	case line == "ready\n":
		return nil
	case line != "":
		return errors.New(strings.TrimSpace(line))
	}
	return fmt.Errorf("iscsid exited before it was ready: %v", err)
}

// readyPipe is the descriptor a daemonizing parent waits on, nil when
// this process was not started that way.
func readyPipe() *os.File {
	if os.Getenv(envChild) == "" {
		return nil
	}
	os.Unsetenv(envChild)
	return os.NewFile(3, "ready")
}

// sdNotify sends one datagram to systemd's notification socket, when
// there is one (Type=notify units).
func sdNotify(state string) error {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return nil
	}
	return sock.SendDatagram(name, []byte(state))
}

// activationListener is the socket systemd passed (LISTEN_FDS=1 for
// this process), or nil.
func activationListener() (*sock.Listener, error) {
	if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) {
		return nil, nil
	}
	n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	if n < 1 {
		return nil, nil
	}
	f := os.NewFile(3, "iscsid.socket")
	defer f.Close()
	unix.CloseOnExec(3)
	return sock.FileListener(f)
}

// hardenMemory keeps iscsid resident and alive while the disk it serves
// may be the root disk: it must not wait on page-ins from that disk
// during recovery, nor be chosen by the OOM killer, nor have its own
// allocations wait on writeback to it.
//
// mlockall(MCL_CURRENT|MCL_FUTURE) would make the Go runtime's large
// address-space reservations resident (tens of MB); MCL_ONFAULT locks
// only the pages that get touched, so the pages recovery needs are
// touched first: the binary's text and data, and a heap grown to what
// a recovery allocates. It returns what did not work; none is fatal.
func hardenMemory(warmHeap int) []error {
	var errs []error
	if err := os.WriteFile("/proc/self/oom_score_adj", []byte("-1000\n"), 0); err != nil {
		errs = append(errs, fmt.Errorf("oom_score_adj: %w", err))
	}
	// A process started marked has every thread marked (ioflusher.go);
	// otherwise this thread and the threads it creates are the best left.
	if !ioFlusher() {
		if err := setIOFlusher(1); err != nil {
			errs = append(errs, err)
		} else {
			errs = append(errs, errors.New("started without PR_SET_IO_FLUSHER: only threads created from now on have it"))
		}
	}
	if err := unix.Mlockall(unix.MCL_CURRENT | unix.MCL_FUTURE | unix.MCL_ONFAULT); err != nil {
		errs = append(errs, fmt.Errorf("mlockall: %w", err))
	}
	if err := prefaultSelf(); err != nil {
		errs = append(errs, fmt.Errorf("touching the binary: %w", err))
	}
	warm := make([]byte, warmHeap)
	for i := 0; i < len(warm); i += os.Getpagesize() {
		warm[i] = 1
	}
	return errs
}

// prefaultSelf locks every page the executable is mapped at: mlock on
// a range, unlike MCL_ONFAULT, faults the pages in as it locks them.
func prefaultSelf() error {
	self, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return err
	}
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return err
	}
	var errs []error
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[5] != self {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil || b <= a {
			continue
		}
		if _, _, e := unix.Syscall(unix.SYS_MLOCK, uintptr(a), uintptr(b-a), 0); e != 0 {
			errs = append(errs, fmt.Errorf("mlock %s: %w", f[0], e))
		}
	}
	return errors.Join(errs...)
}
