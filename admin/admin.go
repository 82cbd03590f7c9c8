// Package admin is iscsiadm: the command-line tool that manages the
// record store (nodes, interfaces, discovery records) and asks iscsid to
// log sessions in and out. It never links the daemon: it reads and writes
// records itself and talks to iscsid over its socket, as open-iscsi's
// iscsiadm does. Output, messages and exit codes are open-iscsi 2.1.8's.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
	"github.com/goiscsi/goiscsi/sysfs"
)

// Env says where iscsiadm finds its files. The zero value means the
// system's: /etc/iscsi, /run/lock/iscsi and /sys.
type Env struct {
	ConfigDir string // record root (GOISCSI_CONFIG_DIR)
	LockDir   string // lock directory (GOISCSI_LOCK_DIR)
	SysfsRoot string // sysfs mount point (SYSFS_PATH)
	// DaemonSocket is the abstract socket name of iscsid; empty means
	// the default.
	DaemonSocket string
}

// EnvFromOS reads the environment variables that relocate the files, for
// tests and image builders.
func EnvFromOS() Env {
	return Env{
		ConfigDir: os.Getenv("GOISCSI_CONFIG_DIR"),
		LockDir:   os.Getenv("GOISCSI_LOCK_DIR"),
		SysfsRoot: sysfs.FromEnv().Dir,
		// GOISCSI_IPC_NAME moves iscsid's abstract socket, as for iscsid.
		DaemonSocket: os.Getenv("GOISCSI_IPC_NAME"),
	}
}

func (e Env) withDefaults() Env {
	if e.ConfigDir == "" {
		e.ConfigDir = records.DefaultDir
	}
	if e.LockDir == "" {
		e.LockDir = records.DefaultLockDir
	}
	if e.SysfsRoot == "" {
		e.SysfsRoot = "/sys"
	}
	if e.DaemonSocket == "" {
		e.DaemonSocket = DefaultDaemonSocket
	}
	return e
}

// Main is iscsiadm's entry point.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Run(ctx, EnvFromOS(), args, stdin, stdout, stderr)
}

// Run is iscsiadm with an explicit environment.
func Run(ctx context.Context, env Env, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cmd{ctx: ctx, env: env.withDefaults(), stdout: stdout, stderr: stderr}
	c.store = &records.Store{Dir: c.env.ConfigDir, LockDir: c.env.LockDir}
	err := c.run(args)
	var e *iscsierr.Error
	if err != nil && !errors.Is(err, errReported) {
		if errors.As(err, &e) && e.Op == "" && e.Err == nil {
			c.errorf("%s", e.Code)
		} else {
			c.errorf("%v", err)
		}
	}
	return int(iscsierr.CodeOf(err))
}

// errReported marks an error whose messages were already printed.
var errReported = errors.New("reported")

// quiet returns an error with code c whose messages were already printed
// (or that open-iscsi reports with no message at all).
func quiet(c iscsierr.Code) error { return &iscsierr.Error{Code: c, Err: errReported} }

// fail prints an iscsiadm error line and returns code c, reported.
func (c *cmd) fail(code iscsierr.Code, format string, args ...any) error {
	c.errorf(format, args...)
	return quiet(code)
}

type cmd struct {
	ctx            context.Context
	env            Env
	stdout, stderr io.Writer
	store          *records.Store
	prog           string
	// daemonView is iscsid's answer about its sessions, asked for once
	// per command by listings that show its states (daemonErr if that
	// failed).
	daemonView map[int]DaemonSessionState
	daemonErr  error
}

func (c *cmd) errorf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "iscsiadm: "+format+"\n", args...)
}

func (c *cmd) printf(format string, args ...any) {
	fmt.Fprintf(c.stdout, format, args...)
}

// shownPath is a path inside the record root as messages show it.
func (c *cmd) shownPath(rel ...string) string {
	return filepath.Join(append([]string{c.env.ConfigDir}, rel...)...)
}
