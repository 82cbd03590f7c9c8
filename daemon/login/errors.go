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

// statusText is the login status class<<8|detail in open-iscsi's words.
func statusText(status uint16) (string, bool) {
	switch status {
	case 0x0101:
		return "Target moved temporarily", true
	case 0x0102:
		return "Target moved permanently", true
	case 0x0200:
		return "Initiator error", true
	case 0x0201:
		return "Initiator failed authentication with target", true
	case 0x0202:
		return "Initiator not authorized to access target", true
	case 0x0203:
		return "Target not found", true
	case 0x0204:
		return "Target removed", true
	case 0x0205:
		return "Unsupported version", true
	case 0x0206:
		return "Too many connections", true
	case 0x0207:
		return "Missing parameter", true
	case 0x0208:
		return "Can't include in session", true
	case 0x0209:
		return "Session type not supported", true
	case 0x020a:
		return "Session does not exist", true
	case 0x020b:
		return "Invalid request during login", true
	case 0x0300:
		return "Target error", true
	case 0x0301:
		return "Service unavailable", true
	case 0x0302:
		return "Out of resources", true
	}
	return "", false
}

// Text is the status in words, as open-iscsi prints it.
func (e *StatusError) Text() string {
	t, ok := statusText(uint16(e.Class)<<8 | uint16(e.Detail))
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
