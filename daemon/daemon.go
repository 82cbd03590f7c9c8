// Package daemon is iscsid and the initiator engine it shares with the
// boot path: sessions, connections, login through the kernel, recovery
// and adoption.
//
// # Process contract of iscsid
//
// Start-up, in this order: parse the command line; unless -f, start a
// copy of itself in a new session and exit 0 once that copy reports
// ready (1 and its error if it fails); with -f, execute itself once
// more (same pid) unless started marked PR_SET_IO_FLUSHER: both are
// done from a thread so marked, which every thread of the daemon then
// inherits (see ioflusher.go); read iscsid.conf (-c) and the
// initiator name (-i); create the record root if missing; lock memory
// (mlockall with MCL_ONFAULT, the binary's pages locked, a warmed heap),
// set oom_score_adj to -1000 (and PR_SET_IO_FLUSHER, as a fallback, if
// not marked at start); open NETLINK_ISCSI
// (loading iscsi_tcp if needed); take the socket systemd passed
// (LISTEN_FDS) or listen on the abstract socket; adopt the sessions
// sysfs shows; write the pid file (-p, unless -n); drop to -u/-g; tell
// systemd READY=1; serve requests.
//
// Run with --boot (as iscsistart --recover starts it) it is the same
// daemon, logging to the kernel log, and answers a ping as "boot"; an
// iscsid that finds the socket taken by such a process asks it to stop
// (which it does without touching the sessions) and takes over.
//
// Shutdown, on SIGTERM, SIGINT or a stop request (iscsiadm -k 0): stop
// accepting requests, let the requests in flight finish (a login in
// progress completes or fails), end the recoveries, remove the pid
// file, and answer the stop request last. Sessions stay in the kernel
// for the next iscsid to adopt. iscsid starts no child processes.
package daemon

import (
	"context"
	"fmt"
	"io"

	"github.com/goiscsi/goiscsi/internal/cli"
	"github.com/goiscsi/goiscsi/internal/getopt"
)

var spec = getopt.Spec{
	Short: "c:i:fd:nu:g:p:vh",
	Long: []getopt.LongOption{
		{Name: "config", HasArg: getopt.RequiredArgument, Val: 'c'},
		{Name: "initiatorname", HasArg: getopt.RequiredArgument, Val: 'i'},
		{Name: "foreground", HasArg: getopt.NoArgument, Val: 'f'},
		{Name: "debug", HasArg: getopt.RequiredArgument, Val: 'd'},
		{Name: "no-pid-file", HasArg: getopt.NoArgument, Val: 'n'},
		{Name: "uid", HasArg: getopt.RequiredArgument, Val: 'u'},
		{Name: "gid", HasArg: getopt.RequiredArgument, Val: 'g'},
		{Name: "pid", HasArg: getopt.RequiredArgument, Val: 'p'},
		{Name: "version", HasArg: getopt.NoArgument, Val: 'v'},
		{Name: "help", HasArg: getopt.NoArgument, Val: 'h'},
		{Name: "boot", HasArg: getopt.NoArgument, Val: optBoot},
	},
}

// optBoot is --boot (no short option): run as the boot-time recovery
// process iscsistart --recover starts; see BootRecovery.
const optBoot = 0x100

const usageText = `Usage: iscsid [OPTION]
iSCSI initiator daemon (goiscsi).
  -c, --config=path        configuration file (/etc/iscsi/iscsid.conf)
  -i, --initiatorname=path initiator name file (/etc/iscsi/initiatorname.iscsi)
  -f, --foreground         run in the foreground
  -d, --debug=level        debug level
  -u, --uid=uid            run as uid
  -g, --gid=gid            run as gid
  -n, --no-pid-file        do not write a pid file
  -p, --pid=file           pid file (/run/iscsid.pid)
  -h, --help               show this help and exit
  -v, --version            show the version and exit
`

// Main is iscsid's entry point.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	info := cli.Info{Prog: "iscsid", Version: 'v', Usage: usageText, BadCode: 1}
	parsed := spec.Parse(args[1:])
	if code, done := info.Answer(parsed.Options, stdout, stderr); done {
		return code
	}
	cfg, err := configFrom(parsed.Options)
	if err != nil {
		fmt.Fprintf(stderr, "iscsid: %v\n", err)
		return 1
	}
	ready := readyPipe()
	if !cfg.foreground && ready == nil {
		if err := daemonize(args); err != nil {
			fmt.Fprintf(stderr, "iscsid: %v\n", err)
			return 1
		}
		return 0
	}
	if cfg.foreground && ready == nil {
		// Returns only when it does not execute itself again.
		if err := reexecIOFlusher(args); err != nil {
			fmt.Fprintf(stderr, "iscsid: %v\n", err)
		}
	}
	d := &iscsid{cfg: cfg, log: newLogger(stderr, cfg.debug)}
	if err := d.run(ctx, ready); err != nil {
		d.log.errorf("%v", err)
		if ready != nil {
			fmt.Fprintf(ready, "%v\n", err)
		}
		return 1
	}
	return 0
}
