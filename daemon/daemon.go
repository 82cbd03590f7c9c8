// Package daemon is iscsid and the initiator engine it shares with the
// boot path: it will own sessions, connections, login through the
// kernel and recovery. So far it answers the command line; the engine
// arrives with the kernel-path and daemon issues.
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
	},
}

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
	if code, done := info.Answer(spec.Parse(args[1:]).Options, stdout, stderr); done {
		return code
	}
	fmt.Fprintln(stderr, "iscsid: the daemon is not implemented in this version of goiscsi")
	return 1
}
