package admin

import (
	"strconv"
	"strings"

	"github.com/goiscsi/goiscsi/internal/getopt"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
)

// spec is iscsiadm's command line, as open-iscsi 2.1.8 declares it.
var spec = getopt.Spec{
	Short: "RlDVhm:a:b:c:C:p:P:T:H:i:I:U:k:L:d:r:n:v:o:sSt:ux:A:W",
	Long: []getopt.LongOption{
		{Name: "mode", HasArg: getopt.RequiredArgument, Val: 'm'},
		{Name: "portal", HasArg: getopt.RequiredArgument, Val: 'p'},
		{Name: "targetname", HasArg: getopt.RequiredArgument, Val: 'T'},
		{Name: "interface", HasArg: getopt.RequiredArgument, Val: 'I'},
		{Name: "op", HasArg: getopt.RequiredArgument, Val: 'o'},
		{Name: "type", HasArg: getopt.RequiredArgument, Val: 't'},
		{Name: "name", HasArg: getopt.RequiredArgument, Val: 'n'},
		{Name: "value", HasArg: getopt.RequiredArgument, Val: 'v'},
		{Name: "host", HasArg: getopt.RequiredArgument, Val: 'H'},
		{Name: "sid", HasArg: getopt.RequiredArgument, Val: 'r'},
		{Name: "rescan", HasArg: getopt.NoArgument, Val: 'R'},
		{Name: "print", HasArg: getopt.RequiredArgument, Val: 'P'},
		{Name: "discover", HasArg: getopt.NoArgument, Val: 'D'},
		{Name: "login", HasArg: getopt.NoArgument, Val: 'l'},
		{Name: "loginall", HasArg: getopt.RequiredArgument, Val: 'L'},
		{Name: "logout", HasArg: getopt.NoArgument, Val: 'u'},
		{Name: "logoutall", HasArg: getopt.RequiredArgument, Val: 'U'},
		{Name: "stats", HasArg: getopt.NoArgument, Val: 's'},
		{Name: "killiscsid", HasArg: getopt.RequiredArgument, Val: 'k'},
		{Name: "debug", HasArg: getopt.RequiredArgument, Val: 'd'},
		{Name: "show", HasArg: getopt.NoArgument, Val: 'S'},
		{Name: "version", HasArg: getopt.NoArgument, Val: 'V'},
		{Name: "help", HasArg: getopt.NoArgument, Val: 'h'},
		{Name: "submode", HasArg: getopt.RequiredArgument, Val: 'C'},
		{Name: "ip", HasArg: getopt.RequiredArgument, Val: 'a'},
		{Name: "packetsize", HasArg: getopt.RequiredArgument, Val: 'b'},
		{Name: "count", HasArg: getopt.RequiredArgument, Val: 'c'},
		{Name: "interval", HasArg: getopt.RequiredArgument, Val: 'i'},
		{Name: "index", HasArg: getopt.RequiredArgument, Val: 'x'},
		{Name: "portal_type", HasArg: getopt.OptionalArgument, Val: 'A'},
		{Name: "no_wait", HasArg: getopt.NoArgument, Val: 'W'},
		{Name: "json", HasArg: getopt.NoArgument, Val: optJSON},
	},
}

// mode is an iscsiadm -m mode.
type mode int

const (
	modeNone mode = iota
	modeUnknown
	modeDiscovery
	modeDiscoveryDB
	modeNode
	modeSession
	modeHost
	modeIface
	modeFW
)

// modeInfo is one row of the per-mode table: the -m word, the name used
// in messages and the options the mode allows (open-iscsi's mode_paras).
type modeInfo struct {
	word, label, allowed string
}

// modeInfoOf is mode m's row.
func modeInfoOf(m mode) (modeInfo, bool) {
	switch m {
	case modeDiscovery:
		return modeInfo{"discovery", "discovery", "DSIPdmntplov"}, true
	case modeDiscoveryDB:
		return modeInfo{"discoverydb", "discovery", "DSIPdmntplov"}, true
	case modeNode:
		return modeInfo{"node", "node", "RsPIdmlSonvupTULW"}, true
	case modeSession:
		return modeInfo{"session", "session", "PiRdrmusonuSv" + string(rune(optJSON))}, true
	case modeHost:
		return modeInfo{"host", "host", "CHdmPotnvxA"}, true
	case modeIface:
		return modeInfo{"iface", "iface", "HIdnvmPoCabci"}, true
	case modeFW:
		return modeInfo{"fw", "fw", "dmlWnv"}, true
	}
	return modeInfo{}, false
}

func parseMode(s string) mode {
	for m := modeDiscovery; m <= modeFW; m++ {
		if info, _ := modeInfoOf(m); info.word == s {
			return m
		}
	}
	return modeUnknown
}

// op is a set of -o operations.
type op int

const (
	opNew op = 1 << iota
	opDelete
	opUpdate
	opShow
	opNonPersistent
	opApplyAll
)

// opWord is the -o operation word w names.
func opWord(w string) (op, bool) {
	switch w {
	case "new":
		return opNew, true
	case "delete":
		return opDelete, true
	case "update":
		return opUpdate, true
	case "show":
		return opShow, true
	case "nonpersistent":
		return opNonPersistent, true
	case "apply_all":
		return opApplyAll, true
	}
	return 0, false
}

// nameValue is one -n/-v pair of an update.
type nameValue struct {
	name, value string
	hasValue    bool
}

// options is a parsed iscsiadm command line.
type options struct {
	mode       mode
	ops        op
	printLevel int
	hasPrint   bool
	targets    []string
	portals    []string
	ifaces     []string
	discType   string
	updates    []nameValue
	showSecret bool
	login      bool
	logout     bool
	loginAll   string
	logoutAll  string
	rescan     bool
	stats      bool
	discover   bool
	sid        string
	host       string
	kill       string
	hasKill    bool
	noWait     bool
	json       bool   // --json: session listings as JSON
	used       []rune // every option character, in order, for the mode check
	badOpt     rune   // glibc's optopt of the last bad option
	sawBad     bool
}

// apply records one parsed option. It returns an error for what
// open-iscsi rejects while parsing (an unknown -o operation).
func (o *options) apply(c *cmd, opt getopt.Option) error {
	o.used = append(o.used, opt.Val)
	a := opt.Arg
	switch opt.Val {
	case '?':
		o.sawBad, o.badOpt = true, opt.Opt
	case 'm':
		o.mode = parseMode(a)
	case 'o':
		w, ok := opWord(a)
		if !ok {
			return c.fail(iscsierr.Inval, "can not recognize operation: '%s'", a)
		}
		o.ops |= w
	case 'P':
		o.printLevel, o.hasPrint = atoi(a), true
	case 'T':
		o.targets = append(o.targets, a)
	case 'p':
		o.portals = append(o.portals, a)
	case 'I':
		o.ifaces = append(o.ifaces, a)
	case 't':
		o.discType = a
	case 'n':
		o.updates = append(o.updates, nameValue{name: a})
	case 'v':
		o.addValue(a)
	case 'S':
		o.showSecret = true
	case 'l':
		o.login = true
	case 'u':
		o.logout = true
	case 'L', 'U':
		if !validStartup(a) {
			c.errorf("Invalid %s option %s.", map[rune]string{'L': "loginall", 'U': "logoutall"}[opt.Val], a)
			return c.usageHint()
		}
		if opt.Val == 'L' {
			o.loginAll = a
		} else {
			o.logoutAll = a
		}
	case 'R':
		o.rescan = true
	case 's':
		o.stats = true
	case 'D':
		o.discover = true
	case 'r':
		o.sid = a
	case 'H':
		o.host = a
	case 'k':
		o.kill, o.hasKill = a, true
	case 'W':
		o.noWait = true
	case optJSON:
		o.json = true
	}
	return nil
}

// addValue pairs -v with the last -n that has no value yet.
func (o *options) addValue(v string) {
	for i := range o.updates {
		if !o.updates[i].hasValue {
			o.updates[i].value, o.updates[i].hasValue = v, true
			return
		}
	}
	o.updates = append(o.updates, nameValue{value: v, hasValue: true})
}

// atoi converts like C's atoi: leading digits, 0 for none.
func atoi(s string) int {
	s = strings.TrimSpace(s)
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

// checkMode verifies every option against the mode's allowed set.
func (o *options) checkMode(c *cmd) error {
	info, ok := modeInfoOf(o.mode)
	if !ok {
		return nil
	}
	for _, ch := range o.used {
		if !strings.ContainsRune(info.allowed, ch) {
			if ch == optJSON {
				return c.fail(iscsierr.Inval, "%s mode: option '--json' is not allowed/supported", info.label)
			}
			return c.fail(iscsierr.Inval, "%s mode: option '-%c' is not allowed/supported", info.label, ch)
		}
	}
	return nil
}

// portalsParsed validates every -p.
func (o *options) portalsParsed(c *cmd) ([]records.Portal, error) {
	var out []records.Portal
	for _, s := range o.portals {
		p, err := records.ParsePortal(s)
		if err != nil {
			return nil, c.fail(iscsierr.Inval, "Invalid portal %s: %v", strconv.Quote(s), err)
		}
		out = append(out, p)
	}
	return out, nil
}

// targetsValidated validates every -T.
func (o *options) targetsValidated(c *cmd) error {
	for _, t := range o.targets {
		if err := records.ValidateTargetName(t); err != nil {
			return c.fail(iscsierr.Inval, "Invalid target name: %v", err)
		}
	}
	return nil
}

// ifacesValidated validates every -I.
func (o *options) ifacesValidated(c *cmd) error {
	for _, i := range o.ifaces {
		if err := records.ValidateIfaceName(i); err != nil {
			return c.fail(iscsierr.Inval, "Invalid iface name: %v", err)
		}
	}
	return nil
}

// validStartup reports whether s is a -L/-U selector.
func validStartup(s string) bool {
	switch s {
	case "all", "manual", "automatic", "onboot":
		return true
	}
	return false
}
