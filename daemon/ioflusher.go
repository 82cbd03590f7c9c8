package daemon

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"

	"golang.org/x/sys/unix"
)

// The root disk can sit behind iscsid, so a thread of it that needs
// memory under pressure must not wait for reclaim to write to that
// disk. PR_SET_IO_FLUSHER (Linux 5.6, CAP_SYS_RESOURCE) marks a thread
// so. The mark belongs to one thread; the threads and processes a
// marked thread creates inherit it, and execve keeps it. The Go runtime
// starts threads before main, so marking one later leaves the others
// out: iscsid is marked from its start instead, by the process that
// starts it (StartIOFlusher), or in the foreground by executing itself
// once more from a marked thread (reexecIOFlusher).

// envIOFlusher marks the copy of iscsid that reexecIOFlusher started,
// so that it never does so twice.
const envIOFlusher = "GOISCSI_IO_FLUSHER"

// StartIOFlusher starts the program at path (os.StartProcess) from a
// thread marked as an I/O flusher, so that the new process and all its
// threads carry the mark. When the mark cannot be set, it is started all
// the same; iscsid then finds itself unmarked and says so
// (hardenMemory).
func StartIOFlusher(path string, argv []string, attr *os.ProcAttr) (*os.Process, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if !ioFlusher() && setIOFlusher(1) == nil {
		defer setIOFlusher(0) // this thread goes back to the pool unmarked
	}
	return os.StartProcess(path, argv, attr)
}

// reexecIOFlusher replaces the process with a fresh run of its own
// command line from a marked thread, unless it is marked already. It
// returns only when it does not execute: nil when nothing was to be
// done (marked already; args not this process's command line, as when
// Main runs inside another program), otherwise why it could not.
func reexecIOFlusher(args []string) error {
	if ioFlusher() || os.Getenv(envIOFlusher) != "" || !ownCommandLine(args) {
		return nil
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := setIOFlusher(1); err != nil {
		return err
	}
	env := append(os.Environ(), envIOFlusher+"=1")
	err := unix.Exec("/proc/self/exe", os.Args, env)
	_ = setIOFlusher(0)
	return fmt.Errorf("executing itself as an I/O flusher: %w", err)
}

// ownCommandLine reports whether args ends the process's own arguments:
// "iscsid …" through a link, or "goiscsi iscsid …".
func ownCommandLine(args []string) bool {
	n := len(os.Args) - len(args)
	return n >= 0 && len(args) > 0 && slices.Equal(os.Args[n:], args)
}

// ioFlusher reports whether the calling thread is marked.
func ioFlusher() bool {
	v, err := unix.PrctlRetInt(unix.PR_GET_IO_FLUSHER, 0, 0, 0, 0)
	return err == nil && v == 1
}

func setIOFlusher(v uintptr) error {
	if err := unix.Prctl(unix.PR_SET_IO_FLUSHER, v, 0, 0, 0); err != nil {
		if errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("PR_SET_IO_FLUSHER: not supported by this kernel: %w", err)
		}
		return fmt.Errorf("PR_SET_IO_FLUSHER: %w", err)
	}
	return nil
}
