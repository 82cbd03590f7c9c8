package daemon

import (
	"errors"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/internal/sock"
)

// ErrorCode maps a login error to open-iscsi's ISCSI_ERR_* code, and
// says whether another attempt could succeed.
func ErrorCode(err error) (code iscsierr.Code, retry bool) {
	var ce *ConnectError
	var st *login.StatusError
	var ae *login.AuthError
	var ie *iscsierr.Error
	switch {
	case err == nil:
		return iscsierr.Success, false
	case errors.As(err, &ie):
		return ie.Code, false
	case errors.As(err, &ce) && sock.IsTimeout(err):
		return iscsierr.TransTimeout, true
	case errors.As(err, &ce):
		return iscsierr.Trans, true
	case errors.As(err, &st):
		return st.Code(), st.Code() != iscsierr.LoginAuthFailed && st.Retryable()
	case errors.As(err, &ae):
		return ae.Code(), false
	case sock.IsTimeout(err):
		return iscsierr.TransTimeout, true
	}
	return iscsierr.Login, true
}
