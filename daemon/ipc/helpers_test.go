package ipc

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"net"
	"strings"
	"testing"
	"time"
)

// sockName returns an abstract socket name no other test uses.
func sockName(t *testing.T) string {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	name := strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	if len(name) > 60 {
		name = name[:60]
	}
	return "goiscsi-test/" + name + "-" + hex.EncodeToString(b[:])
}

// served is a Server running on its own socket.
type served struct {
	name   string
	cancel context.CancelFunc
	done   chan error
}

// startServer runs s on a fresh socket until the test ends (or cancel).
func startServer(t *testing.T, s *Server) *served {
	t.Helper()
	if s.Logf == nil {
		s.Logf = t.Logf
	}
	name := sockName(t)
	ln, err := Listen(name)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sv := &served{name: name, cancel: cancel, done: make(chan error, 1)}
	go func() { sv.done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-sv.done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
			sv.done <- err
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return")
		}
	})
	return sv
}

// echo answers every request with its SID plus one.
func echo(_ context.Context, req *Request) *Response {
	return &Response{SID: req.SID + 1, Message: string(req.Op)}
}

// callT is Call with a test timeout.
func callT(t *testing.T, name string, req *Request) (*Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Call(ctx, name, req)
}

// header returns a frame header.
func header(version uint16, length uint32) []byte {
	h := make([]byte, headerLen)
	copy(h, magic)
	binary.BigEndian.PutUint16(h[4:6], version)
	binary.BigEndian.PutUint32(h[8:12], length)
	return h
}

// reqBody and repBody are the encoded bodies of a request and a response.
func reqBody(r Request) string  { return string(r.marshal()) }
func repBody(r Response) string { return string(r.marshal()) }

// Malformed bodies: a field header cut short, and a sid that is not
// eight bytes.
const (
	badFieldHeader = "\x01\x00\x00"
	badFieldSize   = "\x02\x00\x00\x00\x03abc"
)

// frame returns a frame with the given version and raw body.
func frame(version uint16, body string) []byte {
	return append(header(version, uint32(len(body))), body...)
}

// rawExchange sends raw bytes to the server, half-closes, and reads the
// answer if there is one.
func rawExchange(t *testing.T, name string, raw []byte) (*Response, error) {
	t.Helper()
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: "@" + name, Net: "unix"})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(raw); err != nil {
		t.Fatalf("write: %v", err)
	}
	conn.CloseWrite()
	var resp Response
	if _, err := ReadFrame(conn, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}
