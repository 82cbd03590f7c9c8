package netlinkraw

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestStrings(t *testing.T) {
	tests := []struct {
		in   interface{ String() string }
		want string
	}{
		{UeventUnknown, "ISCSI_UEVENT_UNKNOWN"},
		{UeventCreateSession, "ISCSI_UEVENT_CREATE_SESSION"},
		{UeventSendPDU, "ISCSI_UEVENT_SEND_PDU"},
		{UeventUnbindSession, "ISCSI_UEVENT_UNBIND_SESSION"},
		{UeventDestroySessionAsync, "ISCSI_UEVENT_DESTROY_SESSION_ASYNC"},
		{UeventType(44), "UeventType(44)"},
		{UeventType(5), "UeventType(5)"},
		{KeventRecvPDU, "ISCSI_KEVENT_RECV_PDU"},
		{KeventIfError, "ISCSI_KEVENT_IF_ERROR"},
		{KeventConnLoginState, "ISCSI_KEVENT_CONN_LOGIN_STATE"},
		{KeventPingComp, "ISCSI_KEVENT_PING_COMP"},
		{KeventBase, "UeventType(100)"},
		{UeventType(112), "UeventType(112)"},
		{ParamMaxRecvDLength, "ISCSI_PARAM_MAX_RECV_DLENGTH"},
		{ParamTargetName, "ISCSI_PARAM_TARGET_NAME"},
		{ParamFastAbort, "ISCSI_PARAM_FAST_ABORT"},
		{ParamDiscoverySess, "ISCSI_PARAM_DISCOVERY_SESS"},
		{ParamLocalIPAddr, "ISCSI_PARAM_LOCAL_IPADDR"},
		{ParamMax, "ISCSI_PARAM_MAX"},
		{ParamMax + 1, "Param(73)"},
		{StopConnTerm, "STOP_CONN_TERM"},
		{StopConnSuspend, "STOP_CONN_SUSPEND"},
		{StopConnRecover, "STOP_CONN_RECOVER"},
		{StopFlag(0), "StopFlag(0)"},
		{ConnUp, "up"},
		{ConnBound, "bound"},
		{ConnState(4), "ConnState(4)"},
		{ConnError(0), "ISCSI_OK"},
		{ConnError(1001), "ISCSI_ERR_DATASN"},
		{ErrConnFailed, "ISCSI_ERR_CONN_FAILED"},
		{ErrNopTimedOut, "ISCSI_ERR_NOP_TIMEDOUT"},
		{ConnError(1000), "ConnError(1000)"},
		{ConnError(1023), "ConnError(1023)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("String(%d) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestNumbers pins the numbers the trace and iscsi_if.h (kernel 6.1)
// give, beyond those the trace shows.
func TestNumbers(t *testing.T) {
	tests := []struct {
		name      string
		got, want uint32
	}{
		{"GET_STATS", uint32(UeventGetStats), 20},
		{"UNBIND_SESSION", uint32(UeventUnbindSession), 27},
		{"CONN_ERROR", uint32(KeventConnError), 102},
		{"KEVENT_CREATE_SESSION", uint32(KeventCreateSession), 106},
		{"CONN_LOGIN_STATE", uint32(KeventConnLoginState), 109},
		{"PARAM_SESS_RECOVERY_TMO", uint32(ParamSessRecoveryTmo), 19},
		{"PARAM_FAST_ABORT", uint32(ParamFastAbort), 26},
		{"PARAM_TGT_RESET_TMO", uint32(ParamTgtResetTmo), 35},
		{"PARAM_DISCOVERY_SESS", uint32(ParamDiscoverySess), 43},
		{"PARAM_MAX", uint32(ParamMax), 72},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestIfError(t *testing.T) {
	err := error(&IfError{Type: UeventBindConn, Errno: unix.EEXIST, Retcode: true})
	if !errors.Is(err, unix.EEXIST) {
		t.Errorf("errors.Is(%v, EEXIST) = false, want true", err)
	}
	if got := err.Error(); !strings.Contains(got, "ISCSI_UEVENT_BIND_CONN") || !strings.Contains(got, "EEXIST") {
		t.Errorf("Error() = %q, want the type and EEXIST", got)
	}
	if got := (&IfError{Type: UeventSetParam, Errno: 4000}).Error(); !strings.Contains(got, "errno 4000") {
		t.Errorf("Error() = %q, want errno 4000", got)
	}
	if got := errnoOf(-22); got != unix.EINVAL {
		t.Errorf("errnoOf(-22) = %v, want EINVAL", got)
	}
}
