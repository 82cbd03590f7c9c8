package boot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goiscsi/goiscsi/records"
)

// maxNetroots bounds the netroot= parameters taken from one command line.
const maxNetroots = 32

// dracutArgs collects dracut's iSCSI parameters while the command line
// is read; apply turns them into targets.
type dracutArgs struct {
	root      string   // root=, when it is iscsi:...
	netroots  []string // netroot=iscsi:..., in order
	initiator string   // rd.iscsi.initiator
	group     string   // rd.iscsi.target.group
	user      string   // rd.iscsi.username
	pass      string   // rd.iscsi.password
	userIn    string   // rd.iscsi.in.username
	passIn    string   // rd.iscsi.in.password
}

// take records a dracut parameter; handled is false for parameters the
// caller must still see (root=) or does not belong to dracut.
func (d *dracutArgs) take(a cmdlineArg) (handled bool, err error) {
	switch a.name {
	case "root":
		if strings.HasPrefix(a.value, "iscsi:") {
			d.root = a.value
		}
		return false, nil
	case "netroot":
		if strings.HasPrefix(a.value, "iscsi:") {
			if len(d.netroots) == maxNetroots {
				return true, bad("netroot", "more than %d", maxNetroots)
			}
			d.netroots = append(d.netroots, a.value)
		}
	case "rd.iscsi.initiator":
		d.initiator = a.value
	case "rd.iscsi.target.group":
		d.group = a.value
	case "rd.iscsi.username":
		d.user = a.value
	case "rd.iscsi.password":
		d.pass = a.value
	case "rd.iscsi.in.username":
		d.userIn = a.value
	case "rd.iscsi.in.password":
		d.passIn = a.value
	default:
		return false, nil
	}
	return true, nil
}

// first returns the first non-empty value.
func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// apply sets the initiator, the rd.iscsi.* fill-ins and, when root= or
// netroot= name iSCSI targets, the targets. The legacy iscsi_* spellings
// (which initramfs-tools shares) fill in what rd.iscsi.* leaves out.
func (d *dracutArgs) apply(c *Config) error {
	c.Initiator = first(d.initiator, c.tools[keyInitiator])
	if c.Initiator != "" {
		if err := records.ValidateTargetName(c.Initiator); err != nil {
			return fmt.Errorf("initiator: %w", err)
		}
	}
	def := BootTarget{
		TPGT:       DefaultTPGT,
		Username:   first(d.user, c.tools[keyUsername]),
		Password:   first(d.pass, c.tools[keyPassword]),
		UsernameIn: first(d.userIn, c.tools[keyUsernameIn]),
		PasswordIn: first(d.passIn, c.tools[keyPasswordIn]),
	}
	if g := first(d.group, c.tools[keyTargetGroup]); g != "" {
		n, err := parseNum("rd.iscsi.target.group", "tpgt", g, 0, 65535)
		if err != nil {
			return err
		}
		def.TPGT = n
	}
	for _, cr := range [][2]string{{"rd.iscsi.username", def.Username}, {"rd.iscsi.password", def.Password},
		{"rd.iscsi.in.username", def.UsernameIn}, {"rd.iscsi.in.password", def.PasswordIn}} {
		if err := checkCredential(cr[0], cr[1]); err != nil {
			return err
		}
	}
	c.defaults = &def
	roots, param := d.netroots, "netroot"
	if d.root != "" { // root= wins over netroot=, as in dracut
		roots, param = []string{d.root}, "root"
	}
	for _, r := range roots {
		t, err := parseISCSI(param, r, true)
		if err != nil {
			return err
		}
		t = def.fill(t)
		if err := t.Validate(); err != nil {
			return fmt.Errorf("%s: %w", param, err)
		}
		c.Targets = append(c.Targets, t)
	}
	if len(c.Targets) > 0 {
		c.Source = SourceDracut
	}
	return nil
}

// fill completes t with the fill-ins of def: the TPGT and credentials
// that t's own string did not give.
func (def BootTarget) fill(t BootTarget) BootTarget {
	t.TPGT = def.TPGT
	if t.Username == "" && t.Password == "" {
		t.Username, t.Password = def.Username, def.Password
	}
	if t.UsernameIn == "" && t.PasswordIn == "" {
		t.UsernameIn, t.PasswordIn = def.UsernameIn, def.PasswordIn
	}
	return t
}

// ParseNetroot parses one dracut netroot= (or root=) iSCSI value:
//
//	iscsi:[user:pass[:ruser:rpass]@][server]:[proto]:[port][:[iface]:[netdev]]:[lun]:target
//
// the RFC 4173 root path with dracut's credentials and its optional
// iface and netdev fields. The server may be an [IPv6] address; the
// target name may contain ':'.
func ParseNetroot(s string) (BootTarget, error) {
	return parseISCSI("netroot", s, true)
}

// parseParam reads rd.iscsi.param's "name=value": a node record key
// that may be set, with a value valid for it. Errors name the key but
// never show the value.
func parseParam(v string) ([2]string, error) {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" || value == "" {
		return [2]string{}, bad("rd.iscsi.param", "want name=value")
	}
	if err := checkText("rd.iscsi.param", v, maxValue); err != nil {
		return [2]string{}, err
	}
	if err := records.New(records.NodeTable).Set(name, value); err != nil {
		var fe *records.FieldError
		if errors.As(err, &fe) {
			err = fe.Err
		}
		return [2]string{}, fmt.Errorf("rd.iscsi.param %s: %w", name, err)
	}
	return [2]string{name, value}, nil
}
