package growstack

import (
	"runtime/debug"
	"testing"
	"unsafe"
)

// deep uses about n kB of stack.
//
//go:noinline
func deep(n int) byte {
	var b [1 << 10]byte
	b[n%len(b)] = byte(n)
	if n <= 1 {
		return b[0]
	}
	return deep(n-1) + b[n%7]
}

// moved reports whether a call needing 40 kB of stack, made from a new
// goroutine after grow, copied the goroutine's stack.
func moved(grow func()) bool {
	done := make(chan bool)
	go func() {
		grow()
		var x byte
		before := uintptr(unsafe.Pointer(&x))
		deep(40)
		done <- uintptr(unsafe.Pointer(&x)) != before
	}()
	return <-done
}

func TestGrow(t *testing.T) {
	// A collection could shrink the grown stack before deep runs.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	if !moved(func() {}) {
		t.Fatal("a new goroutine ran 40 kB deep without its stack being copied: the test cannot tell")
	}
	if moved(Grow) {
		t.Error("after Grow, running 40 kB deep still copied the stack")
	}
}
