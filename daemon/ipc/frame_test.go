package ipc

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

func TestWriteFrameGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFrame(&b, &Request{Op: OpLogout, SID: 3}); err != nil {
		t.Fatal(err)
	}
	want := "iSCd\x00\x01\x00\x00\x00\x00\x00\x18" +
		"\x01\x00\x00\x00\x06logout" + // op
		"\x02\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x03" // sid
	if got := b.String(); got != want {
		t.Errorf("frame = %q, want %q", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   any
		out  func() any
	}{
		{"ping", &Request{Op: OpPing}, func() any { return new(Request) }},
		{"login", &Request{Op: OpLogin, Record: "node.name = iqn.2001-04.com.example:t<&>\nnode.conn[0].address = 10.0.0.1\n", NewSession: true},
			func() any { return new(Request) }},
		{"ok", &Response{SID: 7}, func() any { return new(Response) }},
		{"error", &Response{Code: iscsierr.SessNotFound, Message: "no session 9"}, func() any { return new(Response) }},
		{"stats", &Response{Stats: []byte{0, 1, 2, 0xff}}, func() any { return new(Response) }},
		{"sessions", &Response{Sessions: []SessionInfo{
			{SID: 1, Target: "iqn.t", Address: "10.0.0.1", Port: 3260, TPGT: 1, State: "NO CHANGE"},
			{SID: 2, Target: "iqn.u", Address: "fe80::1", Port: 3261, TPGT: 2, State: "IN_RECOVERY", Attempts: 4},
		}}, func() any { return new(Response) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteFrame(&b, tt.in); err != nil {
				t.Fatal(err)
			}
			out := tt.out()
			v, err := ReadFrame(&b, out)
			if err != nil || v != Version {
				t.Fatalf("ReadFrame = %d, %v", v, err)
			}
			if !reflect.DeepEqual(out, tt.in) {
				t.Errorf("round trip: got %+v, want %+v", out, tt.in)
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes left after the frame", b.Len())
			}
		})
	}
}

func TestReadFrameErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    error // errors.Is target, or nil to only expect an error
		version uint16
	}{
		{"empty", nil, io.EOF, 0},
		{"short header", []byte("iSCd\x00\x01"), io.ErrUnexpectedEOF, 0},
		{"bad magic", frame(1, "{}")[1:], ErrBadMagic, 0},
		{"bad magic full", append([]byte("ISCD"), frame(1, "{}")[4:]...), ErrBadMagic, 0},
		{"too large", header(1, MaxBody+1), ErrTooLarge, 1},
		{"huge", header(1, 0xffffffff), ErrTooLarge, 1},
		{"truncated body", frame(1, reqBody(Request{Op: OpPing}))[:20], io.ErrUnexpectedEOF, 1},
		{"field header cut short", frame(1, badFieldHeader), nil, 1},
		{"integer of 3 bytes", frame(1, badFieldSize), nil, 1},
		{"field longer than the body", frame(1, "\x03\x00\x00\x01\x00ab"), io.ErrUnexpectedEOF, 1},
		{"not a boolean", frame(1, "\x04\x00\x00\x00\x01\x07"), nil, 1},
		{"trailing data", frame(1, reqBody(Request{Op: OpPing})+"x"), nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req Request
			v, err := ReadFrame(bytes.NewReader(tt.in), &req)
			if err == nil {
				t.Fatalf("ReadFrame succeeded: %+v", req)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if v != tt.version {
				t.Errorf("version %d, want %d", v, tt.version)
			}
		})
	}
}

func TestReadFrameMaxBody(t *testing.T) {
	body := reqBody(Request{Op: OpLogin, Record: strings.Repeat("a", MaxBody-15)})
	if len(body) != MaxBody {
		t.Fatalf("body is %d bytes", len(body))
	}
	var req Request
	if _, err := ReadFrame(bytes.NewReader(frame(1, body)), &req); err != nil {
		t.Fatalf("ReadFrame at MaxBody: %v", err)
	}
	if err := WriteFrame(io.Discard, &Request{Op: OpLogin, Record: strings.Repeat("a", MaxBody)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("WriteFrame over MaxBody: %v, want ErrTooLarge", err)
	}
}

func TestReadFrameVersion(t *testing.T) {
	// A v2 body must not be decoded as v1, and the next frame must still
	// be readable after it.
	in := append(frame(2, reqBody(Request{Op: OpPing, SID: 4})), frame(1, reqBody(Request{Op: OpStats, SID: 5}))...)
	r := bytes.NewReader(in)
	var req Request
	v, err := ReadFrame(r, &req)
	var verr *VersionError
	if !errors.As(err, &verr) || verr.Got != 2 || v != 2 {
		t.Fatalf("ReadFrame = %d, %v; want *VersionError{2}", v, err)
	}
	if want := "iscsid IPC version 2, this program speaks version 1"; err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
	if req != (Request{}) {
		t.Errorf("v2 body decoded into %+v", req)
	}
	if _, err := ReadFrame(r, &req); err != nil || req != (Request{Op: OpStats, SID: 5}) {
		t.Errorf("next frame: %+v, %v", req, err)
	}
}

func TestReadFrameUnknownFields(t *testing.T) {
	var req Request
	in := frame(1, reqBody(Request{Op: OpRescan, SID: 2})+"\x63\x00\x00\x00\x03xyz")
	if _, err := ReadFrame(bytes.NewReader(in), &req); err != nil || req != (Request{Op: OpRescan, SID: 2}) {
		t.Errorf("ReadFrame = %+v, %v", req, err)
	}
}

func TestResponseErr(t *testing.T) {
	if err := (&Response{}).Err(); err != nil {
		t.Errorf("success: %v", err)
	}
	err := (&Response{Code: iscsierr.SessNotFound, Message: "no session 4"}).Err()
	if iscsierr.CodeOf(err) != iscsierr.SessNotFound || err.Error() != "no session 4" {
		t.Errorf("Err = %v (code %d)", err, iscsierr.CodeOf(err))
	}
	if err := (&Response{Code: iscsierr.Access}).Err(); err.Error() != iscsierr.Access.String() {
		t.Errorf("Err without message = %q", err)
	}
	u := Unsupported("frobnicate")
	if u.Code != iscsierr.InvalidMgmtReq || !strings.Contains(u.Message, `"frobnicate"`) {
		t.Errorf("Unsupported = %+v", u)
	}
}
