package boot

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ext2/3/4 superblock: 1024 bytes into the device; magic at 0x38, the
// UUID at 0x68 and the volume label at 0x78.
const (
	extSuperOffset = 1024
	extMagicOff    = 0x38
	extUUIDOff     = 0x68
	extLabelOff    = 0x78
	extMagic       = 0xef53
)

// extIdentity reads the UUID and label of an ext2/3/4 file system, or
// reports that r holds none.
func extIdentity(r io.ReaderAt) (uuid, label string, ok bool) {
	sb := make([]byte, 0x88)
	if _, err := r.ReadAt(sb, extSuperOffset); err != nil {
		return "", "", false
	}
	if binary.LittleEndian.Uint16(sb[extMagicOff:]) != extMagic {
		return "", "", false
	}
	u := hex.EncodeToString(sb[extUUIDOff : extUUIDOff+16])
	uuid = u[0:8] + "-" + u[8:12] + "-" + u[12:16] + "-" + u[16:20] + "-" + u[20:32]
	label = string(bytes.TrimRight(sb[extLabelOff:extLabelOff+16], "\x00"))
	return uuid, label, true
}

// matchRoot reports whether the block device dev (a name such as "sda")
// is what root= names: /dev/NAME, LABEL=…, UUID=… (ext2/3/4), or "" for
// the first disk the iSCSI login brought. An error is a device node that
// cannot be opened (yet): the kernel creates it shortly after the disk
// shows in sysfs.
func matchRoot(devDir, root, dev string) (bool, error) {
	if strings.HasPrefix(root, "/dev/") && filepath.Base(root) != dev {
		return false, nil
	}
	f, err := os.Open(filepath.Join(devDir, dev))
	if err != nil {
		return false, err
	}
	defer f.Close()
	switch {
	case root == "", strings.HasPrefix(root, "/dev/"):
		return true, nil
	case strings.HasPrefix(root, "LABEL="), strings.HasPrefix(root, "UUID="):
		uuid, label, ok := extIdentity(f)
		if !ok {
			return false, nil
		}
		if v, isLabel := strings.CutPrefix(root, "LABEL="); isLabel {
			return v == label, nil
		}
		return strings.EqualFold(strings.TrimPrefix(root, "UUID="), uuid), nil
	}
	return false, nil
}

// checkRootSpec refuses root= forms the boot role cannot resolve.
func checkRootSpec(root string) error {
	switch {
	case root == "", strings.HasPrefix(root, "LABEL="), strings.HasPrefix(root, "UUID="):
		return nil
	case strings.HasPrefix(root, "/dev/") && !strings.Contains(root[5:], ".."):
		return nil
	}
	return fmt.Errorf("root=%.80q: give /dev/NAME, LABEL=… or UUID=…", root)
}
