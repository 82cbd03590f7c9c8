package daemon

import (
	"strconv"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/netlinkraw"
)

// param is one SET_PARAM of a login: the kernel parameter and its value.
type param struct {
	p     netlinkraw.Param
	value string
}

func yesNo(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// preLoginParams are set after BIND_CONN and before the login, in
// open-iscsi's order: the session's identity, its timeouts and, with
// CHAP, the credentials (the kernel shows them in sysfs to root only).
func preLoginParams(t Target) []param {
	ps := []param{
		{netlinkraw.ParamTargetName, t.Name},
		{netlinkraw.ParamPersistentAddress, t.Addr},
		{netlinkraw.ParamPersistentPort, strconv.Itoa(t.Port)},
		{netlinkraw.ParamSessRecoveryTmo, strconv.Itoa(t.RecoveryTmo)},
	}
	if t.Auth.Method == "CHAP" {
		ps = append(ps,
			param{netlinkraw.ParamUsername, t.Auth.Username},
			param{netlinkraw.ParamUsernameIn, t.Auth.UsernameIn},
			param{netlinkraw.ParamPassword, t.Auth.Password},
			param{netlinkraw.ParamPasswordIn, t.Auth.PasswordIn})
	}
	return append(ps,
		param{netlinkraw.ParamFastAbort, yesNo(t.FastAbort)},
		param{netlinkraw.ParamAbortTmo, strconv.Itoa(t.AbortTmo)},
		param{netlinkraw.ParamLUResetTmo, strconv.Itoa(t.LUResetTmo)},
		param{netlinkraw.ParamTgtResetTmo, strconv.Itoa(t.TgtResetTmo)},
		param{netlinkraw.ParamPingTmo, strconv.Itoa(t.NoopTimeout)},
		param{netlinkraw.ParamRecvTmo, strconv.Itoa(t.NoopInterval)},
		param{netlinkraw.ParamIfaceName, t.Iface},
		param{netlinkraw.ParamInitiatorName, t.InitiatorName},
		param{netlinkraw.ParamDiscoverySess, "0"},
	)
}

// postLoginParams are the negotiated values the data path needs, set
// before START_CONN, in open-iscsi's order.
func postLoginParams(res *login.Result) []param {
	p := res.Params
	u := func(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
	return []param{
		{netlinkraw.ParamMaxRecvDLength, u(p.MaxRecvDataSegmentLength)},
		{netlinkraw.ParamMaxXmitDLength, u(p.MaxXmitDataSegmentLength)},
		{netlinkraw.ParamHdrDgstEn, yesNo(p.HeaderDigest)},
		{netlinkraw.ParamDataDgstEn, yesNo(p.DataDigest)},
		{netlinkraw.ParamInitialR2TEn, yesNo(p.InitialR2T)},
		{netlinkraw.ParamMaxR2T, u(p.MaxOutstandingR2T)},
		{netlinkraw.ParamImmDataEn, yesNo(p.ImmediateData)},
		{netlinkraw.ParamFirstBurst, u(p.FirstBurstLength)},
		{netlinkraw.ParamMaxBurst, u(p.MaxBurstLength)},
		{netlinkraw.ParamPDUInorderEn, yesNo(p.DataPDUInOrder)},
		{netlinkraw.ParamDataSeqInorderEn, yesNo(p.DataSequenceInOrder)},
		{netlinkraw.ParamERL, u(p.ErrorRecoveryLevel)},
		{netlinkraw.ParamExpStatSN, u(res.StatSN + 1)},
		{netlinkraw.ParamTPGT, strconv.Itoa(p.TargetPortalGroupTag)},
	}
}
