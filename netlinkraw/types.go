package netlinkraw

import "fmt"

// UeventType is the type field of struct iscsi_uevent (enum
// iscsi_uevent_e): a request from user space (ISCSI_UEVENT_*, 11 on)
// or an event from the kernel (ISCSI_KEVENT_*, 101 on). Requests travel
// with nlmsg_type equal to their type, so they fit in 16 bits.
type UeventType uint32

// Bases of the two ranges.
const (
	UeventBase UeventType = 10
	KeventBase UeventType = 100
)

// Requests, user space to kernel (kernel 6.1 numbers).
const (
	UeventUnknown                       UeventType = 0
	UeventCreateSession                 UeventType = 11
	UeventDestroySession                UeventType = 12
	UeventCreateConn                    UeventType = 13
	UeventDestroyConn                   UeventType = 14
	UeventBindConn                      UeventType = 15
	UeventSetParam                      UeventType = 16
	UeventStartConn                     UeventType = 17
	UeventStopConn                      UeventType = 18
	UeventSendPDU                       UeventType = 19
	UeventGetStats                      UeventType = 20
	UeventGetParam                      UeventType = 21
	UeventTransportEPConnect            UeventType = 22
	UeventTransportEPPoll               UeventType = 23
	UeventTransportEPDisconnect         UeventType = 24
	UeventTgtDscvr                      UeventType = 25
	UeventSetHostParam                  UeventType = 26
	UeventUnbindSession                 UeventType = 27
	UeventCreateBoundSession            UeventType = 28
	UeventTransportEPConnectThroughHost UeventType = 29
	UeventPathUpdate                    UeventType = 30
	UeventSetIfaceParams                UeventType = 31
	UeventPing                          UeventType = 32
	UeventGetChap                       UeventType = 33
	UeventDeleteChap                    UeventType = 34
	UeventSetFlashnodeParams            UeventType = 35
	UeventNewFlashnode                  UeventType = 36
	UeventDelFlashnode                  UeventType = 37
	UeventLoginFlashnode                UeventType = 38
	UeventLogoutFlashnode               UeventType = 39
	UeventLogoutFlashnodeSid            UeventType = 40
	UeventSetChap                       UeventType = 41
	UeventGetHostStats                  UeventType = 42
	UeventDestroySessionAsync           UeventType = 43
)

// Events, kernel to user space.
const (
	KeventRecvPDU        UeventType = 101
	KeventConnError      UeventType = 102
	KeventIfError        UeventType = 103
	KeventDestroySession UeventType = 104
	KeventUnbindSession  UeventType = 105
	KeventCreateSession  UeventType = 106
	KeventPathReq        UeventType = 107
	KeventIfDown         UeventType = 108
	KeventConnLoginState UeventType = 109
	KeventHostEvent      UeventType = 110
	KeventPingComp       UeventType = 111
)

// IsKernelEvent reports whether t is in the ISCSI_KEVENT_* range.
func (t UeventType) IsKernelEvent() bool { return t > KeventBase }

// IsRequest reports whether t is a known ISCSI_UEVENT_* request.
func (t UeventType) IsRequest() bool {
	return t >= UeventCreateSession && t <= UeventDestroySessionAsync
}

// String returns the kernel's name, "ISCSI_UEVENT_CREATE_SESSION", or
// "UeventType(n)" for numbers it does not know.
func (t UeventType) String() string {
	requests := [...]string{
		"CREATE_SESSION", "DESTROY_SESSION", "CREATE_CONN", "DESTROY_CONN",
		"BIND_CONN", "SET_PARAM", "START_CONN", "STOP_CONN", "SEND_PDU",
		"GET_STATS", "GET_PARAM", "TRANSPORT_EP_CONNECT",
		"TRANSPORT_EP_POLL", "TRANSPORT_EP_DISCONNECT", "TGT_DSCVR",
		"SET_HOST_PARAM", "UNBIND_SESSION", "CREATE_BOUND_SESSION",
		"TRANSPORT_EP_CONNECT_THROUGH_HOST", "PATH_UPDATE",
		"SET_IFACE_PARAMS", "PING", "GET_CHAP", "DELETE_CHAP",
		"SET_FLASHNODE_PARAMS", "NEW_FLASHNODE", "DEL_FLASHNODE",
		"LOGIN_FLASHNODE", "LOGOUT_FLASHNODE", "LOGOUT_FLASHNODE_SID",
		"SET_CHAP", "GET_HOST_STATS", "DESTROY_SESSION_ASYNC",
	}
	events := [...]string{
		"RECV_PDU", "CONN_ERROR", "IF_ERROR", "DESTROY_SESSION",
		"UNBIND_SESSION", "CREATE_SESSION", "PATH_REQ", "IF_DOWN",
		"CONN_LOGIN_STATE", "HOST_EVENT", "PING_COMP",
	}
	switch {
	case t == UeventUnknown:
		return "ISCSI_UEVENT_UNKNOWN"
	case t > UeventBase && int(t-UeventBase) <= len(requests):
		return "ISCSI_UEVENT_" + requests[t-UeventBase-1]
	case t > KeventBase && int(t-KeventBase) <= len(events):
		return "ISCSI_KEVENT_" + events[t-KeventBase-1]
	}
	return fmt.Sprintf("UeventType(%d)", uint32(t))
}
