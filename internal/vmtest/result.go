package vmtest

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// runScript is the guest's /bin/vmtest-run. "vmtest-run NAME CMD
// [ARG...]" runs CMD and prints one line with its exit status, stdout
// and stderr (base64, so that any bytes survive the serial console),
// which Result reads back; it exits with CMD's status.
const runScript = `#!/bin/busybox sh
name=$1
shift
"$@" >/tmp/vmtest-run.out 2>/tmp/vmtest-run.err
rc=$?
echo "VMTEST-RUN $name $rc o:$(base64 -w0 </tmp/vmtest-run.out) e:$(base64 -w0 </tmp/vmtest-run.err)"
exit $rc
`

// Run is what one "vmtest-run NAME …" in a guest gave.
type Run struct {
	Stdout, Stderr string
	RC             int
}

// Result finds the run named name in a guest's console (the last, if
// the name was used more than once).
func Result(console, name string) (Run, error) {
	lines := strings.Split(console, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		f := strings.Fields(lines[i])
		if len(f) < 3 || f[0] != "VMTEST-RUN" || f[1] != name {
			continue
		}
		if len(f) != 5 || !strings.HasPrefix(f[3], "o:") || !strings.HasPrefix(f[4], "e:") {
			return Run{}, fmt.Errorf("vmtest-run %s: garbled line %q", name, lines[i])
		}
		rc, err := strconv.Atoi(f[2])
		if err != nil {
			return Run{}, fmt.Errorf("vmtest-run %s: status %q: %w", name, f[2], err)
		}
		r := Run{RC: rc}
		for j, dst := range []*string{&r.Stdout, &r.Stderr} {
			b, err := base64.StdEncoding.DecodeString(f[3+j][2:])
			if err != nil {
				return Run{}, fmt.Errorf("vmtest-run %s: %w", name, err)
			}
			*dst = string(b)
		}
		return r, nil
	}
	return Run{}, fmt.Errorf("vmtest-run %s: not in the console", name)
}
