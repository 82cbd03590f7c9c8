package boot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/goiscsi/goiscsi/daemon"
	"github.com/goiscsi/goiscsi/internal/buildinfo"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
	"github.com/goiscsi/goiscsi/sysfs"
)

// iscsistart's firmware modes (-b, -f, -N) read the iBFT through
// package sysfs. open-iscsi exits with ISCSI_ERR_NO_OBJS_FOUND when the
// firmware has no usable entry.
const exitNoFirmware = int(iscsierr.NoObjsFound)

// sysRoot is the sysfs tree: the test's, or $SYSFS_PATH's.
func (s *starter) sysRoot() sysfs.Root {
	if s.sys.Dir != "" {
		return s.sys
	}
	return sysfs.FromEnv()
}

// firmwareEntries reads the iBFT's usable targets. A table that exists
// but is malformed is reported on stderr; no table is silent.
func (s *starter) firmwareEntries() (sysfs.IBFT, []sysfs.BootEntry, bool) {
	t, err := s.sysRoot().IBFT()
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.logf("%v", err)
		}
		return t, nil, false
	}
	entries := t.Entries()
	return t, entries, len(entries) > 0
}

// printFirmware is -f: every firmware target as a record dump.
func (s *starter) printFirmware() int {
	_, entries, ok := s.firmwareEntries()
	if !ok {
		fmt.Fprintln(s.stdout, "Could not get list of targets from firmware.")
		return exitNoFirmware
	}
	for _, e := range entries {
		writeFirmwareRecord(s.stdout, e)
	}
	return 0
}

// writeFirmwareRecord prints one entry in open-iscsi's firmware dump
// format. The dump shows the CHAP secrets: it is what the firmware holds.
func writeFirmwareRecord(w io.Writer, e sysfs.BootEntry) {
	_ = records.WriteFields(w, e.Fields())
}

// loadFirmware is -b: the boot entry's initiator name, and every
// firmware target to log in to once the options are read.
func (s *starter) loadFirmware() (int, bool) {
	t, entries, ok := s.firmwareEntries()
	boot, found := t.Boot()
	if !found {
		fmt.Fprintln(s.stdout, "Could not get boot entry.")
		return exitNoFirmware, false
	}
	s.initiator = boot.Initiator.Name
	if !ok {
		fmt.Fprintln(s.stdout, "Could not setup fw entries.")
		return exitNoFirmware, false
	}
	s.fw = entries
	return 0, true
}

// firmwareRecord builds the node record of a firmware target, as
// open-iscsi does: portal group 1, CHAP when the table names a user.
// Errors name the key, never the value (it may be a secret).
func firmwareRecord(e sysfs.BootEntry) (*records.Record, error) {
	rec, err := bootTargetOf(e).nodeRecord()
	if err != nil {
		return nil, fmt.Errorf("firmware target%d: %w", e.Target.ID, err)
	}
	return rec, nil
}

// runFirmware logs in to every firmware target, each with iscsistart's
// defaults and the -P values, through the same login path as the
// command-line target. The exit status is 1 if any login failed.
func (s *starter) runFirmware(ctx context.Context) int {
	var eng *daemon.Engine
	status, loggedIn := 0, false
	for _, e := range s.fw {
		rec, err := firmwareRecord(e)
		if err != nil {
			s.logf("%v", err)
			status = exitLogin
			continue
		}
		s.rec, s.chap = rec, e.Target.ChapName != ""
		if code, ok := s.applyParams(); !ok {
			return code
		}
		t, err := daemon.TargetFromRecord(s.rec, s.initiator)
		if err != nil {
			s.logf("%v", err)
			status = exitLogin
			continue
		}
		t.InitiatorAlias = s.alias()
		fmt.Fprintf(s.stdout, "iscsistart: Logging into %s %s:%d,%d\n", t.Name, t.Addr, t.Port, t.TPGT)
		if eng == nil {
			s.logf("version %s", buildinfo.Version())
			var closeEngine func() error
			eng, closeEngine, err = daemon.NewEngine()
			if err != nil {
				s.logf("%v", err)
				s.logf("initiator reported error (%d - %s)", iscsierr.TransNotFound, iscsierr.TransNotFound)
				return exitLogin
			}
			defer closeEngine()
		}
		if s.login(ctx, eng, t) != 0 {
			status = exitLogin
		} else {
			loggedIn = true
		}
	}
	if loggedIn && s.recover {
		s.startRecovery() // one recovery process adopts every session
	}
	return status
}

// alias is the InitiatorAlias iscsistart sends: the host name.
func (s *starter) alias() string {
	host, err := os.Hostname()
	if err != nil {
		return ""
	}
	return host
}
