// Boot configuration: where the root disk's target comes from.
//
// The boot role learns its target from these sources, in this order of
// precedence; the first one that names a target wins and the later ones
// are not consulted for targets:
//
//  1. dracut, on the kernel command line: root=iscsi:... or, when root=
//     is not an iSCSI root, every netroot=iscsi:... in order, written
//     iscsi:[user:pass[:ruser:rpass]@]server:[proto]:[port][:[iface]:[netdev]]:[lun]:target
//     (server may be an [IPv6] address). root= wins over netroot=, as in
//     dracut. rd.iscsi.target.group, rd.iscsi.username, rd.iscsi.password,
//     rd.iscsi.in.username and rd.iscsi.in.password (or their legacy
//     iscsi_* spellings) fill in what a netroot leaves out.
//  2. initramfs-tools: iscsi_target_name=, iscsi_target_ip=,
//     iscsi_target_port=, iscsi_target_group=, iscsi_username=,
//     iscsi_password=, iscsi_in_username=, iscsi_in_password= on the
//     command line, over the same ISCSI_* keys of /etc/iscsi.initramfs
//     (ParseInitramfsConf): the command line wins key by key.
//  3. iBFT: rd.iscsi.firmware or rd.iscsi.ibft (bare or =1) sets
//     Config.Firmware; the boot firmware's targets are used when 1 and 2
//     name none.
//  4. The DHCP root path (RFC 4173, Config.UseRootPath), only when
//     nothing above names a target and Firmware is off.
//
// The initiator name is rd.iscsi.initiator=, else iscsi_initiator=, else
// the file's ISCSI_INITIATOR. rd.iscsi.param=name=value (repeatable, in
// order), ip=, root= and init= are kept whatever the source.
//
// Every name is validated before use (records.ValidateTargetName,
// records.ValidateAddress, records.ValidateIfaceName), ports are 1 to
// 65535, LUNs and TPGTs 0 to 65535, inputs are bounded in length, and no
// error or String output ever carries a credential.

package boot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goiscsi/goiscsi/records"
)

// Where Config.Targets came from.
const (
	SourceDracut         = "dracut"
	SourceInitramfsTools = "initramfs-tools"
	SourceRootPath       = "dhcp-root-path"
)

// Defaults and bounds of the boot configuration.
const (
	DefaultTPGT   = 1 // dracut and initramfs-tools log in with tpgt 1 unless told
	AnyLUN        = -1
	MaxCmdline    = 64 << 10
	MaxConfFile   = 64 << 10
	maxCredential = 256 // open-iscsi's AUTH_STR_MAX_LEN
	maxRootPath   = 2048
	maxValue      = records.MaxValue
	masked        = "********"
)

// ErrBadConfig is wrapped by every error about a malformed boot setting
// that is not already a records validation error.
var ErrBadConfig = errors.New("bad boot configuration")

// BootTarget is one target to log in to at boot.
type BootTarget struct {
	Name          string
	Addr          string
	Port          int
	TPGT          int
	LUN           int // AnyLUN: every LUN
	Iface, NetDev string
	Username      string
	Password      string
	UsernameIn    string
	PasswordIn    string
}

// NetConfig is one ip= setting.
type NetConfig struct {
	Mode     string // "dhcp", "dhcp6", "auto6", "ibft", "static", "off" or "" (not said)
	Dev      string
	Addr     string // client address (static)
	Peer     string
	Gateway  string
	Netmask  string // dotted IPv4 mask or prefix length
	Hostname string
	DNS      []string
}

// Config is the boot configuration gathered from every source.
type Config struct {
	Initiator string
	Targets   []BootTarget
	Firmware  bool        // rd.iscsi.firmware / rd.iscsi.ibft
	Params    [][2]string // rd.iscsi.param=name=value, in order
	Net       []NetConfig
	Root      string // root=, without any credentials
	Init      string // init=
	Source    string // SourceDracut, SourceInitramfsTools, SourceRootPath or ""

	defaults *BootTarget       // rd.iscsi.* fill-ins for dracut and root-path targets
	tools    map[string]string // initramfs-tools keys from the command line, as ISCSI_*
}

func bad(param, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrBadConfig, param, fmt.Sprintf(format, args...))
}

// checkText refuses what must never reach a record or a log line:
// control characters, invalid UTF-8 and overlong values.
func checkText(param, v string, limit int) error {
	if len(v) > limit {
		return bad(param, "longer than %d bytes", limit)
	}
	if !utf8.ValidString(v) {
		return bad(param, "not UTF-8")
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return bad(param, "control character %#02x", c)
		}
	}
	return nil
}

// checkCredential is checkText for secrets: the message never shows v.
func checkCredential(param, v string) error {
	if v == "" {
		return nil
	}
	return checkText(param, v, maxCredential)
}

// parseNum reads a decimal number in [lo, hi]; no signs, no spaces.
func parseNum(param, what, s string, lo, hi int) (int, error) {
	if s == "" || len(s) > 5 {
		return 0, bad(param, "bad %s %q", what, s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad(param, "bad %s %q", what, s)
		}
	}
	n, _ := strconv.Atoi(s)
	if n < lo || n > hi {
		return 0, bad(param, "%s %d out of range %d..%d", what, n, lo, hi)
	}
	return n, nil
}

// validateNetDev checks a Linux network interface name: 1 to 15 bytes,
// no "/", ":" or white space, not "." or "..".
func validateNetDev(param, dev string) error {
	if dev == "" || len(dev) > 15 || dev == "." || dev == ".." {
		return bad(param, "bad network device %q", dev)
	}
	for i := 0; i < len(dev); i++ {
		c := dev[i]
		if c <= ' ' || c >= 0x7f || c == '/' || c == ':' {
			return bad(param, "bad network device %q", dev)
		}
	}
	return nil
}

// Validate checks every field of t as the parsers do.
func (t BootTarget) Validate() error {
	if err := records.ValidateTargetName(t.Name); err != nil {
		return fmt.Errorf("target name: %w", err)
	}
	if err := records.ValidateAddress(t.Addr); err != nil {
		return fmt.Errorf("target address: %w", err)
	}
	switch {
	case t.Port < 1 || t.Port > 65535:
		return bad("target", "port %d out of range", t.Port)
	case t.TPGT < 0 || t.TPGT > 65535:
		return bad("target", "tpgt %d out of range", t.TPGT)
	case t.LUN < AnyLUN || t.LUN > 65535:
		return bad("target", "lun %d out of range", t.LUN)
	}
	if t.Iface != "" {
		if err := records.ValidateIfaceName(t.Iface); err != nil {
			return fmt.Errorf("target iface: %w", err)
		}
	}
	if t.NetDev != "" {
		if err := validateNetDev("target", t.NetDev); err != nil {
			return err
		}
	}
	for _, c := range [][2]string{{"username", t.Username}, {"password", t.Password},
		{"username_in", t.UsernameIn}, {"password_in", t.PasswordIn}} {
		if err := checkCredential(c[0], c[1]); err != nil {
			return err
		}
	}
	return nil
}

func mask(v string) string {
	if v == "" {
		return ""
	}
	return masked
}

// secretParam reports whether a record key holds a credential.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || strings.Contains(n, "username")
}

// String describes t for logs, credentials masked.
func (t BootTarget) String() string {
	host := t.Addr
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	s := fmt.Sprintf("%s %s:%d,%d", t.Name, host, t.Port, t.TPGT)
	if t.LUN == AnyLUN {
		s += " lun=any"
	} else {
		s += " lun=" + strconv.Itoa(t.LUN)
	}
	for _, kv := range [][2]string{{"iface", t.Iface}, {"netdev", t.NetDev},
		{"username", mask(t.Username)}, {"password", mask(t.Password)},
		{"username_in", mask(t.UsernameIn)}, {"password_in", mask(t.PasswordIn)}} {
		if kv[1] != "" {
			s += " " + kv[0] + "=" + kv[1]
		}
	}
	return s
}

// String describes n for logs.
func (n NetConfig) String() string {
	s := "mode=" + n.Mode
	for _, kv := range [][2]string{{"dev", n.Dev}, {"addr", n.Addr}, {"peer", n.Peer},
		{"gateway", n.Gateway}, {"netmask", n.Netmask}, {"hostname", n.Hostname},
		{"dns", strings.Join(n.DNS, ",")}} {
		if kv[1] != "" {
			s += " " + kv[0] + "=" + kv[1]
		}
	}
	return s
}

// String describes c for logs: one line per item, credentials masked.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "source=%s initiator=%s firmware=%t", c.Source, c.Initiator, c.Firmware)
	if c.Root != "" {
		fmt.Fprintf(&b, " root=%s", c.Root)
	}
	if c.Init != "" {
		fmt.Fprintf(&b, " init=%s", c.Init)
	}
	for i, t := range c.Targets {
		fmt.Fprintf(&b, "\ntarget[%d]: %s", i, t)
	}
	for _, p := range c.Params {
		v := p[1]
		if secretParam(p[0]) {
			v = mask(v)
		}
		fmt.Fprintf(&b, "\nparam %s=%s", p[0], v)
	}
	for i, n := range c.Net {
		fmt.Fprintf(&b, "\nnet[%d]: %s", i, n)
	}
	return b.String()
}
