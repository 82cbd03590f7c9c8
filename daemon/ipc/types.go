package ipc

import (
	"errors"
	"fmt"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// Op names a request.
type Op string

// The requests iscsid serves.
const (
	OpPing     Op = "ping"
	OpLogin    Op = "login"    // Record: a node record in open-iscsi text form
	OpLogout   Op = "logout"   // SID
	OpStats    Op = "stats"    // SID
	OpStop     Op = "stop"     // iscsiadm -k 0: daemon shuts down, answers when done
	OpRescan   Op = "rescan"   // SID
	OpSessions Op = "sessions" // the daemon's view of its sessions
)

// Request is what iscsiadm asks of iscsid.
type Request struct {
	Op     Op
	SID    int
	Record string
	// NewSession asks for an extra session even if one to the same
	// target/portal exists (iscsiadm -o new).
	NewSession bool
}

// Response is iscsid's answer to one Request.
type Response struct {
	Code     iscsierr.Code // 0 success, else ISCSI_ERR_*
	Message  string
	SID      int
	Stats    []byte // raw struct iscsi_stats payload from the kernel
	Sessions []SessionInfo
	// Role is what a ping answers: "iscsid", or "boot" for the recovery
	// process iscsistart --recover leaves, which an iscsid starting
	// later stops and takes over from.
	Role string
}

// Roles a ping answers.
const (
	RoleDaemon = "iscsid"
	RoleBoot   = "boot"
)

// SessionInfo is the daemon's view of one session.
type SessionInfo struct {
	SID     int
	Target  string
	Address string
	Port    int
	TPGT    int
	// State is the daemon's internal state, e.g. "NO CHANGE", "REOPEN".
	State    string
	Attempts int
	// ConnState and SessionState are the states open-iscsi's iscsid
	// reports for iscsiadm -m session -P 1, by its numbers: connection
	// 0 FREE, 1 TRANSPORT WAIT, 2 IN LOGIN, 3 LOGGED IN, 4 IN LOGOUT,
	// 5 LOGOUT REQUESTED, 6 CLEANUP WAIT; session 0 NO CHANGE,
	// 1 CLEANUP, 2 REOPEN, 3 REDIRECT.
	ConnState    int
	SessionState int
}

// Err returns nil for a successful response, otherwise an
// *iscsierr.Error carrying the response's code and message.
func (r *Response) Err() error {
	if r.Code == iscsierr.Success {
		return nil
	}
	msg := r.Message
	if msg == "" {
		msg = r.Code.String()
	}
	return &iscsierr.Error{Code: r.Code, Err: errors.New(msg)}
}

// Unsupported is the answer to a request whose Op the daemon does not
// serve.
func Unsupported(op Op) *Response {
	return &Response{
		Code:    iscsierr.InvalidMgmtReq,
		Message: fmt.Sprintf("iscsid: unsupported request %q", string(op)),
	}
}
