package daemon

import (
	"fmt"
	"os"
	"strconv"

	"github.com/goiscsi/goiscsi/internal/getopt"
	"github.com/goiscsi/goiscsi/records"
)

// config is iscsid's command line and environment.
type config struct {
	confPath, namePath, pidPath string
	foreground, noPidFile       bool
	boot                        bool // --boot: the recovery process iscsistart leaves
	debug                       int
	uid, gid                    int // -1: unchanged
	ipcName                     string
	store                       records.Store
}

// Default paths, as open-iscsi's.
const (
	DefaultConfig        = "/etc/iscsi/iscsid.conf"
	DefaultInitiatorName = "/etc/iscsi/initiatorname.iscsi"
	DefaultPidFile       = "/run/iscsid.pid"
	// DefaultIPCName is the abstract socket iscsiadm reaches iscsid on
	// (ipc.DefaultName); GOISCSI_IPC_NAME moves it, for tests.
	DefaultIPCName = "goiscsi/iscsid"
)

func configFrom(opts []getopt.Option) (config, error) {
	c := config{confPath: DefaultConfig, namePath: DefaultInitiatorName, pidPath: DefaultPidFile, uid: -1, gid: -1,
		ipcName: envOr("GOISCSI_IPC_NAME", DefaultIPCName),
		store: records.Store{Dir: envOr("GOISCSI_CONFIG_DIR", records.DefaultDir),
			LockDir: envOr("GOISCSI_LOCK_DIR", records.DefaultLockDir)}}
	for _, o := range opts {
		var err error
		switch o.Val {
		case 'c':
			c.confPath = o.Arg
		case 'i':
			c.namePath = o.Arg
		case 'p':
			c.pidPath = o.Arg
		case 'f':
			c.foreground = true
		case 'n':
			c.noPidFile = true
		case 'd':
			c.debug, err = strconv.Atoi(o.Arg)
		case 'u':
			c.uid, err = strconv.Atoi(o.Arg)
		case 'g':
			c.gid, err = strconv.Atoi(o.Arg)
		case optBoot:
			c.boot, c.foreground, c.noPidFile = true, true, true
		default:
			return c, fmt.Errorf("unknown option")
		}
		if err != nil {
			return c, fmt.Errorf("-%c %s: not a number", o.Val, o.Arg)
		}
	}
	return c, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
