package daemon

import (
	"fmt"
	"strconv"
	"time"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/records"
)

// Target is everything one login of a normal session needs, taken from
// a node record.
type Target struct {
	Name          string
	Addr          string
	Port          int
	TPGT          int
	Iface         string
	InitiatorName string
	// InitiatorAlias is sent as InitiatorAlias; "" is sent as "(none)".
	InitiatorAlias string
	ISID           [6]byte
	Auth           login.Auth
	Operational    login.Text // the operational offer, from the record

	InitialCmdSN uint32
	CmdsMax      uint16
	QueueDepth   uint16
	LoginTimeout time.Duration

	// Kernel-side timeouts (seconds), set before login.
	RecoveryTmo, AbortTmo, LUResetTmo, TgtResetTmo int
	// NOP-Out interval and timeout (seconds); 0 turns NOP-Outs off.
	NoopInterval, NoopTimeout int
	FastAbort                 bool
	// ReopenMax bounds the reconnect attempts of one recovery
	// (node.session.reopen_max); 0 is no bound.
	ReopenMax int
}

// defaultISID is open-iscsi's: a random-qualifier OUI format ISID
// (type 00, OUI 02:3d) whose qualifier callers vary per session.
var defaultISID = [6]byte{0x00, 0x02, 0x3d, 0x00, 0x00, 0x01}

// TargetFromRecord reads a node record. initiator is the initiator name
// (the record's iface.initiatorname wins when set).
func TargetFromRecord(rec *records.Record, initiator string) (Target, error) {
	if n := rec.Get("iface.initiatorname"); n != "" {
		initiator = n
	}
	if initiator == "" {
		return Target{}, fmt.Errorf("no initiator name")
	}
	algs, err := login.ParseChapAlgs(rec.Get("node.session.auth.chap_algs"))
	if err != nil {
		return Target{}, err
	}
	t := Target{
		Name: rec.Get("node.name"), Addr: rec.Get("node.conn[0].address"),
		Port: rec.Int("node.conn[0].port"), TPGT: rec.Int("node.tpgt"),
		Iface: rec.Get("iface.iscsi_ifacename"), InitiatorName: initiator, ISID: defaultISID,
		Auth: login.Auth{
			Method:   rec.Get("node.session.auth.authmethod"),
			Username: rec.Get("node.session.auth.username"), Password: rec.Get("node.session.auth.password"),
			UsernameIn: rec.Get("node.session.auth.username_in"), PasswordIn: rec.Get("node.session.auth.password_in"),
			Algs: algs,
		},
		Operational:  login.Offer(rec.Get, true),
		InitialCmdSN: uint32(rec.Int("node.session.initial_cmdsn")),
		CmdsMax:      uint16(rec.Int("node.session.cmds_max")),
		QueueDepth:   uint16(rec.Int("node.session.queue_depth")),
		LoginTimeout: time.Duration(rec.Int("node.conn[0].timeo.login_timeout")) * time.Second,
		RecoveryTmo:  rec.Int("node.session.timeo.replacement_timeout"),
		AbortTmo:     rec.Int("node.session.err_timeo.abort_timeout"),
		LUResetTmo:   rec.Int("node.session.err_timeo.lu_reset_timeout"),
		TgtResetTmo:  rec.Int("node.session.err_timeo.tgt_reset_timeout"),
		NoopInterval: rec.Int("node.conn[0].timeo.noop_out_interval"),
		NoopTimeout:  rec.Int("node.conn[0].timeo.noop_out_timeout"),
		FastAbort:    rec.Get("node.session.iscsi.FastAbort") != "No",
		ReopenMax:    rec.Int("node.session.reopen_max"),
	}
	if t.Iface == "" {
		t.Iface = "default"
	}
	if t.Auth.Method == "" {
		t.Auth.Method = "None"
	}
	if t.LoginTimeout <= 0 {
		t.LoginTimeout = 15 * time.Second
	}
	if err := records.ValidateTargetName(t.Name); err != nil {
		return Target{}, err
	}
	if err := records.ValidateAddress(t.Addr); err != nil {
		return Target{}, err
	}
	if t.Port < 1 || t.Port > 65535 {
		return Target{}, fmt.Errorf("port %d out of range", t.Port)
	}
	return t, nil
}

// HostPort is the target's address as dialled.
func (t Target) HostPort() string {
	return records.Portal{Addr: t.Addr, Port: t.Port}.HostPort()
}

// portalString is "addr,port" as open-iscsi's messages show a portal.
func (t Target) portalString() string { return t.Addr + "," + strconv.Itoa(t.Port) }
