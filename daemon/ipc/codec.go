package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// A frame body is a sequence of fields, each a one-byte tag, a 32-bit
// big-endian length and that many bytes of value. Strings and byte
// strings are their bytes, integers 8 bytes big-endian (two's
// complement), booleans one byte 0 or 1, and a SessionInfo a nested
// sequence of fields. Zero values are left out. A reader skips tags it
// does not know, so a newer peer may add fields within a version; a
// known tag with a value of the wrong size is an error.

// Tags of a Request.
const (
	tagReqOp         = 1
	tagReqSID        = 2
	tagReqRecord     = 3
	tagReqNewSession = 4
)

// Tags of a Response.
const (
	tagRepCode    = 1
	tagRepMessage = 2
	tagRepSID     = 3
	tagRepStats   = 4
	tagRepSession = 5 // one per session, in order
	tagRepRole    = 6
)

// Tags of a SessionInfo.
const (
	tagSesSID = iota + 1
	tagSesTarget
	tagSesAddress
	tagSesPort
	tagSesTPGT
	tagSesState
	tagSesAttempts
	tagSesConnState
	tagSesSessionState
)

// fieldHeaderLen is a field's tag and length.
const fieldHeaderLen = 5

// errField reports a malformed field.
var errField = errors.New("ipc: malformed field")

type encoder struct{ b []byte }

func (e *encoder) field(tag byte, v []byte) {
	e.b = append(e.b, tag)
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(len(v)))
	e.b = append(e.b, v...)
}

func (e *encoder) str(tag byte, s string) {
	if s != "" {
		e.field(tag, []byte(s))
	}
}

func (e *encoder) int(tag byte, n int64) {
	if n != 0 {
		e.field(tag, binary.BigEndian.AppendUint64(nil, uint64(n)))
	}
}

func (e *encoder) bool(tag byte, v bool) {
	if v {
		e.field(tag, []byte{1})
	}
}

// fields calls fn for each field of body.
func fields(body []byte, fn func(tag byte, v []byte) error) error {
	for len(body) > 0 {
		if len(body) < fieldHeaderLen {
			return fmt.Errorf("%w: %d bytes left, less than a field header", errField, len(body))
		}
		tag, n := body[0], binary.BigEndian.Uint32(body[1:5])
		if uint64(n) > uint64(len(body)-fieldHeaderLen) {
			return fmt.Errorf("%w: tag %d claims %d bytes, %d left: %w", errField, tag, n, len(body)-fieldHeaderLen, io.ErrUnexpectedEOF)
		}
		if err := fn(tag, body[fieldHeaderLen:fieldHeaderLen+n]); err != nil {
			return err
		}
		body = body[fieldHeaderLen+n:]
	}
	return nil
}

func asInt(tag byte, v []byte) (int64, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: tag %d: integer of %d bytes", errField, tag, len(v))
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

func asBool(tag byte, v []byte) (bool, error) {
	if len(v) != 1 || v[0] > 1 {
		return false, fmt.Errorf("%w: tag %d: not a boolean", errField, tag)
	}
	return v[0] == 1, nil
}

// asIntField stores an integer field into *dst, bounded to int.
func asIntField(tag byte, v []byte, dst *int) error {
	n, err := asInt(tag, v)
	if err != nil {
		return err
	}
	if int64(int(n)) != n {
		return fmt.Errorf("%w: tag %d: %d out of range", errField, tag, n)
	}
	*dst = int(n)
	return nil
}

func (r *Request) marshal() []byte {
	var e encoder
	e.str(tagReqOp, string(r.Op))
	e.int(tagReqSID, int64(r.SID))
	e.str(tagReqRecord, r.Record)
	e.bool(tagReqNewSession, r.NewSession)
	return e.b
}

func (r *Request) unmarshal(body []byte) error {
	*r = Request{}
	return fields(body, func(tag byte, v []byte) error {
		switch tag {
		case tagReqOp:
			r.Op = Op(v)
		case tagReqSID:
			return asIntField(tag, v, &r.SID)
		case tagReqRecord:
			r.Record = string(v)
		case tagReqNewSession:
			b, err := asBool(tag, v)
			r.NewSession = b
			return err
		}
		return nil
	})
}

func (r *Response) marshal() []byte {
	var e encoder
	e.int(tagRepCode, int64(r.Code))
	e.str(tagRepMessage, r.Message)
	e.int(tagRepSID, int64(r.SID))
	if len(r.Stats) > 0 {
		e.field(tagRepStats, r.Stats)
	}
	for i := range r.Sessions {
		e.field(tagRepSession, r.Sessions[i].marshal())
	}
	e.str(tagRepRole, r.Role)
	return e.b
}

func (r *Response) unmarshal(body []byte) error {
	*r = Response{}
	return fields(body, func(tag byte, v []byte) error {
		switch tag {
		case tagRepCode:
			var code int
			err := asIntField(tag, v, &code)
			r.Code = iscsierr.Code(code)
			return err
		case tagRepMessage:
			r.Message = string(v)
		case tagRepSID:
			return asIntField(tag, v, &r.SID)
		case tagRepStats:
			r.Stats = append([]byte(nil), v...)
		case tagRepSession:
			var s SessionInfo
			if err := s.unmarshal(v); err != nil {
				return err
			}
			r.Sessions = append(r.Sessions, s)
		case tagRepRole:
			r.Role = string(v)
		}
		return nil
	})
}

func (s *SessionInfo) marshal() []byte {
	var e encoder
	e.int(tagSesSID, int64(s.SID))
	e.str(tagSesTarget, s.Target)
	e.str(tagSesAddress, s.Address)
	e.int(tagSesPort, int64(s.Port))
	e.int(tagSesTPGT, int64(s.TPGT))
	e.str(tagSesState, s.State)
	e.int(tagSesAttempts, int64(s.Attempts))
	e.int(tagSesConnState, int64(s.ConnState))
	e.int(tagSesSessionState, int64(s.SessionState))
	return e.b
}

func (s *SessionInfo) unmarshal(body []byte) error {
	*s = SessionInfo{}
	ints := map[byte]*int{tagSesSID: &s.SID, tagSesPort: &s.Port, tagSesTPGT: &s.TPGT, tagSesAttempts: &s.Attempts,
		tagSesConnState: &s.ConnState, tagSesSessionState: &s.SessionState}
	return fields(body, func(tag byte, v []byte) error {
		if dst, ok := ints[tag]; ok {
			return asIntField(tag, v, dst)
		}
		switch tag {
		case tagSesTarget:
			s.Target = string(v)
		case tagSesAddress:
			s.Address = string(v)
		case tagSesState:
			s.State = string(v)
		}
		return nil
	})
}

// encodeBody is the body of a frame carrying v, a Request or a Response.
func encodeBody(v any) ([]byte, error) {
	switch m := v.(type) {
	case *Request:
		return m.marshal(), nil
	case Request:
		return m.marshal(), nil
	case *Response:
		return m.marshal(), nil
	case Response:
		return m.marshal(), nil
	}
	return nil, fmt.Errorf("ipc: cannot encode a %T", v)
}

// decodeBody decodes a frame body into v, a *Request or a *Response.
func decodeBody(body []byte, v any) error {
	switch m := v.(type) {
	case *Request:
		return m.unmarshal(body)
	case *Response:
		return m.unmarshal(body)
	}
	return fmt.Errorf("ipc: cannot decode into a %T", v)
}
