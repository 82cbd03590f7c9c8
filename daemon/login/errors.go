package login

import (
	"fmt"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// StatusError is a login response with a non-zero status.
type StatusError struct {
	Class, Detail byte
	// TargetAddress is set for redirects (class 1).
	TargetAddress string
}

var statusText = map[uint16]string{
	0x0101: "Target moved temporarily", 0x0102: "Target moved permanently",
	0x0200: "Initiator error", 0x0201: "Initiator failed authentication with target",
	0x0202: "Initiator not authorized to access target", 0x0203: "Target not found",
	0x0204: "Target removed", 0x0205: "Unsupported version", 0x0206: "Too many connections",
	0x0207: "Missing parameter", 0x0208: "Can't include in session", 0x0209: "Session type not supported",
	0x020a: "Session does not exist", 0x020b: "Invalid request during login",
	0x0300: "Target error", 0x0301: "Service unavailable", 0x0302: "Out of resources",
}

// Text is the status in words, as open-iscsi prints it.
func (e *StatusError) Text() string {
	t, ok := statusText[uint16(e.Class)<<8|uint16(e.Detail)]
	if !ok {
		t = "unknown status"
	}
	return t
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("login rejected: %s (%02x/%02x)", e.Text(), e.Class, e.Detail)
	if e.TargetAddress != "" {
		s += fmt.Sprintf(" to %.300q", e.TargetAddress) // target-supplied: quoted
	}
	return s
}

// Code maps the status to open-iscsi's exit code: authentication and
// authorization failures are 24, other initiator errors 19 (retrying
// cannot help), target errors 5 (a retry may succeed).
func (e *StatusError) Code() iscsierr.Code {
	switch {
	case e.Class == 2 && (e.Detail == 1 || e.Detail == 2):
		return iscsierr.LoginAuthFailed
	case e.Class == 2:
		return iscsierr.FatalLogin
	case e.Class == 1:
		return iscsierr.Login
	}
	return iscsierr.Login
}

// Retryable reports whether a later login may succeed.
func (e *StatusError) Retryable() bool { return e.Class == 3 }

// AuthError is a CHAP failure found on our side: the target chose what
// we did not offer, or failed to prove itself in mutual CHAP. It never
// carries secrets.
type AuthError struct {
	Reason string
}

func (e *AuthError) Error() string { return "CHAP authentication failed: " + e.Reason }

// Code is ISCSI_ERR_FATAL_LOGIN, as open-iscsi reports a target that
// fails mutual authentication.
func (e *AuthError) Code() iscsierr.Code { return iscsierr.FatalLogin }
