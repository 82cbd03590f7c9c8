package sysfs

import (
	"fmt"
	"strconv"
	"strings"
)

// Transport is a loaded iSCSI transport module as iscsi_transport shows it.
type Transport struct {
	Name string
	// Handle identifies the transport in netlink requests.
	Handle uint64
	// Caps is the transport's capability mask (CAP_* of iscsi_if.h).
	Caps uint64
}

// Transport reads the iscsi_transport entry of the named transport
// ("tcp", "iser", ...). When that transport is not loaded the error
// wraps fs.ErrNotExist. Reading the handle needs CAP_SYS_ADMIN.
func (r Root) Transport(name string) (Transport, error) {
	t := Transport{Name: name}
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return t, fmt.Errorf("sysfs: invalid transport name %q", name)
	}
	if _, err := r.stat("class/iscsi_transport", name); err != nil {
		return t, fmt.Errorf("sysfs: iscsi transport %q is not loaded: %w", name, err)
	}
	handle, err := r.Attr("class/iscsi_transport", name, "handle")
	if err != nil {
		return t, fmt.Errorf("sysfs: iscsi transport %q handle: %w", name, err)
	}
	if t.Handle, err = strconv.ParseUint(handle, 10, 64); err != nil {
		return t, fmt.Errorf("sysfs: iscsi transport %q handle: %w", name, err)
	}
	caps, err := r.Attr("class/iscsi_transport", name, "caps")
	if err != nil {
		return t, fmt.Errorf("sysfs: iscsi transport %q caps: %w", name, err)
	}
	if t.Caps, err = parseHex(caps); err != nil {
		return t, fmt.Errorf("sysfs: iscsi transport %q caps: %w", name, err)
	}
	return t, nil
}

// parseHex parses a "0x"-prefixed hexadecimal number.
func parseHex(v string) (uint64, error) {
	digits, ok := strings.CutPrefix(v, "0x")
	if !ok {
		return 0, fmt.Errorf("%q is not 0x-prefixed hexadecimal", v)
	}
	return strconv.ParseUint(digits, 16, 64)
}
