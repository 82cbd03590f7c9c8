// Package cli holds what the daemon-side tools share on the command
// line: answering version and help requests and bad options the way
// open-iscsi's tools do.
package cli

import (
	"fmt"
	"io"

	"github.com/goiscsi/goiscsi/internal/buildinfo"
	"github.com/goiscsi/goiscsi/internal/getopt"
)

// Info describes a tool for Answer.
type Info struct {
	Prog    string // "iscsid"
	Version rune   // the option that prints the version
	Usage   string
	BadCode int // exit status for a bad option
}

// Answer handles the options that end a run at once: the version flag,
// -h and a bad option. It reports whether the run is over, and its exit
// status.
func (i Info) Answer(opts []getopt.Option, stdout, stderr io.Writer) (int, bool) {
	for _, o := range opts {
		switch o.Val {
		case i.Version:
			fmt.Fprintf(stdout, "%s version %s\n", i.Prog, buildinfo.Version())
			return 0, true
		case 'h':
			fmt.Fprint(stdout, i.Usage)
			return 0, true
		case '?':
			fmt.Fprintf(stderr, "%s: %s\n", i.Prog, o.Err)
			fmt.Fprintf(stderr, "Try `%s --help' for more information.\n", i.Prog)
			return i.BadCode, true
		}
	}
	return 0, false
}
