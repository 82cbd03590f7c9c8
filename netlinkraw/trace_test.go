package netlinkraw_test

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// traceEntry is one datagram of testdata/trace.hex.
type traceEntry struct {
	id   string // p1-013: part and trace entry
	send bool   // >> user to kernel
	name string // the uevent type the trace names
	data []byte // nlmsghdr, uevent, payload
}

// loadTrace reads testdata/trace.hex, optionally one part ("p1", "p2").
// The trace is little-endian; on other hosts the test is skipped.
func loadTrace(t *testing.T, part string) []traceEntry {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the reference trace is little-endian; this host is not")
	}
	f, err := os.Open("testdata/trace.hex")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []traceEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 4 || (fields[1] != ">>" && fields[1] != "<<") {
			t.Fatalf("trace.hex: bad line %.60q", line)
		}
		b, err := hex.DecodeString(fields[3])
		if err != nil {
			t.Fatalf("trace.hex %s: %v", fields[0], err)
		}
		if part == "" || strings.HasPrefix(fields[0], part+"-") {
			out = append(out, traceEntry{id: fields[0], send: fields[1] == ">>", name: fields[2], data: b})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("trace.hex: no entries for %q", part)
	}
	return out
}
