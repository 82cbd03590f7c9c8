// Package iscsierr owns the exit-status contract of the iSCSI tools: the
// ISCSI_ERR_* codes that iscsiadm and iscsistart return, their messages,
// and an error type that carries a code through wrapped errors.
package iscsierr

import (
	"errors"
	"fmt"
)

// Code is an ISCSI_ERR_* value. It is the exit status of iscsiadm.
type Code int

// The codes, with the numbers open-iscsi uses.
const (
	Success             Code = 0
	Generic             Code = 1
	SessNotFound        Code = 2
	NoMem               Code = 3
	Trans               Code = 4
	Login               Code = 5
	IDBM                Code = 6
	Inval               Code = 7
	TransTimeout        Code = 8
	Internal            Code = 9
	Logout              Code = 10
	PDUTimeout          Code = 11
	TransNotFound       Code = 12
	Access              Code = 13
	TransCaps           Code = 14
	SessExists          Code = 15
	InvalidMgmtReq      Code = 16
	ISNSUnavailable     Code = 17
	ISCSIDCommErr       Code = 18
	FatalLogin          Code = 19
	ISCSIDNotConn       Code = 20
	NoObjsFound         Code = 21
	SysfsLookup         Code = 22
	HostNotFound        Code = 23
	LoginAuthFailed     Code = 24
	ISNSQuery           Code = 25
	ISNSRegFailed       Code = 26
	OpNotSupp           Code = 27
	Busy                Code = 28
	Again               Code = 29
	UnknownDiscovery    Code = 30
	ChildTerminated     Code = 31
	SessionNotConnected Code = 32
	ReqTimedOut         Code = 33
)

// MaxCode is the highest code in use.
const MaxCode = ReqTimedOut

var messages = [...]string{
	Success:             "",
	Generic:             "unknown error",
	SessNotFound:        "session not found",
	NoMem:               "no available memory",
	Trans:               "encountered connection failure",
	Login:               "encountered iSCSI login failure",
	IDBM:                "encountered iSCSI database failure",
	Inval:               "invalid parameter",
	TransTimeout:        "connection timed out",
	Internal:            "internal error",
	Logout:              "encountered iSCSI logout failure",
	PDUTimeout:          "iSCSI PDU timed out",
	TransNotFound:       "iSCSI driver not found. Please make sure it is loaded, and retry the operation",
	Access:              "daemon access denied",
	TransCaps:           "iSCSI driver does not support requested capability.",
	SessExists:          "session exists",
	InvalidMgmtReq:      "Unknown request",
	ISNSUnavailable:     "iSNS service not supported",
	ISCSIDCommErr:       "could not communicate to iscsid",
	FatalLogin:          "encountered non-retryable iSCSI login failure",
	ISCSIDNotConn:       "could not connect to iscsid",
	NoObjsFound:         "no objects found",
	SysfsLookup:         "sysfs lookup failure",
	HostNotFound:        "host not found",
	LoginAuthFailed:     "iSCSI login failed due to authorization failure",
	ISNSQuery:           "iSNS query failed",
	ISNSRegFailed:       "iSNS registration failed",
	OpNotSupp:           "operation not supported",
	Busy:                "device or resource in use",
	Again:               "operation failed but retry may succeed",
	UnknownDiscovery:    "unknown discovery type",
	ChildTerminated:     "child process terminated",
	SessionNotConnected: "target likely not connected",
	ReqTimedOut:         "iscsid request timed out",
}

// String returns open-iscsi's message for the code.
func (c Code) String() string {
	if c < 0 || int(c) >= len(messages) {
		return fmt.Sprintf("invalid error code %d", int(c))
	}
	return messages[c]
}

// Error carries a Code and the operation that failed. Message, when set,
// is the text printed for it; otherwise Err's text is used.
type Error struct {
	Code Code
	Op   string
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.Op != "" && e.Err != nil:
		return e.Op + ": " + e.Err.Error()
	case e.Op != "":
		return e.Op
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Code.String()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error with a formatted operation text and no cause.
func New(c Code, format string, args ...any) error {
	return &Error{Code: c, Op: fmt.Sprintf(format, args...)}
}

// Wrap returns err with code c attached; nil stays nil.
func Wrap(c Code, op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: c, Op: op, Err: err}
}

// CodeOf returns the code carried by err: Success for nil, the outermost
// *Error's code if there is one, Generic otherwise.
func CodeOf(err error) Code {
	if err == nil {
		return Success
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Generic
}
