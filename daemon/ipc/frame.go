package ipc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Version is the protocol version this package speaks.
const Version = 1

// MaxBody is the largest frame body accepted or sent.
const MaxBody = 1 << 20

// DefaultName is the abstract socket name iscsid listens on
// ("@goiscsi/iscsid").
const DefaultName = "goiscsi/iscsid"

// headerLen is the size of the frame header.
const headerLen = 12

// magic opens every frame.
const magic = "iSCd"

// ErrBadMagic reports a frame that does not start with "iSCd".
var ErrBadMagic = errors.New("ipc: bad frame magic")

// ErrTooLarge reports a frame body longer than MaxBody.
var ErrTooLarge = errors.New("ipc: frame body exceeds MaxBody")

// VersionError reports a frame of a version this package does not speak.
// Its body was skipped, not decoded.
type VersionError struct {
	Got uint16
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("iscsid IPC version %d, this program speaks version %d", e.Got, Version)
}

// WriteFrame encodes v (a Request or a Response) and writes it as one
// version 1 frame in a single Write.
func WriteFrame(w io.Writer, v any) error {
	body, err := encodeBody(v)
	if err != nil {
		return fmt.Errorf("ipc: encode frame: %w", err)
	}
	if len(body) > MaxBody {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(body))
	}
	buf := make([]byte, headerLen, headerLen+len(body))
	copy(buf, magic)
	binary.BigEndian.PutUint16(buf[4:6], Version)
	binary.BigEndian.PutUint32(buf[8:12], uint32(len(body)))
	buf = append(buf, body...)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("ipc: write frame: %w", err)
	}
	return nil
}

// ReadFrame reads one frame from r and decodes its body into v, a
// *Request or a *Response (a nil v discards the body). It returns the frame's version whenever the
// header was read. A frame of another version is skipped and reported as
// a *VersionError; a bad magic or a length over MaxBody is an error
// before any of the body is read. Unknown fields are ignored.
func ReadFrame(r io.Reader, v any) (version uint16, err error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, fmt.Errorf("ipc: read frame header: %w", err)
	}
	if string(h[0:4]) != magic {
		return 0, fmt.Errorf("%w %q", ErrBadMagic, h[0:4])
	}
	version = binary.BigEndian.Uint16(h[4:6])
	n := binary.BigEndian.Uint32(h[8:12])
	if n > MaxBody {
		return version, fmt.Errorf("%w: %d bytes", ErrTooLarge, n)
	}
	if version != Version {
		verr := &VersionError{Got: version}
		if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
			return version, fmt.Errorf("%w: skip body: %w", verr, err)
		}
		return version, verr
	}
	body, err := readBody(r, int64(n))
	if err != nil {
		return version, err
	}
	if v == nil {
		return version, nil
	}
	if err := decodeBody(body, v); err != nil {
		return version, fmt.Errorf("ipc: decode frame body: %w", err)
	}
	return version, nil
}

// readBody reads exactly n bytes, growing the buffer only as bytes
// arrive so that a peer announcing a large body it never sends costs
// nothing.
func readBody(r io.Reader, n int64) ([]byte, error) {
	var b bytes.Buffer
	got, err := b.ReadFrom(io.LimitReader(r, n))
	if err != nil {
		return nil, fmt.Errorf("ipc: read frame body: %w", err)
	}
	if got != n {
		return nil, fmt.Errorf("ipc: read frame body: %d of %d bytes: %w", got, n, io.ErrUnexpectedEOF)
	}
	return b.Bytes(), nil
}
