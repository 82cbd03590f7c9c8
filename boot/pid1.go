package boot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/goiscsi/goiscsi/daemon"
	"github.com/goiscsi/goiscsi/records"
	"github.com/goiscsi/goiscsi/sysfs"
)

// Init is goiscsi as PID 1 of an initramfs (run as /init): it mounts
// the kernel file systems, loads the modules the image holds, brings
// the network up, logs in to the root disk's target(s), waits for the
// root device, mounts it and hands over to its init. The steps are
// printed with their times; a failure says what failed and what to
// check, then starts the rescue shell if the image has one, or returns
// (the kernel then panics, and reboots if panic= says so).
func Init(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	b := &booter{out: stderr, start: time.Now(), paths: defaultPaths()}
	err := b.run(ctx)
	if err == nil {
		return 0 // not reached: run ends in exec
	}
	b.logf("boot failed: %v", err)
	if hint := hintFor(err); hint != "" {
		b.logf("check: %s", hint)
	}
	b.rescue()
	return 1
}

// bootPaths are the files the boot role uses, rooted for tests.
type bootPaths struct {
	cmdline, initramfsConf, initiatorFile, devDir, newRoot, shell, resolvConf string
}

func defaultPaths() bootPaths {
	return bootPaths{
		cmdline: "/proc/cmdline", initramfsConf: "/etc/iscsi.initramfs",
		initiatorFile: "/etc/iscsi/initiatorname.iscsi", devDir: "/dev", newRoot: "/newroot", shell: "/bin/sh",
		resolvConf: "/etc/resolv.conf",
	}
}

// booter is one boot.
type booter struct {
	out   io.Writer
	start time.Time
	paths bootPaths
	cfg   Config
	flags cmdFlags
	dns   nameServers // what the network set-up learnt of DNS
}

func (b *booter) logf(format string, args ...any) {
	fmt.Fprintf(b.out, "goiscsi: [%7.3fs] "+format+"\n", append([]any{time.Since(b.start).Seconds()}, args...)...)
}

func (b *booter) run(ctx context.Context) error {
	if err := mountKernelFS(); err != nil {
		return err
	}
	b.logf("mounted /proc /sys /dev /run")
	if err := b.readConfig(); err != nil {
		return err
	}
	b.logf("configuration: %s", b.cfg)
	if err := (daemon.Modules{}).LoadAll(); err != nil {
		// Later steps fail clearly if a module that matters is missing.
		b.logf("modules loaded, except: %v", strings.ReplaceAll(err.Error(), "\n", "; "))
	} else {
		b.logf("modules loaded")
	}
	if err := b.network(ctx); err != nil {
		return err
	}
	if err := b.firmware(); err != nil {
		return err
	}
	b.writeResolvConf()
	if b.cfg.Initiator == "" {
		return errors.New("no initiator name: give rd.iscsi.initiator= or iscsi_initiator=, put one in /etc/iscsi/initiatorname.iscsi, or boot with an iBFT")
	}
	if len(b.cfg.Targets) == 0 {
		return errors.New("no iSCSI target: give netroot=iscsi:… (dracut), iscsi_target_name= and iscsi_target_ip= (initramfs-tools), rd.iscsi.firmware (iBFT) or a DHCP root path")
	}
	dev, err := b.loginAll(ctx)
	if err != nil {
		return err
	}
	if err := mountRoot(b.paths.devDir, dev, b.paths.newRoot, b.flags); err != nil {
		return err
	}
	b.logf("mounted /dev/%s on %s (%s)", dev, b.paths.newRoot, b.flags.mountDescription())
	init := b.cfg.Init
	if init == "" {
		init = "/sbin/init"
	}
	b.logf("switching root to %s, running %s", b.paths.newRoot, init)
	return switchRoot(b.paths.newRoot, init)
}

// readConfig gathers the configuration: the kernel command line, over
// /etc/iscsi.initramfs, and the initiator name file as the last resort.
func (b *booter) readConfig() error {
	data, err := os.ReadFile(b.paths.cmdline)
	if err != nil {
		return fmt.Errorf("reading the kernel command line: %w", err)
	}
	cmdline := strings.TrimSpace(string(data))
	if b.cfg, err = ParseCmdline(cmdline); err != nil {
		return fmt.Errorf("kernel command line: %w", err)
	}
	if conf, err := os.ReadFile(b.paths.initramfsConf); err == nil {
		if err := ParseInitramfsConf(conf, &b.cfg); err != nil {
			return fmt.Errorf("%s: %w", b.paths.initramfsConf, err)
		}
	}
	b.flags = parseCmdFlags(cmdline)
	if b.cfg.Initiator == "" {
		if n, err := records.ReadInitiatorName(b.paths.initiatorFile); err == nil {
			b.cfg.Initiator = n
		}
	}
	root := b.cfg.Root
	if strings.HasPrefix(root, "iscsi:") || root == "dhcp" { // root=dhcp: the DHCP root path
		root = ""
	}
	b.cfg.Root = root
	return checkRootSpec(root)
}

// loginAll logs in to every target and returns the root device.
func (b *booter) loginAll(ctx context.Context) (string, error) {
	eng, closeEngine, err := daemon.NewEngine()
	if err != nil {
		return "", fmt.Errorf("opening the kernel's iSCSI interface: %w", err)
	}
	defer closeEngine()
	var sids []uint32
	for _, bt := range b.cfg.Targets {
		t, retries, err := b.target(bt)
		if err != nil {
			return "", err
		}
		s := &starter{prog: "goiscsi", stdout: b.out, stderr: b.out}
		sess, err := s.loginSession(ctx, eng, t, retries)
		if err != nil {
			return "", fmt.Errorf("login to %s at %s: %w", t.Name, t.HostPort(), err)
		}
		b.logf("logged in to %s at %s (session %d)", t.Name, t.HostPort(), sess.Sid)
		sids = append(sids, sess.Sid)
	}
	return b.findRoot(ctx, eng.Sys, sids)
}

// target builds the login of one boot target: record defaults, the
// target's own settings, then rd.iscsi.param values.
func (b *booter) target(bt BootTarget) (daemon.Target, int, error) {
	rec, err := bt.nodeRecord()
	if err != nil {
		return daemon.Target{}, 0, err
	}
	retries := [][2]string{{"node.session.initial_login_retry_max", "30"}}
	if err := setAll(rec, append(retries, b.cfg.Params...)); err != nil {
		return daemon.Target{}, 0, err
	}
	t, err := daemon.TargetFromRecord(rec, b.cfg.Initiator)
	if err != nil {
		return daemon.Target{}, 0, err
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		t.InitiatorAlias = host
	}
	return t, rec.Int("node.session.initial_login_retry_max"), nil
}

// rootWait bounds the wait for the root device after login.
const rootWait = 30 * time.Second

// rootSettle bounds the wait for the device nodes of disks that are in
// sysfs already.
const rootSettle = 5 * time.Second

// findRoot waits for the sessions' block devices and picks root=. A disk
// whose node cannot be read yet is tried again, for up to rootSettle.
func (b *booter) findRoot(ctx context.Context, sys sysfs.Root, sids []uint32) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, rootWait)
	defer cancel()
	type disk struct {
		sysfs.LUN
		sid uint32
	}
	var disks []disk
	for _, sid := range sids {
		luns, err := sys.WaitBlockDevices(ctx, int(sid), 20*time.Millisecond)
		if err != nil {
			return "", fmt.Errorf("waiting for the disks of session %d: %w", sid, err)
		}
		for _, l := range luns {
			if l.Block != "" {
				disks = append(disks, disk{l, sid})
			}
		}
	}
	settle := time.Now().Add(rootSettle)
	for {
		var seen []string
		var unread error
		for _, d := range disks {
			seen = append(seen, d.Block)
			ok, err := matchRoot(b.paths.devDir, b.cfg.Root, d.Block)
			if ok {
				b.logf("root device /dev/%s (LUN %d of session %d)", d.Block, d.LUN.LUN, d.sid)
				return d.Block, nil
			}
			unread = cmp.Or(unread, err)
		}
		if unread == nil {
			return "", fmt.Errorf("no disk matches root=%s among %v", b.cfg.Root, seen)
		}
		select {
		case <-time.After(20 * time.Millisecond):
			if time.Now().Before(settle) {
				continue
			}
		case <-ctx.Done():
		}
		return "", fmt.Errorf("no disk matches root=%s among %v (%w)", b.cfg.Root, seen, unread)
	}
}

// rescue runs the image's shell, if it has one.
func (b *booter) rescue() {
	if _, err := os.Stat(b.paths.shell); err != nil {
		b.logf("no rescue shell in this image (%s)", b.paths.shell)
		return
	}
	b.logf("starting the rescue shell %s", b.paths.shell)
	if err := execShell(b.paths.shell); err != nil {
		b.logf("rescue shell: %v", err)
	}
}

// hintFor says what to check after a failure.
func hintFor(err error) string {
	var ce *daemon.ConnectError
	switch {
	case errors.As(err, &ce):
		return "the target's address and port, the network (ip=) and that the target runs"
	case strings.Contains(err.Error(), "authoriz"), strings.Contains(err.Error(), "authenticat"):
		return "the CHAP user names and secrets"
	case strings.Contains(err.Error(), "no disk matches"):
		return "root= (the disk, LABEL= or UUID=) and the target's LUNs"
	}
	return ""
}

// writeResolvConf gives the initramfs the name servers the network
// set-up learnt, for targets named by host name.
func (b *booter) writeResolvConf() {
	if len(b.dns.servers) == 0 {
		return
	}
	if err := b.dns.write(b.paths.resolvConf); err != nil {
		b.logf("could not write %s: %v (targets given by name will not resolve)", b.paths.resolvConf, err)
		return
	}
	search := ""
	if len(b.dns.search) > 0 {
		search = ", search " + strings.Join(b.dns.search, " ")
	}
	b.logf("name servers %v%s (from %s)", b.dns.servers, search, strings.Join(b.dns.from, ", "))
}
