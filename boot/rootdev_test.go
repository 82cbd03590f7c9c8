package boot

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

func TestMatchRoot(t *testing.T) {
	dev := t.TempDir()
	sb := make([]byte, extSuperOffset+0x88)
	binary.LittleEndian.PutUint16(sb[extSuperOffset+extMagicOff:], extMagic)
	copy(sb[extSuperOffset+extUUIDOff:], []byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8})
	copy(sb[extSuperOffset+extLabelOff:], "root")
	os.WriteFile(filepath.Join(dev, "sda"), sb, 0o644)
	os.WriteFile(filepath.Join(dev, "sdb"), make([]byte, 4096), 0o644)
	tests := []struct {
		root, dev string
		match     bool
		unread    bool
	}{
		{"", "sda", true, false},
		{"/dev/sda", "sda", true, false},
		{"/dev/sda", "sdb", false, false},
		{"LABEL=root", "sda", true, false},
		{"LABEL=other", "sda", false, false},
		{"UUID=12345678-9ABC-DEF0-0102-030405060708", "sda", true, false},
		{"LABEL=root", "sdb", false, false},
		// The node is not there yet: no answer, an error to wait on.
		{"LABEL=root", "sdc", false, true},
		{"/dev/sdc", "sdc", false, true},
		{"", "sdc", false, true},
		{"/dev/sda", "sdc", false, false},
	}
	for _, tt := range tests {
		match, err := matchRoot(dev, tt.root, tt.dev)
		if match != tt.match || (err != nil) != tt.unread {
			t.Errorf("matchRoot(%q, %s) = %v, %v; want %v (unread %v)", tt.root, tt.dev, match, err, tt.match, tt.unread)
		}
	}
}
