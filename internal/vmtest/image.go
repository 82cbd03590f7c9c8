package vmtest

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// initScript is the guest's /init, run by busybox sh as PID 1: it
// mounts the kernel's file systems, loads the modules listed in
// /etc/vmtest/modules in order, gives eth0 GuestAddr, runs the case
// named by vmtest.case= on the kernel command line, prints
// "VMTEST-EXIT <status>" and powers the guest off. Failures before the
// case exit 120 (a module), 121 (the network) or 122 (no such case).
const initScript = `#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/lock /var/lib
finish() {
	echo "VMTEST-UPTIME $(cut -d' ' -f1 /proc/uptime)"
	echo "VMTEST-EXIT $1"
	sync
	poweroff -f
	sleep 60
}
ver=$(uname -r)
while read -r m; do
	[ -n "$m" ] || continue
	insmod "/lib/modules/$ver/$m" || { echo "vmtest: insmod $m failed"; finish 120; }
done </etc/vmtest/modules
ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "vmtest: no eth0"; finish 121; }
	sleep 0.1
done
ip addr add @GUEST@/24 dev eth0 && ip link set eth0 up &&
	ip route add default via @HOST@ || { echo "vmtest: cannot set up eth0"; finish 121; }
# Packets sent before the carrier is up are lost (and retried a second
# later): cases start once it is, as a real boot would wait for the link.
i=0
while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $i -lt 500 ]; do
	i=$((i + 1))
	sleep 0.01
done
# Announce the address (gratuitous ARP), as boot-time network set-ups do:
# the target host may still hold the address of an earlier guest in a
# failing neighbour entry, and would answer our SYN only after its next
# probe, a second later.
arping -q -U -c 1 -I eth0 @GUEST@ || true
name=
for w in $(cat /proc/cmdline); do
	case "$w" in vmtest.case=*) name=${w#vmtest.case=} ;; esac
done
[ -n "$name" ] && [ -f "/cases/$name" ] || { echo "vmtest: no case '$name'"; finish 122; }
echo "VMTEST-START $name $(cut -d' ' -f1 /proc/uptime)"
cd /
sh "/cases/$name"
rc=$?
# A case that mounted a root file system names it here; PID 1 then
# switches to it, whose /sbin/init reports the end itself.
if [ $rc = 0 ] && [ -s /run/vmtest-switch-root ]; then
	newroot=$(cat /run/vmtest-switch-root)
	echo "VMTEST-SWITCH-ROOT $newroot"
	umount /tmp /run
	exec switch_root "$newroot" /sbin/init
fi
finish $rc
`

// image is what goes into a guest's initramfs.
type image struct {
	busybox    string            // static busybox binary
	goiscsi    string            // goiscsi binary
	kernel     Kernel            // whose modules are copied
	modules    []string          // modules.dep paths, in load order
	depLines   string            // modules.dep for those modules
	iscsidConf []byte            // /etc/iscsi/iscsid.conf
	cases      map[string]string // case name → script
	files      map[string][]byte // further files, by absolute guest path
}

// write writes the image, an uncompressed newc cpio archive, to file.
func (im *image) write(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	defer f.Close()
	c := newCPIO(f)
	for _, d := range []string{"bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "run", "tmp", "var", "root", "cases", "etc/iscsi"} {
		if err := c.Dir(d, 0o755); err != nil {
			return err
		}
	}
	if err := c.CharDev("dev/console", 0o600, 5, 1); err != nil {
		return err
	}
	if err := copyIn(c, "bin/busybox", im.busybox); err != nil {
		return err
	}
	if err := copyIn(c, "sbin/goiscsi", im.goiscsi); err != nil {
		return err
	}
	for _, r := range []string{"iscsiadm", "iscsid", "iscsistart", "iscsi-iname"} {
		if err := c.Symlink("sbin/"+r, "goiscsi"); err != nil {
			return err
		}
	}
	modDir := path.Join("lib/modules", im.kernel.Version)
	for _, m := range im.modules {
		if !strings.HasSuffix(m, ".ko") {
			return fmt.Errorf("initramfs: %s: compressed modules are not supported", m)
		}
		if err := copyIn(c, path.Join(modDir, m), filepath.Join(im.kernel.ModDir(), filepath.FromSlash(m))); err != nil {
			return err
		}
	}
	files := map[string][]byte{
		path.Join(modDir, "modules.dep"):   []byte(im.depLines),
		"etc/vmtest/modules":               []byte(strings.Join(im.modules, "\n") + "\n"),
		"etc/iscsi/initiatorname.iscsi":    []byte("InitiatorName=" + InitiatorIQN + "\n"),
		"etc/iscsi/iscsid.conf":            im.iscsidConf,
		"etc/hostname":                     []byte("vmtest\n"),
		"bin/vmtest-run":                   []byte(runScript),
		"init":                             []byte(strings.NewReplacer("@GUEST@", GuestAddr, "@HOST@", HostAddr).Replace(initScript)),
		path.Join(modDir, "modules.order"): []byte(strings.Join(im.modules, "\n") + "\n"),
	}
	for name, script := range im.cases {
		files[path.Join("cases", name)] = []byte(script)
	}
	for name, data := range im.files {
		files[clean(name)] = data
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		perm := uint32(0o644)
		if name == "init" || strings.HasPrefix(name, "bin/") || strings.HasPrefix(name, "cases/") {
			perm = 0o755
		}
		if err := c.File(name, perm, files[name]); err != nil {
			return err
		}
	}
	if err := c.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	return nil
}

// copyIn adds the host file src to the archive as name: executable,
// unless it is a kernel module.
func copyIn(c *cpioWriter, name, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	perm := uint32(0o644)
	if !strings.HasSuffix(name, ".ko") {
		perm = 0o755
	}
	return c.File(name, perm, b)
}
