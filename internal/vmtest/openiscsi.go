package vmtest

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// OpenISCSI is Debian's open-iscsi, unpacked from its packages in the
// cache (never installed), with the shared libraries its binaries need
// as the host's dynamic loader resolves them: the packages'
// libopeniscsiusr and libisns, the rest from the host (Debian 12
// builds), so that it can be put into a guest image.
type OpenISCSI struct {
	Bins map[string]string   // iscsistart, iscsiadm, iscsid → unpacked file
	Libs map[string][]Lib    // the same names → every shared library each needs
	Deb  map[string]string   // package → the .deb it was unpacked from
	dirs map[string][]string // package → its unpacked root
}

// Lib is one shared library: the name the loader looks for and the file
// it found.
type Lib struct {
	Guest string // path in a guest, such as /lib/x86_64-linux-gnu/libc.so.6
	File  string // the file on the host, symlinks resolved
	Size  int64
}

// openISCSIPackages are fetched into the cache: the tools and the two
// libraries of theirs the host may not have installed.
func openISCSIPackages() []string { return []string{"open-iscsi", "libopeniscsiusr", "libisns0"} }

// FetchOpenISCSI returns open-iscsi's binaries and libraries, fetching
// its packages into cache with "apt-get download" on first use.
func FetchOpenISCSI(ctx context.Context, cache string, logf func(string, ...any)) (*OpenISCSI, error) {
	o := &OpenISCSI{Bins: map[string]string{}, Libs: map[string][]Lib{}, Deb: map[string]string{}, dirs: map[string][]string{}}
	var libDirs []string
	for _, pkg := range openISCSIPackages() {
		dir := filepath.Join(cache, "deb-"+pkg)
		err := fill(ctx, cache, dir, pkg, func(string) error { return nil }, logf)
		if err != nil {
			return nil, fmt.Errorf("open-iscsi: %w", err)
		}
		mark, err := os.ReadFile(filepath.Join(dir, completeMark))
		if err != nil {
			return nil, fmt.Errorf("open-iscsi: %w", err)
		}
		o.Deb[pkg] = strings.TrimSpace(string(mark))
		libDirs = append(libDirs, filepath.Join(dir, "usr", "lib", "x86_64-linux-gnu"))
	}
	for _, name := range []string{"iscsistart", "iscsiadm", "iscsid"} {
		bin := filepath.Join(cache, "deb-open-iscsi", "sbin", name)
		if !exists(bin) {
			return nil, fmt.Errorf("open-iscsi: the package has no sbin/%s", name)
		}
		libs, err := sharedLibs(ctx, bin, libDirs)
		if err != nil {
			return nil, err
		}
		o.Bins[name], o.Libs[name] = bin, libs
	}
	return o, nil
}

// lddLine is one line of ldd's output: "name => file (addr)" or "file (addr)".
var lddLine = regexp.MustCompile(`^\s*(?:(\S+) => )?(/\S+) \(0x[0-9a-f]+\)$`)

// sharedLibs lists what bin needs, by the host's ldd, looking in
// libDirs first.
func sharedLibs(ctx context.Context, bin string, libDirs []string) ([]Lib, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ldd", bin)
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+strings.Join(libDirs, ":"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w: %s", bin, err, out)
	}
	var libs []Lib
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "not found") {
			return nil, fmt.Errorf("ldd %s: %s", bin, strings.TrimSpace(line))
		}
		m := lddLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		guest := m[2] // the loader itself: its PT_INTERP path
		if m[1] != "" {
			guest = "/lib/x86_64-linux-gnu/" + m[1]
		}
		file, err := filepath.EvalSymlinks(m[2])
		if err != nil {
			return nil, fmt.Errorf("ldd %s: %w", bin, err)
		}
		st, err := os.Stat(file)
		if err != nil {
			return nil, fmt.Errorf("ldd %s: %w", bin, err)
		}
		libs = append(libs, Lib{Guest: guest, File: file, Size: st.Size()})
	}
	sort.Slice(libs, func(i, j int) bool { return libs[i].Guest < libs[j].Guest })
	return libs, nil
}

// Sizes are the bytes of the binaries named and of the distinct library
// files they need (each counted once).
func (o *OpenISCSI) Sizes(names ...string) (bins, libs int64, nlibs int, err error) {
	seen := map[string]bool{}
	for _, n := range names {
		st, err := os.Stat(o.Bins[n])
		if err != nil {
			return 0, 0, 0, fmt.Errorf("open-iscsi: %w", err)
		}
		bins += st.Size()
		for _, l := range o.Libs[n] {
			if !seen[l.File] {
				seen[l.File] = true
				libs += l.Size
				nlibs++
			}
		}
	}
	return bins, libs, nlibs, nil
}

// GuestFiles are iscsistart, at /bin/open-iscsi/iscsistart, and the
// libraries it needs, where its loader looks for them. The loader
// (/lib64/ld-linux-x86-64.so.2) must be made executable in the guest
// before iscsistart runs.
func (o *OpenISCSI) GuestFiles() (map[string][]byte, error) {
	return o.guestFiles("iscsistart")
}

// DaemonGuestFiles are the daemon path: iscsid and iscsiadm, at
// /bin/open-iscsi/iscsid and /bin/open-iscsi/iscsiadm, and every
// library either needs, where the loader looks for them. As with
// GuestFiles, the loader must be made executable in the guest first.
// Their configuration (/etc/iscsi/iscsid.conf, initiatorname.iscsi) is
// the guest image's.
func (o *OpenISCSI) DaemonGuestFiles() (map[string][]byte, error) {
	return o.guestFiles("iscsid", "iscsiadm")
}

// guestFiles are the binaries named, under /bin/open-iscsi, and the
// libraries they need, each once.
func (o *OpenISCSI) guestFiles(names ...string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(o.Bins[n])
		if err != nil {
			return nil, fmt.Errorf("open-iscsi: %w", err)
		}
		files["/bin/open-iscsi/"+n] = b
		for _, l := range o.Libs[n] {
			if _, ok := files[l.Guest]; ok {
				continue
			}
			b, err := os.ReadFile(l.File)
			if err != nil {
				return nil, fmt.Errorf("open-iscsi: %w", err)
			}
			files[l.Guest] = b
		}
	}
	return files, nil
}

// openISCSIInit is the /init of the open-iscsi boot image: what
// Debian's initramfs does at the least to boot from an iSCSI disk with
// iscsistart (mount the kernel file systems, load the modules, set the
// address, log in, wait for the disk, mount it, switch root), marking
// its steps in the kernel log, whose timestamps the benchmark reads.
const openISCSIInit = `#!/bin/busybox sh
bb=/bin/busybox
fail() { echo "BENCH-FAIL $*"; echo "VMTEST-EXIT 1"; $bb poweroff -f; $bb sleep 60; }
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
$bb mount -t tmpfs tmpfs /run
$bb mkdir -p /run/lock
ver=$($bb uname -r)
while read -r m; do
	[ -n "$m" ] || continue
	$bb insmod "/lib/modules/$ver/$m" || echo "insmod $m failed, going on"
done </etc/modules-load
echo "<6>BENCH-MODULES" >/dev/kmsg
$bb ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ]; do
	i=$((i + 1)); [ $i -le 1000 ] || fail "no eth0"; $bb sleep 0.01
done
$bb ip addr add @GUEST@/24 dev eth0 && $bb ip link set eth0 up || fail "eth0"
echo "<6>BENCH-NET" >/dev/kmsg
/sbin/iscsistart -i @INITIATOR@ -t @TARGET@ -g 1 -a @ADDR@ -p @PORT@ || fail "iscsistart exit $?"
echo "<6>BENCH-LOGIN" >/dev/kmsg
i=0
while [ ! -b /dev/sda ]; do
	i=$((i + 1)); [ $i -le 1000 ] || fail "no /dev/sda"; $bb sleep 0.01
done
echo "<6>BENCH-DISK" >/dev/kmsg
$bb mount -t ext4 -o ro /dev/sda /newroot || fail "mount"
echo "<6>BENCH-MOUNTED" >/dev/kmsg
$bb dmesg | $bb grep -E 'Run /init|BENCH-'
exec $bb switch_root /newroot /sbin/init
`

// openISCSIImage writes the open-iscsi boot image to w's file: busybox,
// openISCSIInit as /init, open-iscsi's iscsistart (as Debian's
// initramfs hook ships it, /sbin/iscsistart) with its libraries and
// loader, the initiator name, and the kernel modules in order (paths as
// in modules.dep, loaded in that order). It returns the bytes written.
func (o *OpenISCSI) openISCSIImage(file, busybox string, k Kernel, modules []string, target string) (int64, error) {
	f, err := os.Create(file)
	if err != nil {
		return 0, fmt.Errorf("open-iscsi image: %w", err)
	}
	defer f.Close()
	cw := &countWriter{w: f}
	c := newCPIO(cw)
	for _, d := range []string{"bin", "sbin", "proc", "sys", "dev", "run", "tmp", "newroot", "etc/iscsi"} {
		if err := c.Dir(d, 0o755); err != nil {
			return 0, err
		}
	}
	if err := c.CharDev("dev/console", 0o600, 5, 1); err != nil {
		return 0, err
	}
	if err := copyIn(c, "bin/busybox", busybox); err != nil {
		return 0, err
	}
	if err := c.Symlink("bin/sh", "busybox"); err != nil {
		return 0, err
	}
	if err := copyIn(c, "sbin/iscsistart", o.Bins["iscsistart"]); err != nil {
		return 0, err
	}
	for _, l := range o.Libs["iscsistart"] {
		if err := copyIn(c, strings.TrimPrefix(l.Guest, "/"), l.File); err != nil {
			return 0, err
		}
	}
	modDir := path.Join("lib/modules", k.Version)
	for _, m := range modules {
		if err := copyIn(c, path.Join(modDir, m), filepath.Join(k.ModDir(), filepath.FromSlash(m))); err != nil {
			return 0, err
		}
	}
	init := strings.NewReplacer("@GUEST@", GuestAddr, "@INITIATOR@", InitiatorIQN, "@TARGET@", target,
		"@ADDR@", TargetAddr, "@PORT@", fmt.Sprint(TargetPort)).Replace(openISCSIInit)
	if err := c.File("init", 0o755, []byte(init)); err != nil {
		return 0, err
	}
	if err := c.File("etc/modules-load", 0o644, []byte(strings.Join(modules, "\n")+"\n")); err != nil {
		return 0, err
	}
	if err := c.File("etc/iscsi/initiatorname.iscsi", 0o600, []byte("InitiatorName="+InitiatorIQN+"\n")); err != nil {
		return 0, err
	}
	if err := c.Close(); err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("open-iscsi image: %w", err)
	}
	return cw.n, nil
}

// countWriter counts what passes through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
