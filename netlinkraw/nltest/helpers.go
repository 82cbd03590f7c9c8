package nltest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/goiscsi/goiscsi/netlinkraw"
	"golang.org/x/sys/unix"
)

// IfError returns the error a Handler returns to fail a request the
// way the kernel does: an ISCSI_KEVENT_IF_ERROR reply with iferror =
// -errno, which Call returns as a *netlinkraw.IfError.
func IfError(errno unix.Errno) error { return &netlinkraw.IfError{Errno: errno} }

// Reply returns the kernel's successful reply to req before it fills
// r: the request uevent without its payload.
func Reply(req netlinkraw.Uevent) netlinkraw.Uevent {
	req.Payload = nil
	req.Reply = netlinkraw.Reply{}
	return req
}

// Retcode returns a reply to req whose r.retcode is -errno: how the
// transport (rather than scsi_transport_iscsi) refuses BIND_CONN,
// START_CONN, SEND_PDU and others.
func Retcode(req netlinkraw.Uevent, errno unix.Errno) netlinkraw.Uevent {
	r := Reply(req)
	r.Reply.Retcode = -int32(errno)
	return r
}

// CheckRequest reports, through t, whether got encodes to the same
// bytes as want: fields the request type does not carry are ignored.
func CheckRequest(t testing.TB, got, want netlinkraw.Uevent) bool {
	t.Helper()
	g, gerr := got.MarshalBinary()
	w, werr := want.MarshalBinary()
	if gerr != nil || werr != nil {
		t.Errorf("CheckRequest: marshal: got %v, want %v", gerr, werr)
		return false
	}
	if !bytes.Equal(g, w) {
		t.Errorf("request = %s, want %s", Describe(got), Describe(want))
		return false
	}
	return true
}

// Describe renders a uevent for test failures.
func Describe(u netlinkraw.Uevent) string {
	return fmt.Sprintf("%v{handle %#x iferror %d u %+v r %+v payload %q}",
		u.Type, u.TransportHandle, u.IfError, u.Request, u.Reply, u.Payload)
}
