package boot

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/goiscsi/goiscsi/records"
)

// initramfs-tools' keys, as /etc/iscsi.initramfs spells them; the
// command line spells them in lower case.
const (
	keyInitiator   = "ISCSI_INITIATOR"
	keyTargetName  = "ISCSI_TARGET_NAME"
	keyTargetIP    = "ISCSI_TARGET_IP"
	keyTargetPort  = "ISCSI_TARGET_PORT"
	keyTargetGroup = "ISCSI_TARGET_GROUP"
	keyUsername    = "ISCSI_USERNAME"
	keyPassword    = "ISCSI_PASSWORD"
	keyUsernameIn  = "ISCSI_IN_USERNAME"
	keyPasswordIn  = "ISCSI_IN_PASSWORD"
)

// toolsKey maps a command-line parameter to its initramfs-tools key.
func toolsKey(param string) (string, bool) {
	switch param {
	case "iscsi_initiator", "iscsi_target_name", "iscsi_target_ip", "iscsi_target_port",
		"iscsi_target_group", "iscsi_username", "iscsi_password", "iscsi_in_username",
		"iscsi_in_password":
		return strings.ToUpper(param), true
	}
	return "", false
}

// isTargetKey reports whether key describes the target (rather than
// the initiator).
func isTargetKey(key string) bool {
	k, ok := toolsKey(strings.ToLower(key))
	return ok && k != keyInitiator
}

// ParseInitramfsConf reads initramfs-tools' /etc/iscsi.initramfs, shell
// style KEY=value lines with optional single or double quotes, "export"
// and comments, into into: its ISCSI_* keys are taken where the command
// line (the iscsi_* parameters ParseCmdline saw) set nothing. The file
// names a target only when no dracut parameter did; ISCSI_INITIATOR is
// used when no initiator was given. Other keys are ignored. Nothing is
// expanded: "$", "`" and "\" are refused.
func ParseInitramfsConf(data []byte, into *Config) error {
	if len(data) > MaxConfFile {
		return bad("iscsi.initramfs", "longer than %d bytes", MaxConfFile)
	}
	kv := map[string]string{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		key, value, err := confLine(string(line))
		if err != nil {
			return fmt.Errorf("iscsi.initramfs line %d: %w", i+1, err)
		}
		if _, known := toolsKey(strings.ToLower(key)); known && key != "" {
			kv[key] = value
		}
	}
	for k, v := range into.tools { // the command line wins
		kv[k] = v
	}
	if into.Initiator == "" && kv[keyInitiator] != "" {
		if err := records.ValidateTargetName(kv[keyInitiator]); err != nil {
			return fmt.Errorf("%s: %w", keyInitiator, err)
		}
		into.Initiator = kv[keyInitiator]
	}
	if into.Source == SourceDracut {
		return nil
	}
	return into.applyTools(kv)
}

// confLine reads one line: "" key for blank lines and comments.
func confLine(line string) (key, value string, err error) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", "", nil
	}
	line = strings.TrimPrefix(line, "export ")
	key, value, ok := strings.Cut(strings.TrimLeft(line, " \t"), "=")
	if !ok || !shellName(key) {
		return "", "", bad("iscsi.initramfs", "want KEY=value")
	}
	param := key
	if strings.ContainsAny(value, "$`\\") {
		return "", "", bad(param, "shell expansion is not supported")
	}
	switch {
	case value == "":
	case value[0] == '"' || value[0] == '\'':
		end := strings.IndexByte(value[1:], value[0])
		if end < 0 {
			return "", "", bad(param, "unterminated quote")
		}
		tail := strings.TrimSpace(value[end+2:])
		if tail != "" && tail[0] != '#' {
			return "", "", bad(param, "text after the closing quote")
		}
		value = value[1 : end+1]
	default:
		if i := strings.IndexAny(value, " \t"); i >= 0 {
			if tail := strings.TrimSpace(value[i:]); tail != "" && tail[0] != '#' {
				return "", "", bad(param, "unquoted white space")
			}
			value = value[:i]
		}
		if strings.ContainsAny(value, `"'`) {
			return "", "", bad(param, "stray quote")
		}
	}
	if err := checkText(param, value, maxValue); err != nil {
		return "", "", err
	}
	return key, value, nil
}

// shellName reports whether s is a shell variable name.
func shellName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// applyTools builds the initramfs-tools target from kv (ISCSI_* keys)
// and makes it the only target. kv naming no target changes nothing; a
// target key without ISCSI_TARGET_NAME or ISCSI_TARGET_IP is an error.
func (c *Config) applyTools(kv map[string]string) error {
	named := false
	for k, v := range kv {
		named = named || (v != "" && isTargetKey(k))
	}
	if !named {
		return nil
	}
	t := BootTarget{Port: records.DefaultPort, TPGT: DefaultTPGT, LUN: AnyLUN,
		Name: kv[keyTargetName], Addr: kv[keyTargetIP],
		Username: kv[keyUsername], Password: kv[keyPassword],
		UsernameIn: kv[keyUsernameIn], PasswordIn: kv[keyPasswordIn]}
	switch {
	case t.Name == "":
		return bad(keyTargetName, "missing")
	case t.Addr == "":
		return bad(keyTargetIP, "missing")
	}
	if a := strings.TrimSuffix(strings.TrimPrefix(t.Addr, "["), "]"); a != t.Addr && strings.Contains(a, ":") {
		t.Addr = a
	}
	var err error
	if p := kv[keyTargetPort]; p != "" {
		if t.Port, err = parseNum(keyTargetPort, "port", p, 1, 65535); err != nil {
			return err
		}
	}
	if g := kv[keyTargetGroup]; g != "" {
		if t.TPGT, err = parseNum(keyTargetGroup, "tpgt", g, 0, 65535); err != nil {
			return err
		}
	}
	if err := t.Validate(); err != nil {
		return fmt.Errorf("%s: %w", SourceInitramfsTools, err)
	}
	c.Targets, c.Source = []BootTarget{t}, SourceInitramfsTools
	return nil
}
