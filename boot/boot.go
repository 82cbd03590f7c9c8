// Package boot is iscsistart and the PID-1 boot path: it logs in to the
// root disk's target at boot, from flags, the kernel command line, iBFT
// or DHCP, using the daemon package's engine in-process. So far it
// answers the command line; the login arrives with the kernel-path issue.
package boot

import (
	"context"
	"io"

	"github.com/goiscsi/goiscsi/internal/cli"
	"github.com/goiscsi/goiscsi/internal/getopt"
)

var spec = getopt.Spec{
	Short: "P:i:t:g:a:p:d:u:w:U:W:bfNvhc:",
	Long: []getopt.LongOption{
		{Name: "initiatorname", HasArg: getopt.RequiredArgument, Val: 'i'},
		{Name: "targetname", HasArg: getopt.RequiredArgument, Val: 't'},
		{Name: "tgpt", HasArg: getopt.RequiredArgument, Val: 'g'},
		{Name: "address", HasArg: getopt.RequiredArgument, Val: 'a'},
		{Name: "port", HasArg: getopt.RequiredArgument, Val: 'p'},
		{Name: "username", HasArg: getopt.RequiredArgument, Val: 'u'},
		{Name: "password", HasArg: getopt.RequiredArgument, Val: 'w'},
		{Name: "username_in", HasArg: getopt.RequiredArgument, Val: 'U'},
		{Name: "password_in", HasArg: getopt.RequiredArgument, Val: 'W'},
		{Name: "debug", HasArg: getopt.RequiredArgument, Val: 'd'},
		{Name: "fwparam_connect", HasArg: getopt.NoArgument, Val: 'b'},
		{Name: "fwparam_network", HasArg: getopt.NoArgument, Val: 'N'},
		{Name: "fwparam_print", HasArg: getopt.NoArgument, Val: 'f'},
		{Name: "param", HasArg: getopt.RequiredArgument, Val: 'P'},
		{Name: "config", HasArg: getopt.RequiredArgument, Val: 'c'},
		{Name: "help", HasArg: getopt.NoArgument, Val: 'h'},
		{Name: "version", HasArg: getopt.NoArgument, Val: 'v'},
		{Name: "recover", HasArg: getopt.NoArgument, Val: optRecover},
	},
}

// optRecover is --recover (goiscsi's; no short option).
const optRecover = 0x100

const usageText = `Usage: iscsistart [OPTION]
Log in to an iSCSI target at boot (goiscsi).
  -c, --config=path        configuration file (/etc/iscsi/iscsid.conf)
  -i, --initiatorname=name initiator name (required)
  -t, --targetname=name    target name (required)
  -g, --tgpt=N             target portal group tag (required)
  -a, --address=A.B.C.D    target address (required)
  -p, --port=N             target port (default 3260)
  -u, --username=N         CHAP user name
  -w, --password=N         CHAP secret
  -U, --username_in=N      mutual CHAP user name of the target
  -W, --password_in=N      mutual CHAP secret of the target
  -d, --debug=level        debug level
  -b, --fwparam_connect    log in to the targets of the boot firmware (iBFT)
  -N, --fwparam_network    bring up the network as the boot firmware says
  -f, --fwparam_print      print the boot firmware's iSCSI settings
  -P, --param=NAME=VALUE   set a record parameter
      --recover            leave a process that recovers the sessions
                           until iscsid starts and takes them over
  -h, --help               show this help and exit
  -v, --version            show the version and exit
`

// Main is iscsistart's entry point.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	info := cli.Info{Prog: "iscsistart", Version: 'v', Usage: usageText, BadCode: 7}
	parsed := spec.Parse(args[1:])
	if code, done := info.Answer(parsed.Options, stdout, stderr); done {
		return code
	}
	st := &starter{stdout: stdout, stderr: stderr}
	return st.run(ctx, parsed.Options)
}
