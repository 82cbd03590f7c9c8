// Package iname is iscsi-iname: it prints a new, random iSCSI initiator
// name, as used for /etc/iscsi/initiatorname.iscsi.
package iname

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/goiscsi/goiscsi/internal/getopt"
)

// DefaultPrefix is the IQN prefix open-iscsi uses.
const DefaultPrefix = "iqn.2016-04.com.open-iscsi"

// MaxPrefix is the longest prefix accepted.
const MaxPrefix = 210

var spec = getopt.Spec{
	Short: "p:gh",
	Long: []getopt.LongOption{
		{Name: "prefix", HasArg: getopt.RequiredArgument, Val: 'p'},
		{Name: "generate-iname-prefix", HasArg: getopt.NoArgument, Val: 'g'},
		{Name: "help", HasArg: getopt.NoArgument, Val: 'h'},
	},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `Usage: iscsi-iname [OPTIONS]
Where OPTIONS are from:
    -p/--prefix <prefix>          -- set IQN prefix [%s]
    -g/--generate-iname-prefix    -- generate the InitiatorName= prefix
where <prefix> has max length of %d
`, DefaultPrefix, MaxPrefix)
}

// Main is iscsi-iname's entry point.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	prefix, withKey := DefaultPrefix, false
	prog := "iscsi-iname"
	for _, o := range spec.Parse(args[1:]).Options {
		switch o.Val {
		case 'p':
			prefix = o.Arg
		case 'g':
			withKey = true
		case 'h':
			usage(stdout)
			return 0
		default:
			fmt.Fprintf(stderr, "%s: %s\n", prog, o.Err)
			usage(stderr)
			return 1
		}
	}
	if len(prefix) > MaxPrefix {
		fmt.Fprintf(stderr, "%s: prefix too long\n", prog)
		usage(stderr)
		return 1
	}
	name, err := New(prefix, rand.Reader)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	if withKey {
		fmt.Fprint(stdout, "InitiatorName=")
	}
	fmt.Fprintln(stdout, name)
	return 0
}

// New returns prefix + ":" + 12 random hex digits.
func New(prefix string, random io.Reader) (string, error) {
	b := make([]byte, 6)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return prefix + ":" + hex.EncodeToString(b), nil
}
