package ipc

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"testing"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// FuzzReadFrame: ReadFrame never panics, rejects a bad magic or a length
// over MaxBody, never decodes another version, consumes exactly the
// frame it accepts, and allocates in proportion to the bytes it was
// given, never MaxBody for a body that did not arrive.
func FuzzReadFrame(f *testing.F) {
	f.Add(frame(1, reqBody(Request{Op: OpLogout, SID: 3})))
	f.Add(frame(1, reqBody(Request{Op: OpLogin, Record: "node.name = iqn.x\n", NewSession: true})))
	f.Add(frame(1, repBody(Response{Code: 2, Sessions: []SessionInfo{{SID: 1, State: "NO CHANGE"}}, Stats: []byte{0, 1, 2}})))
	f.Add(frame(2, reqBody(Request{Op: OpPing})))
	f.Add(frame(1, badFieldHeader))
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

// FuzzCodecRoundTrip: every request and response decodes to what was
// encoded.
func FuzzCodecRoundTrip(f *testing.F) {
	f.Add("login", -3, "node.name = iqn.x\n", true, int64(24), "msg", []byte{1, 2}, "iqn.t", 3260)
	f.Fuzz(func(t *testing.T, op string, sid int, record string, extra bool, code int64, msg string, stats []byte, target string, port int) {
		req := Request{Op: Op(op), SID: sid, Record: record, NewSession: extra}
		var gotReq Request
		if err := gotReq.unmarshal(req.marshal()); err != nil || gotReq != req {
			t.Fatalf("request %+v came back as %+v, %v", req, gotReq, err)
		}
		rep := Response{Code: iscsierr.Code(code), Message: msg, SID: sid, Stats: stats, Role: op,
			Sessions: []SessionInfo{{SID: sid, Target: target, Port: port, State: msg}, {}}}
		var gotRep Response
		if err := gotRep.unmarshal(rep.marshal()); err != nil {
			t.Fatal(err)
		}
		if len(rep.Stats) == 0 {
			rep.Stats = nil
		}
		if !reflect.DeepEqual(gotRep, rep) {
			t.Fatalf("response %+v came back as %+v", rep, gotRep)
		}
	})
}
