package admin

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/internal/sock"
	"github.com/goiscsi/goiscsi/records"
)

// discoveryISID is the ISID of discovery sessions (qualifier 0).
var discoveryISID = [6]byte{0x00, 0x02, 0x3d, 0x00, 0x00, 0x00}

// discovered is one target portal from SendTargets.
type discovered struct {
	target string
	portal records.Portal
}

// runSendTargets logs in to a discovery session on p with the settings
// of drec, asks for every target and logs out.
func (c *cmd) runSendTargets(p records.Portal, drec *records.Record, ifaceRec *records.Record) ([]discovered, error) {
	initiator, err := records.ReadInitiatorName(c.shownPath("initiatorname.iscsi"))
	if err != nil {
		return nil, c.fail(iscsierr.Inval, "Could not read the initiator name: %v", err)
	}
	loginTimeout := time.Duration(drec.Int("discovery.sendtargets.timeo.login_timeout")) * time.Second
	if loginTimeout <= 0 {
		loginTimeout = 15 * time.Second
	}
	algs, err := login.ParseChapAlgs(drec.Get("node.session.auth.chap_algs"))
	if err != nil {
		return nil, c.fail(iscsierr.Inval, "Invalid node.session.auth.chap_algs: %v", err)
	}
	cfg := login.Config{
		InitiatorName: initiator, Discovery: true, ISID: discoveryISID, CmdSN: 1,
		Auth: login.Auth{
			Method:   drec.Get("discovery.sendtargets.auth.authmethod"),
			Username: drec.Get("discovery.sendtargets.auth.username"), Password: drec.Get("discovery.sendtargets.auth.password"),
			UsernameIn: drec.Get("discovery.sendtargets.auth.username_in"), PasswordIn: drec.Get("discovery.sendtargets.auth.password_in"),
			Algs: algs,
		},
		Operational: discoveryOffer(drec),
		Challenges:  &login.ChallengeLog{},
	}
	ctx, cancel := context.WithTimeout(c.ctx, loginTimeout+time.Duration(drec.Int("discovery.sendtargets.timeo.auth_timeout"))*time.Second)
	defer cancel()
	attempts := drec.Int("discovery.sendtargets.reopen_max") + 1
	dial := func(ctx context.Context, lp login.Portal) (*sock.Conn, error) {
		return c.dialRetry(ctx, records.Portal{Addr: lp.Addr, Port: lp.Port}, ifaceRec, loginTimeout, attempts)
	}
	conn, res, err := c.connectRetry(ctx, dial, p, cfg, attempts)
	if err != nil {
		return nil, c.discoveryLoginError(p, err)
	}
	defer conn.Close()
	active := time.Duration(drec.Int("discovery.sendtargets.timeo.active_timeout")) * time.Second
	if active <= 0 {
		active = 30 * time.Second
	}
	tctx, tcancel := context.WithTimeout(c.ctx, active)
	defer tcancel()
	targets, err := login.SendTargets(tctx, conn, res, records.ValidateTargetName, func(w string) { c.errorf("%s", w) })
	if err != nil {
		code := iscsierr.Login
		if sock.IsTimeout(err) {
			code = iscsierr.PDUTimeout
		}
		return nil, c.fail(code, "Could not perform SendTargets discovery: %v", err)
	}
	_ = login.Logout(tctx, conn, res, 0)
	return flatten(targets, p), nil
}

// dialRetry connects to p, trying reopen_max more times after a refused
// connection, as open-iscsi does; failures are reported here.
func (c *cmd) dialRetry(ctx context.Context, p records.Portal, ifaceRec *records.Record, timeout time.Duration, attempts int) (*sock.Conn, error) {
	for i := 0; ; i++ {
		conn, err := c.dialPortal(ctx, p, ifaceRec, timeout)
		if err == nil {
			return conn, nil
		}
		if sock.IsTimeout(err) {
			c.errorf("connect to %s timed out", p.HostPort())
			return nil, c.fail(iscsierr.TransTimeout, "Could not perform SendTargets discovery: %s", iscsierr.TransTimeout)
		}
		c.errorf("cannot make connection to %s: %s", p.Addr, syscallText(err))
		if i+1 >= attempts {
			c.errorf("connection login retries (reopen_max) %d exceeded", attempts-1)
			return nil, c.fail(iscsierr.Trans, "Could not perform SendTargets discovery: %s", iscsierr.Trans)
		}
		select {
		case <-ctx.Done():
			return nil, c.fail(iscsierr.Trans, "Could not perform SendTargets discovery: %v", ctx.Err())
		case <-time.After(time.Duration(i+1) * 100 * time.Millisecond):
		}
	}
}

// connectRetry logs in, trying again up to attempts times in all while
// the target answers with a target error (status class 3: a retry may
// succeed), as open-iscsi reopens a discovery session.
func (c *cmd) connectRetry(ctx context.Context, dial func(context.Context, login.Portal) (*sock.Conn, error),
	p records.Portal, cfg login.Config, attempts int) (*sock.Conn, *login.Result, error) {
	first := login.Portal{Addr: p.Addr, Port: p.Port, TPGT: p.TPGT}
	for i := 1; ; i++ {
		conn, res, _, err := login.Connect(ctx, dial, first, cfg)
		var st *login.StatusError
		if err == nil || !errors.As(err, &st) || !st.Retryable() {
			return conn, res, err
		}
		c.errorf("discovery login to %s rejected: target error (%02x/%02x)", p.Addr, st.Class, st.Detail)
		if i >= attempts {
			c.errorf("connection login retries (reopen_max) %d exceeded", attempts-1)
			return nil, nil, err
		}
		select {
		case <-ctx.Done():
			return nil, nil, err
		case <-time.After(time.Duration(i) * 100 * time.Millisecond):
		}
	}
}

// discoveryOffer is the operational offer of a discovery session.
func discoveryOffer(drec *records.Record) login.Text {
	mrdsl := drec.Get("discovery.sendtargets.iscsi.MaxRecvDataSegmentLength")
	return login.Text{
		{Key: "HeaderDigest", Value: "None"}, {Key: "DataDigest", Value: "None"},
		{Key: "DefaultTime2Wait", Value: "2"}, {Key: "DefaultTime2Retain", Value: "0"},
		{Key: "IFMarker", Value: "No"}, {Key: "OFMarker", Value: "No"},
		{Key: "ErrorRecoveryLevel", Value: "0"}, {Key: "MaxRecvDataSegmentLength", Value: mrdsl},
	}
}

// flatten turns SendTargets entries into target portals; a target with
// no address is reached at the discovery portal, as RFC 7143 says.
func flatten(targets []login.Target, via records.Portal) []discovered {
	var out []discovered
	for _, t := range targets {
		if len(t.Portals) == 0 {
			t.Portals = []login.Portal{{Addr: via.Addr, Port: via.Port, TPGT: 1}}
		}
		for _, p := range t.Portals {
			if records.ValidateAddress(p.Addr) != nil {
				continue
			}
			out = append(out, discovered{t.Name, records.Portal{Addr: p.Addr, Port: p.Port, TPGT: p.TPGT, HasPort: true}})
		}
	}
	return out
}

// dialPortal connects to p, bound to the iface's address or netdev.
func (c *cmd) dialPortal(ctx context.Context, p records.Portal, iface *records.Record, timeout time.Duration) (*sock.Conn, error) {
	d := sock.Dialer{Device: iface.Get("iface.net_ifacename")}
	if ip, err := netip.ParseAddr(iface.Get("iface.ipaddress")); err == nil {
		d.Local = ip
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return d.Dial(ctx, p.HostPort())
}

// syscallText is the strerror text of a connect failure.
func syscallText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errnoText(errno)
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	return err.Error()
}

// errnoText capitalises Go's errno text as C's strerror does.
func errnoText(e syscall.Errno) string {
	s := e.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// discoveryLoginError reports a failed discovery login as open-iscsi does.
func (c *cmd) discoveryLoginError(p records.Portal, err error) error {
	var reported *iscsierr.Error
	if errors.As(err, &reported) {
		return reported // a connection failure, already reported
	}
	var st *login.StatusError
	var ae *login.AuthError
	switch {
	case errors.As(err, &st) && st.Code() == iscsierr.LoginAuthFailed:
		c.errorf("discovery login to %s rejected: initiator failed authorization", p.Addr)
		return c.fail(iscsierr.LoginAuthFailed, "Could not perform SendTargets discovery: %s", iscsierr.LoginAuthFailed)
	case errors.As(err, &st) && st.Retryable():
		return c.fail(st.Code(), "Could not perform SendTargets discovery: %s", st.Code())
	case errors.As(err, &st):
		c.errorf("discovery login to %s rejected: initiator error (%02x/%02x), non-retryable, giving up", p.Addr, st.Class, st.Detail)
		return c.fail(st.Code(), "Could not perform SendTargets discovery: %s", st.Code())
	case errors.As(err, &ae):
		// open-iscsi gives up on a failure of its own CHAP checks with
		// ISCSI_ERR_FATAL_LOGIN, not with the code of a target's refusal.
		c.errorf("discovery login to %s failed: %v", p.Addr, ae)
		return c.fail(ae.Code(), "Could not perform SendTargets discovery: %s", ae.Code())
	case sock.IsTimeout(err):
		return c.fail(iscsierr.TransTimeout, "Could not perform SendTargets discovery: %s", iscsierr.TransTimeout)
	}
	c.errorf("discovery login to %s failed: %v", p.Addr, err)
	return c.fail(iscsierr.Login, "Could not perform SendTargets discovery: %s", iscsierr.Login)
}
