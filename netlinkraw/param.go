package netlinkraw

import "fmt"

// Param is enum iscsi_param: what a SET_PARAM request sets.
type Param uint32

// The parameters, in the kernel's order (kernel 6.1).
const (
	ParamMaxRecvDLength Param = iota
	ParamMaxXmitDLength
	ParamHdrDgstEn
	ParamDataDgstEn
	ParamInitialR2TEn
	ParamMaxR2T
	ParamImmDataEn
	ParamFirstBurst
	ParamMaxBurst
	ParamPDUInorderEn
	ParamDataSeqInorderEn
	ParamERL
	ParamIFMarkerEn
	ParamOFMarkerEn
	ParamExpStatSN
	ParamTargetName
	ParamTPGT
	ParamPersistentAddress
	ParamPersistentPort
	ParamSessRecoveryTmo
	ParamConnPort
	ParamConnAddress
	ParamUsername
	ParamUsernameIn
	ParamPassword
	ParamPasswordIn
	ParamFastAbort
	ParamAbortTmo
	ParamLUResetTmo
	ParamHostResetTmo
	ParamPingTmo
	ParamRecvTmo
	ParamIfaceName
	ParamISID
	ParamInitiatorName
	ParamTgtResetTmo
	ParamTargetAlias
	ParamChapInIdx
	ParamChapOutIdx
	ParamBootRoot
	ParamBootNIC
	ParamBootTarget
	ParamAutoSndTgtDisable
	ParamDiscoverySess
	ParamPortalType
	ParamChapAuthEn
	ParamDiscoveryLogoutEn
	ParamBidiChapEn
	ParamDiscoveryAuthOptional
	ParamDefTime2Wait
	ParamDefTime2Retain
	ParamMaxSegmentSize
	ParamStatSN
	ParamKeepaliveTmo
	ParamLocalPort
	ParamTSID
	ParamDefTaskmgmtTmo
	ParamTCPTimestampStat
	ParamTCPWSFDisable
	ParamTCPNagleDisable
	ParamTCPTimerScale
	ParamTCPTimestampEn
	ParamTCPXmitWSF
	ParamTCPRecvWSF
	ParamIPFragmentDisable
	ParamIPv4TOS
	ParamIPv6TC
	ParamIPv6FlowLabel
	ParamIsFWAssignedIPv6
	ParamDiscoveryParentIdx
	ParamDiscoveryParentType
	ParamLocalIPAddr
	ParamMax // ISCSI_PARAM_MAX: one past the last
)

// String returns the kernel's name, "ISCSI_PARAM_TARGET_NAME", or
// "Param(n)" for numbers it does not know.
func (p Param) String() string {
	names := [...]string{
		"MAX_RECV_DLENGTH", "MAX_XMIT_DLENGTH", "HDRDGST_EN", "DATADGST_EN",
		"INITIAL_R2T_EN", "MAX_R2T", "IMM_DATA_EN", "FIRST_BURST", "MAX_BURST",
		"PDU_INORDER_EN", "DATASEQ_INORDER_EN", "ERL", "IFMARKER_EN",
		"OFMARKER_EN", "EXP_STATSN", "TARGET_NAME", "TPGT",
		"PERSISTENT_ADDRESS", "PERSISTENT_PORT", "SESS_RECOVERY_TMO",
		"CONN_PORT", "CONN_ADDRESS", "USERNAME", "USERNAME_IN", "PASSWORD",
		"PASSWORD_IN", "FAST_ABORT", "ABORT_TMO", "LU_RESET_TMO",
		"HOST_RESET_TMO", "PING_TMO", "RECV_TMO", "IFACE_NAME", "ISID",
		"INITIATOR_NAME", "TGT_RESET_TMO", "TARGET_ALIAS", "CHAP_IN_IDX",
		"CHAP_OUT_IDX", "BOOT_ROOT", "BOOT_NIC", "BOOT_TARGET",
		"AUTO_SND_TGT_DISABLE", "DISCOVERY_SESS", "PORTAL_TYPE",
		"CHAP_AUTH_EN", "DISCOVERY_LOGOUT_EN", "BIDI_CHAP_EN",
		"DISCOVERY_AUTH_OPTIONAL", "DEF_TIME2WAIT", "DEF_TIME2RETAIN",
		"MAX_SEGMENT_SIZE", "STATSN", "KEEPALIVE_TMO", "LOCAL_PORT", "TSID",
		"DEF_TASKMGMT_TMO", "TCP_TIMESTAMP_STAT", "TCP_WSF_DISABLE",
		"TCP_NAGLE_DISABLE", "TCP_TIMER_SCALE", "TCP_TIMESTAMP_EN",
		"TCP_XMIT_WSF", "TCP_RECV_WSF", "IP_FRAGMENT_DISABLE", "IPV4_TOS",
		"IPV6_TC", "IPV6_FLOW_LABEL", "IS_FW_ASSIGNED_IPV6",
		"DISCOVERY_PARENT_IDX", "DISCOVERY_PARENT_TYPE", "LOCAL_IPADDR",
		"MAX",
	}
	if int(p) < len(names) {
		return "ISCSI_PARAM_" + names[p]
	}
	return fmt.Sprintf("Param(%d)", uint32(p))
}

// StopFlag says why STOP_CONN stops a connection (STOP_CONN_*).
type StopFlag uint32

// The stop flags.
const (
	StopConnTerm    StopFlag = 1 // tear the connection down for good
	StopConnSuspend StopFlag = 2 // stop I/O, keep the connection
	StopConnRecover StopFlag = 3 // stop it for recovery (a relogin follows)
)

// String returns the kernel's name, "STOP_CONN_TERM", or "StopFlag(n)".
func (f StopFlag) String() string {
	switch f {
	case StopConnTerm:
		return "STOP_CONN_TERM"
	case StopConnSuspend:
		return "STOP_CONN_SUSPEND"
	case StopConnRecover:
		return "STOP_CONN_RECOVER"
	}
	return fmt.Sprintf("StopFlag(%d)", uint32(f))
}

// ConnState is the state a CONN_LOGIN_STATE event reports (enum
// iscsi_connection_state of scsi_transport_iscsi).
type ConnState uint32

// The connection states.
const (
	ConnUp ConnState = iota
	ConnDown
	ConnFailed
	ConnBound
)

// String returns the name sysfs shows, "up", or "ConnState(n)".
func (s ConnState) String() string {
	names := [...]string{"up", "down", "failed", "bound"}
	if int(s) < len(names) {
		return names[s]
	}
	return fmt.Sprintf("ConnState(%d)", uint32(s))
}

// ConnError is the code of a CONN_ERROR event (enum iscsi_err).
type ConnError uint32

// The connection error codes that recovery tells apart.
const (
	ErrBase              ConnError = 1000
	ErrConnFailed        ConnError = 1011
	ErrSessionFailed     ConnError = 1013
	ErrXmitFailed        ConnError = 1019
	ErrTCPConnClose      ConnError = 1020
	ErrScsiEHSessionRst  ConnError = 1021
	ErrNopTimedOut       ConnError = 1022
	errLastKnownConnCode ConnError = ErrNopTimedOut
)

// String returns the kernel's name, "ISCSI_ERR_CONN_FAILED", or
// "ConnError(n)".
func (e ConnError) String() string {
	names := [...]string{
		"DATASN", "DATA_OFFSET", "MAX_CMDSN", "EXP_CMDSN", "BAD_OPCODE",
		"DATALEN", "AHSLEN", "PROTO", "LUN", "BAD_ITT", "CONN_FAILED",
		"R2TSN", "SESSION_FAILED", "HDR_DGST", "DATA_DGST",
		"PARAM_NOT_FOUND", "NO_SCSI_CMD", "INVALID_HOST", "XMIT_FAILED",
		"TCP_CONN_CLOSE", "SCSI_EH_SESSION_RST", "NOP_TIMEDOUT",
	}
	switch {
	case e == 0:
		return "ISCSI_OK"
	case e > ErrBase && e <= errLastKnownConnCode:
		return "ISCSI_ERR_" + names[e-ErrBase-1]
	}
	return fmt.Sprintf("ConnError(%d)", uint32(e))
}
