package boot

import (
	"os"
	"syscall"

	"github.com/goiscsi/goiscsi/daemon"
)

// recoveryArgv0 is the recovery process's argv[0]. systemd spares the
// processes whose argv[0] starts with '@' when it kills what is left
// at shutdown, as storage daemons of the root file system need to
// outlive it (its "root storage daemons" convention); the name does not
// have to be a role: the role is the next argument.
const recoveryArgv0 = "@goiscsi"

// startRecovery starts, for --recover, the process that keeps the
// sessions just logged in recovering until the real iscsid runs: iscsid
// itself with --boot, in a session of its own. It adopts the sessions
// from sysfs, logs to the kernel log, and when an iscsid starts later
// (after switch_root, say) that iscsid asks it over the socket to stop
// and takes the sessions over (see package daemon). The login's exit
// status does not depend on it; a failure to start it is reported.
func (s *starter) startRecovery() {
	self, err := os.Executable()
	if err != nil {
		self = "/proc/self/exe"
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		s.logf("could not start the recovery process: %v", err)
		return
	}
	defer devnull.Close()
	// iscsistart ignores SIGINT, and the child inherits that; the
	// iscsid role installs its own handlers, which replaces it.
	p, err := daemon.StartIOFlusher(self, []string{recoveryArgv0, "iscsid", "--boot"}, &os.ProcAttr{
		Files: []*os.File{devnull, devnull, devnull},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		s.logf("could not start the recovery process: %v", err)
		return
	}
	s.logf("recovery process %d keeps the sessions until iscsid takes them over", p.Pid)
	_ = p.Release()
}
