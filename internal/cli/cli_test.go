package cli

import (
	"bytes"
	"testing"

	"github.com/goiscsi/goiscsi/internal/getopt"
)

func TestAnswer(t *testing.T) {
	spec := getopt.Spec{Short: "vhx:"}
	info := Info{Prog: "iscsid", Version: 'v', Usage: "Usage: iscsid\n", BadCode: 7}
	tests := []struct {
		args           []string
		code           int
		done           bool
		stdout, stderr string
	}{
		{[]string{"-v"}, 0, true, "iscsid version 2.1.8\n", ""},
		{[]string{"-x", "1", "-h"}, 0, true, "Usage: iscsid\n", ""},
		{[]string{"-Z"}, 7, true, "", "iscsid: invalid option -- 'Z'\nTry `iscsid --help' for more information.\n"},
		{[]string{"-x", "1"}, 0, false, "", ""},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code, done := info.Answer(spec.Parse(tt.args).Options, &out, &errb)
		if code != tt.code || done != tt.done || out.String() != tt.stdout || errb.String() != tt.stderr {
			t.Errorf("Answer(%q) = %d %v %q %q", tt.args, code, done, out.String(), errb.String())
		}
	}
}
