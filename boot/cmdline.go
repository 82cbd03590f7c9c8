package boot

import (
	"fmt"
	"strings"
)

// cmdlineArg is one kernel parameter: name, value and whether it had
// an "=".
type cmdlineArg struct {
	name, value string
	hasValue    bool
}

// splitCmdline splits /proc/cmdline text as the kernel's next_arg does:
// parameters are separated by white space outside double quotes, a
// quote opening the parameter or its value is dropped with the quote
// that ends it, and "--" ends the kernel's parameters (the rest belongs
// to init).
func splitCmdline(s string) []cmdlineArg {
	var args []cmdlineArg
	for {
		s = strings.TrimLeft(s, " \t\n\r\v\f")
		if s == "" {
			return args
		}
		quoted := s[0] == '"'
		if quoted {
			s = s[1:]
		}
		inQuote, equals, i := quoted, -1, 0
		for ; i < len(s); i++ {
			c := s[i]
			if isSpace(c) && !inQuote {
				break
			}
			if equals < 0 && c == '=' {
				equals = i
			}
			if c == '"' {
				inQuote = !inQuote
			}
		}
		word := s[:i]
		s = s[i:]
		var a cmdlineArg
		if equals < 0 {
			a.name = word
			if quoted {
				a.name = strings.TrimSuffix(word, `"`)
			}
		} else {
			a.name, a.value, a.hasValue = word[:equals], word[equals+1:], true
			if strings.HasPrefix(a.value, `"`) {
				a.value = strings.TrimSuffix(a.value[1:], `"`)
			} else if quoted {
				a.value = strings.TrimSuffix(a.value, `"`)
			}
		}
		if a.name == "--" && !a.hasValue {
			return args
		}
		args = append(args, a)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// boolArg reads a dracut boolean: bare, 1, yes, true, on or 0, no,
// false, off.
func boolArg(a cmdlineArg) (bool, error) {
	if !a.hasValue {
		return true, nil
	}
	switch strings.ToLower(a.value) {
	case "1", "yes", "y", "true", "on":
		return true, nil
	case "0", "no", "n", "false", "off":
		return false, nil
	}
	return false, bad(a.name, "not a boolean: %q", a.value)
}

// ParseCmdline reads the boot configuration from the kernel command
// line (/proc/cmdline text): dracut's root=, netroot=, rd.iscsi.* and
// ip= parameters, initramfs-tools' iscsi_* parameters, init= and root=.
// See the precedence rules at the top of config.go. A command line over
// MaxCmdline bytes is refused. Unknown parameters are ignored; a known
// one with a bad value is an error naming it.
func ParseCmdline(cmdline string) (Config, error) {
	var c Config
	if len(cmdline) > MaxCmdline {
		return c, bad("cmdline", "longer than %d bytes", MaxCmdline)
	}
	var d dracutArgs
	ibft := false
	for _, a := range splitCmdline(cmdline) {
		if handled, err := d.take(a); handled {
			if err != nil {
				return c, err
			}
			continue
		}
		var err error
		switch a.name {
		case "root":
			err = checkText("root", a.value, maxRootPath)
			c.Root = stripAuth(a.value)
		case "init":
			err = checkText("init", a.value, maxValue)
			c.Init = a.value
		case "ip":
			var n NetConfig
			if n, err = ParseIPConfig(a.value); err == nil {
				c.Net = append(c.Net, n)
			}
		case "rd.iscsi.firmware", "iscsi_firmware":
			var on bool
			on, err = boolArg(a)
			c.Firmware = c.Firmware || on
		case "rd.iscsi.ibft":
			ibft, err = boolArg(a)
			c.Firmware = c.Firmware || ibft
		case "rd.iscsi.param", "iscsi_param":
			var p [2]string
			if p, err = parseParam(a.value); err == nil {
				c.Params = append(c.Params, p)
			}
		default:
			if name, ok := toolsKey(a.name); ok {
				if c.tools == nil {
					c.tools = map[string]string{}
				}
				c.tools[name] = a.value
			}
		}
		if err != nil {
			return c, err
		}
	}
	if ibft && len(c.Net) == 0 {
		c.Net = append(c.Net, NetConfig{Mode: "ibft"})
	}
	if err := d.apply(&c); err != nil {
		return c, err
	}
	if c.Source == "" && c.tools[keyTargetName] != "" && c.tools[keyTargetIP] != "" {
		if err := c.applyTools(c.tools); err != nil {
			return c, err
		}
	}
	return c, nil
}

// stripAuth drops the credentials of an iscsi: root= so that Root can
// be logged; they live in the target.
func stripAuth(root string) string {
	rest, ok := strings.CutPrefix(root, "iscsi:")
	if !ok {
		return root
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		return "iscsi:" + rest[at+1:]
	}
	return root
}

// UseRootPath takes the DHCP root path (RFC 4173) as the target when no
// other source names one and the boot firmware is not to be used; it
// is ignored otherwise. rd.iscsi.* fill-ins apply as to a netroot.
func (c *Config) UseRootPath(rootPath string) error {
	if len(c.Targets) > 0 || c.Firmware {
		return nil
	}
	t, err := ParseRootPath(rootPath)
	if err != nil {
		return err
	}
	if c.defaults != nil {
		t = c.defaults.fill(t)
	}
	if err := t.Validate(); err != nil {
		return fmt.Errorf("root path: %w", err)
	}
	c.Targets, c.Source = []BootTarget{t}, SourceRootPath
	return nil
}
