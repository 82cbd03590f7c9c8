package boot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/goiscsi/goiscsi/daemon"
	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/internal/buildinfo"
	"github.com/goiscsi/goiscsi/internal/getopt"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/internal/sock"
	"github.com/goiscsi/goiscsi/records"
	"github.com/goiscsi/goiscsi/sysfs"
)

// starter is one run of iscsistart.
type starter struct {
	prog           string // the name messages start with; "" is iscsistart
	stdout, stderr io.Writer
	initiator      string
	rec            *records.Record
	params         [][2]string // -P name=value, in order
	hasTPGT        bool
	chap           bool
	sys            sysfs.Root           // "" Dir: $SYSFS_PATH
	fw             []sysfs.BootEntry    // -b: the firmware's targets
	netSetup       func(nicSetup) error // -N; nil: rtnetlink
	recover        bool                 // --recover
}

func (s *starter) logf(format string, args ...any) {
	prog := s.prog
	if prog == "" {
		prog = "iscsistart"
	}
	fmt.Fprintf(s.stderr, prog+": "+format+"\n", args...)
}

// iscsistart's exit statuses: open-iscsi's iscsistart exits 7 for bad
// arguments and 1 (ISCSI_ERR) for a failed login.
const (
	exitInval = int(iscsierr.Inval)
	exitLogin = int(iscsierr.Generic)
)

func (s *starter) run(ctx context.Context, opts []getopt.Option) int {
	s.rec = records.New(records.NodeTable)
	if code, ok := s.applyOptions(opts); !ok {
		return code
	}
	if s.fw != nil {
		return s.runFirmware(ctx)
	}
	if code, ok := s.check(); !ok {
		return code
	}
	t, err := daemon.TargetFromRecord(s.rec, s.initiator)
	if err != nil {
		s.logf("%v", err)
		return exitInval
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		t.InitiatorAlias = host
	}
	fmt.Fprintf(s.stdout, "iscsistart: Logging into %s %s:%d,%d\n", t.Name, t.Addr, t.Port, t.TPGT)
	s.logf("version %s", buildinfo.Version())
	eng, closeEngine, err := daemon.NewEngine()
	if err != nil {
		s.logf("%v", err)
		s.logf("initiator reported error (%d - %s)", iscsierr.TransNotFound, iscsierr.TransNotFound)
		return exitLogin
	}
	defer closeEngine()
	code := s.login(ctx, eng, t)
	if code == 0 && s.recover {
		s.startRecovery()
	}
	return code
}

// applyOptions turns the command line into the node record.
func (s *starter) applyOptions(opts []getopt.Option) (int, bool) {
	set := map[rune]string{
		't': "node.name", 'a': "node.conn[0].address", 'p': "node.conn[0].port", 'g': "node.tpgt",
		'u': "node.session.auth.username", 'w': "node.session.auth.password",
		'U': "node.session.auth.username_in", 'W': "node.session.auth.password_in",
	}
	for _, o := range opts {
		switch o.Val {
		case 'i':
			s.initiator = o.Arg
		case 'P':
			name, value, ok := strings.Cut(o.Arg, "=")
			if !ok || value == "" {
				s.logf("Invalid --param %s. Missing value.", name)
				return exitInval, false
			}
			s.params = append(s.params, [2]string{name, value})
		case 'b':
			if code, ok := s.loadFirmware(); !ok {
				return code, false
			}
		case 'N':
			return s.setupFirmwareNICs(), false
		case 'f':
			return s.printFirmware(), false
		case optRecover:
			s.recover = true
		case 'd', 'c':
		default:
			key, ok := set[o.Val]
			if !ok {
				continue
			}
			if err := s.rec.SetFixed(key, o.Arg); err != nil {
				s.logf("invalid %s %q: %v", strings.TrimPrefix(key, "node."), o.Arg, err)
				return exitInval, false
			}
			s.hasTPGT = s.hasTPGT || o.Val == 'g'
			s.chap = s.chap || strings.ContainsRune("uwUW", o.Val)
		}
	}
	return s.applyParams()
}

// applyParams sets iscsistart's own defaults (30 initial login retries,
// NOP-Outs off), CHAP when credentials were given, then the -P values.
func (s *starter) applyParams() (int, bool) {
	defaults := [][2]string{
		{"node.session.initial_login_retry_max", "30"},
		{"node.conn[0].timeo.noop_out_interval", "0"},
		{"node.conn[0].timeo.noop_out_timeout", "0"},
	}
	if s.chap {
		defaults = append(defaults, [2]string{"node.session.auth.authmethod", "CHAP"})
	}
	for _, kv := range append(defaults, s.params...) {
		if err := s.rec.Set(kv[0], kv[1]); err != nil {
			s.logf("Invalid --param %s=%s: %v", kv[0], kv[1], err)
			return exitInval, false
		}
	}
	return 0, true
}

// check requires what open-iscsi's iscsistart requires, with its words.
func (s *starter) check() (int, bool) {
	missing := ""
	switch {
	case s.initiator == "":
		missing = "InitiatorName"
	case !s.hasTPGT:
		missing = "Portal Group"
	case s.rec.Get("node.name") == "":
		missing = "TargetName"
	case s.rec.Get("node.conn[0].address") == "":
		missing = "IP Address"
	}
	if missing != "" {
		s.logf("%s not set. Exiting iscsistart", missing)
		return exitInval, false
	}
	return 0, true
}

// login tries up to node.session.initial_login_retry_max more times
// while the failure is one a retry can cure, and leaves the session.
func (s *starter) login(ctx context.Context, eng *daemon.Engine, t daemon.Target) int {
	sess, err := s.loginSession(ctx, eng, t, s.rec.Int("node.session.initial_login_retry_max"))
	if err != nil {
		return exitLogin
	}
	sess.Close()
	return 0
}

// loginSession logs in with retries, reporting each failure, and scans
// the new session's host. Its error carries the exit code.
func (s *starter) loginSession(ctx context.Context, eng *daemon.Engine, t daemon.Target, retries int) (*daemon.Session, error) {
	for attempt := 0; ; attempt++ {
		start := time.Now()
		sess, err := eng.Login(ctx, t)
		if err == nil {
			s.logf("Connection%d:%d to [target: %s, portal: %s,%d] through [iface: %s] is operational now",
				sess.Sid, sess.Cid, t.Name, t.Addr, t.Port, t.Iface)
			if err := eng.Sys.ScanHost(int(sess.HostNo)); err != nil {
				s.logf("could not scan host%d: %v", sess.HostNo, err)
			}
			return sess, nil
		}
		code, final := s.report(t, err)
		if final || attempt >= retries || ctx.Err() != nil {
			s.logf("initiator reported error (%d - %s)", code, code)
			return nil, iscsierr.Wrap(code, "login", err)
		}
		// A refused connection fails at once: pace the retries.
		if wait := time.Second - time.Since(start); wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
	}
}

// report prints a failed login attempt the way open-iscsi does and
// returns its code and whether retrying is pointless.
func (s *starter) report(t daemon.Target, err error) (iscsierr.Code, bool) {
	var ce *daemon.ConnectError
	var st *login.StatusError
	var ae *login.AuthError
	var se *daemon.SessionError
	sid, cid := uint32(0), uint32(0)
	if errors.As(err, &se) {
		sid, cid = se.Sid, se.Cid
	}
	shutdown := func() {
		s.logf("Connection%d:%d to [target: %s, portal: %s,%d] through [iface: %s] is shutdown.",
			sid, cid, t.Name, t.Addr, t.Port, t.Iface)
	}
	switch {
	case errors.As(err, &ce):
		if sock.IsTimeout(err) {
			s.logf("connect to %s timed out", t.HostPort())
			return iscsierr.TransTimeout, false
		}
		s.logf("cannot make connection to %s: %s", t.Addr, connectText(ce.Err))
		return iscsierr.Trans, false
	case errors.As(err, &st) && st.Code() == iscsierr.LoginAuthFailed:
		s.logf("Login failed to authenticate with target %s", t.Name)
		s.logf("session %d login rejected: %s", sid, st.Text())
		shutdown()
		return iscsierr.LoginAuthFailed, true
	case errors.As(err, &st):
		s.logf("session %d login rejected: %s", sid, st.Text())
		shutdown()
		return st.Code(), !st.Retryable()
	case errors.As(err, &ae):
		s.logf("session %d: %v", sid, ae)
		shutdown()
		return ae.Code(), true
	case sock.IsTimeout(err):
		s.logf("session %d login timed out", sid)
		shutdown()
		return iscsierr.TransTimeout, false
	}
	s.logf("session %d login failed: %v", sid, err)
	if sid != 0 {
		shutdown()
	}
	return iscsierr.Login, false
}

// connectText is the strerror text of a connect failure.
func connectText(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}
