package ipc

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/internal/sock"
)

// Call sends req to the iscsid listening on "@"+name and returns its
// response. ctx bounds the whole exchange: its deadline becomes the
// connection's, and cancelling it closes the connection.
//
// A non-zero Response.Code is not an error of Call (see Response.Err).
// Errors are *iscsierr.Error values: ISCSIDNotConn when iscsid cannot be
// reached (the dial error, with its syscall.Errno, stays reachable with
// errors.As), ReqTimedOut when ctx ended the exchange (errors.Is with
// ctx's error holds), ISCSIDCommErr otherwise, including a response of
// another version (errors.As finds the *VersionError).
func Call(ctx context.Context, name string, req *Request) (*Response, error) {
	if err := checkName(name); err != nil {
		return nil, &iscsierr.Error{Code: iscsierr.ISCSIDNotConn, Err: err}
	}
	conn, err := sock.DialUnix(ctx, "@"+name)
	if err != nil {
		return nil, commError(ctx, iscsierr.ISCSIDNotConn, "connect to iscsid", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return nil, commError(ctx, iscsierr.ISCSIDCommErr, "iscsid request", err)
		}
	}
	if err := WriteFrame(conn, req); err != nil {
		return nil, commError(ctx, iscsierr.ISCSIDCommErr, "send request to iscsid", err)
	}
	var resp Response
	if _, err := ReadFrame(conn, &resp); err != nil {
		return nil, commError(ctx, iscsierr.ISCSIDCommErr, "read response from iscsid", err)
	}
	return &resp, nil
}

// commError wraps err with code, or with ReqTimedOut and ctx's error
// when ctx ended the exchange. The connection's deadline is ctx's, so an
// I/O timeout means ctx is about to be done: wait for it.
func commError(ctx context.Context, code iscsierr.Code, op string, err error) error {
	if _, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) {
		<-ctx.Done()
	}
	if ctxErr := context.Cause(ctx); ctxErr != nil {
		if !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
		if code == iscsierr.ISCSIDCommErr {
			code = iscsierr.ReqTimedOut
		}
	}
	return &iscsierr.Error{Code: code, Op: op, Err: err}
}
