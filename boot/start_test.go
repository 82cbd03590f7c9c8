package boot

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestArguments checks what iscsistart says about missing or bad
// arguments before it touches the kernel, in open-iscsi's words.
func TestArguments(t *testing.T) {
	full := []string{"-i", "iqn.2026-11.test:guest", "-t", "iqn.2026-11.test:root", "-g", "1", "-a", "10.0.2.100"}
	without := func(flag string) []string {
		var out []string
		for i := 0; i < len(full); i += 2 {
			if full[i] != flag {
				out = append(out, full[i], full[i+1])
			}
		}
		return out
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no initiator", without("-i"), 7, "iscsistart: InitiatorName not set. Exiting iscsistart\n"},
		{"no tpgt", without("-g"), 7, "iscsistart: Portal Group not set. Exiting iscsistart\n"},
		{"no target", without("-t"), 7, "iscsistart: TargetName not set. Exiting iscsistart\n"},
		{"no address", without("-a"), 7, "iscsistart: IP Address not set. Exiting iscsistart\n"},
		{"param without value", append(full, "-P", "node.session.timeo.replacement_timeout"), 7,
			"iscsistart: Invalid --param node.session.timeo.replacement_timeout. Missing value.\n"},
		{"param with empty value", append(full, "-P", "node.startup="), 7,
			"iscsistart: Invalid --param node.startup. Missing value.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), append([]string{"iscsistart"}, tt.args...), nil, &stdout, &stderr)
			if code != tt.code || stderr.String() != tt.stderr {
				t.Errorf("iscsistart %s = %d %q, want %d %q", strings.Join(tt.args, " "), code, stderr.String(), tt.code, tt.stderr)
			}
		})
	}
}

// TestHostileTarget refuses target names that are not iSCSI names
// before anything reaches the kernel.
func TestHostileTarget(t *testing.T) {
	for _, name := range []string{"../../evil", "iqn.2026-11.test:a/b", "iqn.2026-11.test:a\nb"} {
		var stdout, stderr bytes.Buffer
		args := []string{"iscsistart", "-i", "iqn.2026-11.test:guest", "-t", name, "-g", "1", "-a", "10.0.2.100"}
		if code := Main(context.Background(), args, nil, &stdout, &stderr); code != 7 {
			t.Errorf("iscsistart -t %q = %d (%s), want 7", name, code, stderr.String())
		}
	}
}
