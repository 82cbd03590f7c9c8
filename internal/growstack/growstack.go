// Package growstack grows a goroutine's stack in one step.
//
// A goroutine starts with a small stack, which the runtime copies to one
// twice the size whenever a call needs more. Each copy walks every frame
// on the stack and reads each function's stack maps and pc tables, and
// those are spread over the whole binary. For a short-lived process
// started from tmpfs, such as iscsistart in an initramfs, the reads are
// page faults, and the kernel maps up to 64 kB of the binary around each
// one (fault-around): the copies of one login's stacks made much of
// goiscsi's 1.4 MB of pc tables resident. A goroutine whose stack is
// grown once, while it is shallow, copies only a frame or two and then
// has room for the rest of its work. The part of the larger stack it
// never uses is never touched and costs no memory. (The garbage
// collector may shrink the stack again, which a short process never
// sees.)
package growstack

// Grow grows the calling goroutine's stack to at least 64 kB. Call it
// first thing in a goroutine, when its stack is shallowest.
func Grow() { grow(0) }

// grow's frame is big enough that its prologue grows the stack; n is
// always 0, so the array is neither cleared nor used.
//
//go:noinline
func grow(n int) byte {
	if n > 0 {
		var frame [60 << 10]byte
		frame[n%len(frame)] = 1
		return frame[n/2]
	}
	return 0
}
