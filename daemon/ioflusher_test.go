package daemon

import (
	"os"
	"testing"
)

func TestOwnCommandLine(t *testing.T) {
	self := os.Args
	tests := []struct {
		name string
		args []string
		want bool
	}{
		{"the whole command line", self, true},
		{"its tail", self[len(self)-1:], true},
		{"another program's", []string{"iscsid", "-f", "-x-not-ours"}, false},
		{"nothing", nil, false},
		{"longer than ours", append(append([]string{}, self...), "-f"), false},
	}
	for _, tc := range tests {
		if got := ownCommandLine(tc.args); got != tc.want {
			t.Errorf("%s: ownCommandLine(%q) = %v, want %v", tc.name, tc.args, got, tc.want)
		}
	}
}

// TestReexecIOFlusherInsideAnotherProgram: Main run inside another
// program (a test) never replaces that program.
func TestReexecIOFlusherInsideAnotherProgram(t *testing.T) {
	if err := reexecIOFlusher([]string{"iscsid", "-f"}); err != nil {
		t.Errorf("reexecIOFlusher = %v, want nil without executing", err)
	}
}
