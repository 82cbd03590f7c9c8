// Command goiscsi is a multicall binary: run as iscsid, iscsiadm,
// iscsistart or iscsi-iname (through a symlink or as "goiscsi <role>")
// it is that tool. This file only dispatches on the name.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/goiscsi/goiscsi/admin"
	"github.com/goiscsi/goiscsi/admin/iname"
	"github.com/goiscsi/goiscsi/boot"
	"github.com/goiscsi/goiscsi/daemon"
	"github.com/goiscsi/goiscsi/internal/growstack"
)

// mainFunc is the entry point every role has.
type mainFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// role is one tool: its entry point and what SIGINT and SIGTERM do to
// it.
type role struct {
	main    mainFunc
	signals signalPolicy
}

// signalPolicy is how a role takes SIGINT and SIGTERM.
type signalPolicy int

const (
	// signalsDefault leaves the runtime's default: the process ends.
	// Not for PID 1, which the kernel does not let end that way: the
	// runtime would exit(2) instead, and the kernel panic.
	signalsDefault signalPolicy = iota
	// signalsCancel cancels the role's context, so that it can finish
	// what it is doing cleanly.
	signalsCancel
	// signalsNoInterrupt ignores SIGINT, as open-iscsi's iscsistart
	// does ("do not allow ctrl-c"); SIGTERM ends the process. It costs
	// no goroutine or thread, which a short-lived boot tool's memory
	// peak notices.
	signalsNoInterrupt
)

// context returns the context a role with policy p runs with.
func (p signalPolicy) context() (context.Context, context.CancelFunc) {
	switch p {
	case signalsCancel:
		return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	case signalsNoInterrupt:
		signal.Ignore(os.Interrupt)
	}
	return context.WithCancel(context.Background())
}

// roles maps a tool name to its role.
func roles() map[string]role {
	return map[string]role{
		"iscsiadm":    {admin.Main, signalsCancel},
		"iscsid":      {daemon.Main, signalsCancel},
		"iscsistart":  {boot.Main, signalsNoInterrupt},
		"iscsi-iname": {iname.Main, signalsDefault},
		"init":        {boot.Init, signalsCancel}, // PID 1 of goiscsi's initramfs: a cancelled boot drops to the rescue shell
	}
}

// resolveName returns the tool name argv0 stands for: the base name after
// following symlinks, as long as the links lead to a known role name.
func resolveName(argv0 string, known map[string]role) string {
	name := filepath.Base(argv0)
	if _, ok := known[name]; ok {
		return name
	}
	p := argv0
	for i := 0; i < 8; i++ {
		t, err := os.Readlink(p)
		if err != nil {
			break
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p = t
		if _, ok := known[filepath.Base(p)]; ok {
			return filepath.Base(p)
		}
	}
	return name
}

// pick finds the role from argv[0], or from argv[1] when argv[0] is not
// a role ("goiscsi iscsiadm -m node"), and the arguments to give it.
func pick(args []string, known map[string]role) (role, []string, bool) {
	if len(args) == 0 {
		return role{}, nil, false
	}
	if r, ok := known[resolveName(args[0], known)]; ok {
		return r, args, true
	}
	if len(args) > 1 {
		if r, ok := known[args[1]]; ok {
			return r, args[1:], true
		}
	}
	return role{}, nil, false
}

// dispatch runs the role args names with ctx, leaving signals alone,
// or lists the roles on stderr and returns 1.
func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runRole(args, roles(), func(signalPolicy) (context.Context, context.CancelFunc) {
		return context.WithCancel(ctx)
	}, stdin, stdout, stderr)
}

// run is dispatch for the process: the role's signal policy applies.
func run(args []string, known map[string]role) int {
	return runRole(args, known, signalPolicy.context, os.Stdin, os.Stdout, os.Stderr)
}

// runRole runs the role args names with the context newCtx makes for
// its signal policy, or lists the roles on stderr and returns 1.
func runRole(args []string, known map[string]role, newCtx func(signalPolicy) (context.Context, context.CancelFunc),
	stdin io.Reader, stdout, stderr io.Writer) int {
	r, rargs, ok := pick(args, known)
	if !ok {
		return unknownRole(stderr, known)
	}
	ctx, stop := newCtx(r.signals)
	defer stop()
	return r.main(ctx, rargs, stdin, stdout, stderr)
}

func unknownRole(stderr io.Writer, known map[string]role) int {
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(stderr, "goiscsi: unknown role; run as one of (by symlink or as \"goiscsi <role> ...\"):\n")
	for _, n := range names {
		fmt.Fprintf(stderr, "  %s\n", n)
	}
	return 1
}

func main() {
	growstack.Grow() // while the stack is shallowest: see the package
	os.Exit(run(os.Args, roles()))
}
