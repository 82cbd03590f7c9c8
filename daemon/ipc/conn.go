package ipc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// serveConn answers the one request on conn and closes it. serveCtx is
// Serve's context: a request read after it is done is refused, since
// the daemon behind the handler is shutting down.
func (s *Server) serveConn(serveCtx context.Context, conn Conn) {
	defer conn.Close()
	resp := s.answer(serveCtx, conn)
	if resp == nil {
		return
	}
	if err := conn.SetWriteDeadline(time.Now().Add(s.readTimeout())); err != nil {
		s.logf("iscsid: set write deadline: %v", err)
	}
	if err := WriteFrame(conn, resp); err != nil {
		s.logf("iscsid: answer request: %v", err)
	}
}

// answer reads the request on conn and returns the response to send, or
// nil when the connection is to be dropped without one.
func (s *Server) answer(serveCtx context.Context, conn Conn) *Response {
	if err := conn.SetReadDeadline(time.Now().Add(s.readTimeout())); err != nil {
		s.logf("iscsid: set read deadline: %v", err)
		return nil
	}
	uid, err := peerUID(conn)
	if err != nil {
		s.logf("iscsid: %v", err)
		discardRequest(conn)
		return &Response{Code: iscsierr.Access, Message: "iscsid: permission denied: cannot identify the peer"}
	}
	if !s.allowed(uid) {
		s.logf("iscsid: refused request from uid %d", uid)
		discardRequest(conn)
		return &Response{
			Code:    iscsierr.Access,
			Message: fmt.Sprintf("iscsid: permission denied: uid %d; only root may use iscsid", uid),
		}
	}
	var req Request
	if _, err := ReadFrame(conn, &req); err != nil {
		return s.badRequest(err)
	}
	if serveCtx.Err() != nil {
		return &Response{Code: iscsierr.ISCSIDNotConn, Message: "iscsid: shutting down"}
	}
	return s.call(context.WithoutCancel(serveCtx), &req)
}

// discardRequest reads and drops the request of a refused peer, so that
// closing the connection does not reset it before the peer has read the
// answer.
func discardRequest(conn Conn) {
	_, _ = ReadFrame(conn, nil)
}

// badRequest turns a failure to read a request into the answer to it.
func (s *Server) badRequest(err error) *Response {
	var verr *VersionError
	switch {
	case errors.As(err, &verr):
		s.logf("iscsid: %v", err)
		return &Response{
			Code:    iscsierr.InvalidMgmtReq,
			Message: fmt.Sprintf("iscsid speaks IPC version %d, request had version %d", Version, verr.Got),
		}
	case errors.Is(err, os.ErrDeadlineExceeded):
		s.logf("iscsid: dropped a client that sent no request in %v", s.readTimeout())
		return &Response{
			Code:    iscsierr.ReqTimedOut,
			Message: fmt.Sprintf("iscsid: no request received within %v", s.readTimeout()),
		}
	}
	s.logf("iscsid: malformed request: %v", err)
	return &Response{Code: iscsierr.InvalidMgmtReq, Message: fmt.Sprintf("iscsid: malformed request: %v", err)}
}

// call runs the handler, turning a panic or a nil response into an
// internal error.
func (s *Server) call(ctx context.Context, req *Request) (resp *Response) {
	defer func() {
		if r := recover(); r != nil {
			s.logf("iscsid: panic handling %q request: %v\n%s", req.Op, r, debug.Stack())
			resp = &Response{
				Code:    iscsierr.Internal,
				Message: fmt.Sprintf("iscsid: internal error handling %q request", req.Op),
			}
		}
	}()
	resp = s.Handler(ctx, req)
	if resp == nil {
		s.logf("iscsid: no response to %q request", req.Op)
		return &Response{
			Code:    iscsierr.Internal,
			Message: fmt.Sprintf("iscsid: no response to %q request", req.Op),
		}
	}
	return resp
}
