package sysfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// LUN is one SCSI device of a session and the block device on it.
type LUN struct {
	Host, Channel, Target int
	LUN                   uint64
	// Type is the SCSI peripheral device type (0 disk, 5 CD/DVD, 12
	// storage controller, ...); -1 when sysfs does not say.
	Type int
	// State is the SCSI device state: running, offline, blocked, ...
	State string
	// Block is the block device's name ("sdb"), empty while it has none.
	Block string
}

// HCTL is the device's SCSI address, host:channel:target:lun.
func (l LUN) HCTL() string { return fmt.Sprintf("%d:%d:%d:%d", l.Host, l.Channel, l.Target, l.LUN) }

// WantsBlock reports whether a block driver takes devices of this type
// (disks, CD/DVD and optical drives); an unknown type counts as one. A
// storage controller at LUN 0, as many targets show, never gets one.
func (l LUN) WantsBlock() bool {
	switch l.Type {
	case 0x00, 0x04, 0x05, 0x07, 0x0e, 0x14, -1:
		return true
	}
	return false
}

// String is the LUN's address, block device and state, for messages.
func (l LUN) String() string {
	state := l.State
	if state == "" {
		state = "state unknown"
	}
	switch {
	case l.Block != "":
		return fmt.Sprintf("%s %s (%s)", l.HCTL(), l.Block, state)
	case !l.WantsBlock():
		return fmt.Sprintf("%s type %d, no block device (%s)", l.HCTL(), l.Type, state)
	}
	return fmt.Sprintf("%s no block device (%s)", l.HCTL(), state)
}

// sessionDevice resolves the device directory of session sid,
// .../hostN/sessionM, through its iscsi_session class entry.
func (r Root) sessionDevice(sid int) (string, error) {
	name := sessionDir(sid)
	class, err := filepath.EvalSymlinks(r.path("class/iscsi_session", name))
	if err != nil {
		return "", fmt.Errorf("sysfs: session %d: %w", sid, err)
	}
	dev := filepath.Dir(filepath.Dir(class))
	if filepath.Base(dev) != name {
		return "", fmt.Errorf("sysfs: session %d: unexpected class entry %s", sid, class)
	}
	return dev, nil
}

// SessionHost returns the number of the SCSI host session sid hangs
// under. The error wraps fs.ErrNotExist when there is no such session.
func (r Root) SessionHost(sid int) (int, error) {
	dev, err := r.sessionDevice(sid)
	if err != nil {
		return -1, err
	}
	parent := filepath.Base(filepath.Dir(dev))
	n, ok := suffixNumber(parent, "host")
	if !ok {
		return -1, fmt.Errorf("sysfs: session %d: parent %s is not a SCSI host", sid, parent)
	}
	return n, nil
}

// SessionLUNs lists the SCSI devices of session sid in LUN order, each
// with its state and block device. The error wraps fs.ErrNotExist only
// when there is no such session; devices that vanish while being read
// are left out.
func (r Root) SessionLUNs(sid int) ([]LUN, error) {
	dev, err := r.sessionDevice(sid)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dev)
	if err != nil {
		return nil, fmt.Errorf("sysfs: session %d: %w", sid, err)
	}
	var luns []LUN
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "target") {
			continue
		}
		found, err := readTarget(filepath.Join(dev, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sysfs: session %d: %w", sid, err)
		}
		luns = append(luns, found...)
	}
	sort.Slice(luns, func(i, j int) bool { return lunLess(luns[i], luns[j]) })
	return luns, nil
}

func lunLess(a, b LUN) bool {
	if a.Host != b.Host {
		return a.Host < b.Host
	}
	if a.Channel != b.Channel {
		return a.Channel < b.Channel
	}
	if a.Target != b.Target {
		return a.Target < b.Target
	}
	return a.LUN < b.LUN
}

// readTarget reads the SCSI devices, named H:C:T:L, of a target directory.
func readTarget(dir string) ([]LUN, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var luns []LUN
	for _, e := range entries {
		l, ok := parseHCTL(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		luns = append(luns, readLUN(filepath.Join(dir, e.Name()), l))
	}
	return luns, nil
}

// readLUN fills in type, state and block device of the device at dir.
func readLUN(dir string, l LUN) LUN {
	l.Type = -1
	if v, err := readAttr(filepath.Join(dir, "type")); err == nil {
		if n, err := strconv.Atoi(v); err == nil {
			l.Type = n
		}
	}
	l.State, _ = readAttr(filepath.Join(dir, "state"))
	if blocks, err := os.ReadDir(filepath.Join(dir, "block")); err == nil && len(blocks) > 0 {
		l.Block = blocks[0].Name()
	}
	return l
}

// parseHCTL parses a SCSI device name, host:channel:target:lun.
func parseHCTL(name string) (LUN, bool) {
	f := strings.Split(name, ":")
	if len(f) != 4 {
		return LUN{}, false
	}
	var n [3]int
	for i := range n {
		v, err := strconv.Atoi(f[i])
		if err != nil || v < 0 {
			return LUN{}, false
		}
		n[i] = v
	}
	lun, err := strconv.ParseUint(f[3], 10, 64)
	if err != nil {
		return LUN{}, false
	}
	return LUN{Host: n[0], Channel: n[1], Target: n[2], LUN: lun}, true
}
