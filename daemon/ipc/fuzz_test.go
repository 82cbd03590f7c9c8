package ipc

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
)

// FuzzReadFrame: ReadFrame never panics, rejects a bad magic or a length
// over MaxBody, never decodes another version, consumes exactly the
// frame it accepts, and allocates in proportion to the bytes it was
// given, never MaxBody for a body that did not arrive.
func FuzzReadFrame(f *testing.F) {
	f.Add(frame(1, `{"op":"logout","sid":3}`))
	f.Add(frame(1, `{"op":"login","record":"node.name = iqn.x\n","new_session":true}`))
	f.Add(frame(1, `{"code":2,"sessions":[{"sid":1,"state":"NO CHANGE"}],"stats":"AAEC"}`))
	f.Add(frame(2, `{"op":"ping"}`))
	f.Add(frame(1, `{"op":`))
	f.Add(header(1, MaxBody))
	f.Add(header(1, MaxBody+1))
	f.Add(header(0xffff, 0xffffffff))
	f.Add([]byte("iSC"))
	f.Add([]byte("garbage garbage garbage"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		r := bytes.NewReader(in)
		var resp Response
		v, err := ReadFrame(r, &resp)
		runtime.ReadMemStats(&ms)
		if alloc, limit := ms.TotalAlloc-before, min(uint64(256*len(in)+64<<10), MaxBody); alloc > limit {
			t.Errorf("ReadFrame of %d bytes allocated %d bytes", len(in), alloc)
		}
		if len(in) >= headerLen {
			n := uint32(in[8])<<24 | uint32(in[9])<<16 | uint32(in[10])<<8 | uint32(in[11])
			switch {
			case string(in[:4]) != magic:
				if !errors.Is(err, ErrBadMagic) {
					t.Fatalf("bad magic accepted: %v", err)
				}
			case n > MaxBody:
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("length %d accepted: %v", n, err)
				}
			case v != Version:
				var verr *VersionError
				if !errors.As(err, &verr) || verr.Got != v {
					t.Fatalf("version %d: %v", v, err)
				}
			}
		}
		if err != nil {
			return
		}
		if used := len(in) - r.Len(); used != headerLen+int(uint32(in[8])<<24|uint32(in[9])<<16|uint32(in[10])<<8|uint32(in[11])) {
			t.Fatalf("consumed %d bytes of a frame", used)
		}
		var b bytes.Buffer
		if err := WriteFrame(&b, &resp); err != nil {
			t.Fatalf("WriteFrame of a read response: %v", err)
		}
	})
}
