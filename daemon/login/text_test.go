package login

import (
	"runtime"
	"testing"
)

// TestParseTextPaddingCostsNothing: NUL padding, which yields no pairs,
// does not size the result (a SendTargets answer may be megabytes).
func TestParseTextPaddingCostsNothing(t *testing.T) {
	data := make([]byte, 1<<20)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := parseText(data, true, len(data))
	runtime.ReadMemStats(&after)
	if err != nil || len(got) != 0 {
		t.Fatalf("parseText(1 MB of NULs) = %d pairs, %v; want none", len(got), err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("parseText(1 MB of NULs) allocated %d bytes", n)
	}
}
