package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/goiscsi/goiscsi/daemon/ipc"
	"github.com/goiscsi/goiscsi/internal/sock"
	"github.com/goiscsi/goiscsi/records"
)

// iscsid is one run of the daemon.
type iscsid struct {
	cfg       config
	log       *logger
	initiator string
	defaults  *records.Record // a node record with iscsid.conf applied
	mgr       *Manager
	stop      context.CancelFunc // ends serving (signal or stop request)
	stopOnce  sync.Once
}

// warmHeapBytes is the heap grown and touched before serving, so that
// a recovery's allocations find locked pages.
const warmHeapBytes = 1 << 20

func (d *iscsid) run(ctx context.Context, ready *os.File) error {
	if err := d.setup(); err != nil {
		return err
	}
	for _, err := range hardenMemory(warmHeapBytes) {
		d.log.infof("%v", err)
	}
	eng, closeKernel, err := NewEngine()
	if err != nil {
		return fmt.Errorf("cannot open NETLINK_ISCSI: %w", err)
	}
	defer closeKernel()
	ln, err := d.listen()
	if err != nil {
		return err
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	serveCtx, stop := context.WithCancel(ctx)
	d.stop = stop
	eng.Router = NewRouter(256)
	eng.Reprobe = func(hostport string) {
		host, _, err := sock.SplitHostPort(hostport)
		if err == nil {
			err = Reprobe(host)
		}
		if err != nil {
			d.log.debugf(1, "reprobing the next hop to %s: %v", hostport, err)
		}
	}
	go eng.Router.Run(ctx, eng.Kernel.Events())
	d.mgr = &Manager{Engine: eng, Logf: d.log.infof}
	go d.mgr.Run(ctx, eng.Router.Other())
	if ids, err := d.mgr.Adopt(ctx, d.lookup, d.defaults); err != nil {
		d.log.infof("%v", err)
	} else if len(ids) > 0 {
		d.log.infof("took over %d session(s) found in sysfs", len(ids))
	}
	if err := d.writePidFile(); err != nil {
		return err
	}
	defer d.removePidFile()
	if err := dropPrivileges(d.cfg.uid, d.cfg.gid); err != nil {
		return err
	}
	d.signals(serveCtx, stop)
	if ready != nil {
		fmt.Fprintln(ready, "ready")
		ready.Close()
		d.log.toSyslog()
	}
	if d.cfg.boot {
		d.log.toKmsg()
	}
	_ = sdNotify("READY=1")
	srv := &ipc.Server{Handler: d.handle, Logf: d.log.infof}
	err = srv.Serve(serveCtx, ln)
	_ = sdNotify("STOPPING=1")
	d.shutdown()
	return err
}

// setup reads the configuration and the initiator name and creates
// the record root.
func (d *iscsid) setup() error {
	conf, err := records.LoadConfig(d.cfg.confPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", d.cfg.confPath, err)
	}
	d.defaults = records.New(records.NodeTable)
	if conf != nil {
		conf.Apply(d.defaults)
	}
	d.initiator, err = records.ReadInitiatorName(d.cfg.namePath)
	if err != nil {
		d.log.infof("no initiator name in %s (%v): logins need iface.initiatorname", d.cfg.namePath, err)
	}
	if err := os.MkdirAll(d.cfg.store.Dir, 0o755); err != nil {
		return fmt.Errorf("creating the record root: %w", err)
	}
	return nil
}

// listen takes systemd's socket or opens the abstract socket.
func (d *iscsid) listen() (*sock.Listener, error) {
	ln, err := activationListener()
	if err != nil {
		return nil, fmt.Errorf("socket from systemd: %w", err)
	}
	if ln != nil {
		return ln, nil
	}
	ul, err := ipc.Listen(d.cfg.ipcName)
	if err == nil {
		return ul, nil
	}
	if !d.cfg.boot && d.takeOver() {
		// The stopped process answers before its listener is closed.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if ul, err = ipc.Listen(d.cfg.ipcName); err == nil {
				return ul, nil
			}
		}
	}
	return nil, fmt.Errorf("can not listen on @%s: %w (is another iscsid running?)", d.cfg.ipcName, err)
}

// takeOver stops the boot-time recovery process holding the socket, if
// that is what holds it, and reports whether it did.
func (d *iscsid) takeOver() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := ipc.Call(ctx, d.cfg.ipcName, &ipc.Request{Op: ipc.OpPing})
	if err != nil || rep.Role != ipc.RoleBoot {
		return false
	}
	d.log.infof("taking over the sessions from the boot-time recovery process")
	if _, err := ipc.Call(ctx, d.cfg.ipcName, &ipc.Request{Op: ipc.OpStop}); err != nil {
		d.log.infof("stopping the boot-time recovery process: %v", err)
		return false
	}
	return true
}

// lookup finds a session's node record in the record store.
func (d *iscsid) lookup(target, addr string, port int) *records.Record {
	refs, err := d.cfg.store.Nodes()
	if err != nil {
		return nil
	}
	for _, ref := range refs {
		if ref.Target == target && ref.Portal.Addr == addr && ref.Portal.Port == port {
			if rec, err := d.cfg.store.ReadNode(ref); err == nil {
				return rec
			}
		}
	}
	return nil
}

// signals ends serving on SIGTERM or SIGINT; SIGHUP and SIGPIPE are
// ignored.
func (d *iscsid) signals(ctx context.Context, stop context.CancelFunc) {
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		defer signal.Stop(ch)
		select {
		case sig := <-ch:
			d.log.infof("%v: shutting down", sig)
			stop()
		case <-ctx.Done():
		}
	}()
}

// shutdown ends the work in flight once; sessions stay in the kernel.
func (d *iscsid) shutdown() {
	d.stopOnce.Do(func() {
		d.stop()
		d.mgr.Close()
	})
}

func (d *iscsid) writePidFile() error {
	if d.cfg.noPidFile {
		return nil
	}
	if err := os.WriteFile(d.cfg.pidPath, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	return nil
}

func (d *iscsid) removePidFile() {
	if !d.cfg.noPidFile {
		_ = os.Remove(d.cfg.pidPath)
	}
}

// dropPrivileges switches to -g and -u (all threads, as Go does it).
func dropPrivileges(uid, gid int) error {
	if gid >= 0 {
		if err := syscall.Setgid(gid); err != nil {
			return fmt.Errorf("setgid %d: %w", gid, err)
		}
	}
	if uid >= 0 {
		if err := syscall.Setuid(uid); err != nil {
			return fmt.Errorf("setuid %d: %w", uid, err)
		}
	}
	return nil
}
