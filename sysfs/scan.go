package sysfs

import (
	"fmt"
	"os"
)

// ScanHost asks the kernel to scan every channel, target and LUN of SCSI
// host hostNo, as writing "- - -" to its scan attribute does.
func (r Root) ScanHost(hostNo int) error {
	if hostNo < 0 {
		return fmt.Errorf("sysfs: invalid host number %d", hostNo)
	}
	if err := r.writeAttr("- - -", "class/scsi_host", hostDir(hostNo), "scan"); err != nil {
		return fmt.Errorf("sysfs: scan host %d: %w", hostNo, err)
	}
	return nil
}

// writeAttr stores value in an existing attribute file. It is the
// package's only write to sysfs.
func (r Root) writeAttr(value string, parts ...string) error {
	f, err := os.OpenFile(r.path(parts...), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
