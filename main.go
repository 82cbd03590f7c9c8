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
)

// mainFunc is the entry point every role has.
type mainFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// roles maps a tool name to its entry point.
func roles() map[string]mainFunc {
	return map[string]mainFunc{
		"iscsiadm":    admin.Main,
		"iscsid":      daemon.Main,
		"iscsistart":  boot.Main,
		"iscsi-iname": iname.Main,
		"init":        boot.Init, // PID 1 of goiscsi's initramfs
	}
}

// resolveName returns the tool name argv0 stands for: the base name after
// following symlinks, as long as the links lead to a known role name.
func resolveName(argv0 string, known map[string]mainFunc) string {
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

// dispatch picks the role from argv[0], or from argv[1] when argv[0] is
// not a role ("goiscsi iscsiadm -m node"), and runs it.
func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	known := roles()
	if len(args) == 0 {
		args = []string{"goiscsi"}
	}
	if m, ok := known[resolveName(args[0], known)]; ok {
		return m(ctx, args, stdin, stdout, stderr)
	}
	if len(args) > 1 {
		if m, ok := known[args[1]]; ok {
			return m(ctx, args[1:], stdin, stdout, stderr)
		}
	}
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
