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
	Op     Op     `json:"op"`
	SID    int    `json:"sid,omitempty"`
	Record string `json:"record,omitempty"`
	// NewSession asks for an extra session even if one to the same
	// target/portal exists (iscsiadm -o new).
	NewSession bool `json:"new_session,omitempty"`
}

// Response is iscsid's answer to one Request.
type Response struct {
	Code     iscsierr.Code `json:"code"` // 0 success, else ISCSI_ERR_*
	Message  string        `json:"message,omitempty"`
	SID      int           `json:"sid,omitempty"`
	Stats    []byte        `json:"stats,omitempty"` // raw struct iscsi_stats payload from the kernel
	Sessions []SessionInfo `json:"sessions,omitempty"`
	// Role is what a ping answers: "iscsid", or "boot" for the recovery
	// process iscsistart --recover leaves, which an iscsid starting
	// later stops and takes over from.
	Role string `json:"role,omitempty"`
}

// Roles a ping answers.
const (
	RoleDaemon = "iscsid"
	RoleBoot   = "boot"
)

// SessionInfo is the daemon's view of one session.
type SessionInfo struct {
	SID     int    `json:"sid"`
	Target  string `json:"target"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	TPGT    int    `json:"tpgt"`
	// State is the daemon's internal state, e.g. "NO CHANGE", "REOPEN".
	State    string `json:"state"`
	Attempts int    `json:"attempts,omitempty"`
	// ConnState and SessionState are the states open-iscsi's iscsid
	// reports for iscsiadm -m session -P 1, by its numbers: connection
	// 0 FREE, 1 TRANSPORT WAIT, 2 IN LOGIN, 3 LOGGED IN, 4 IN LOGOUT,
	// 5 LOGOUT REQUESTED, 6 CLEANUP WAIT; session 0 NO CHANGE,
	// 1 CLEANUP, 2 REOPEN, 3 REDIRECT.
	ConnState    int `json:"conn_state"`
	SessionState int `json:"session_state"`
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
