// Package vmtest is goiscsi's VM test tier: it boots a QEMU guest (TCG,
// no KVM needed) running Debian 12's cloud kernel and a tiny initramfs
// that holds a static busybox, the goiscsi binary built from this
// module, the kernel's iSCSI and virtio modules and a test's shell
// script, and returns what the guest printed on its serial console and
// the script's exit status.
//
// It owns, on the host: the kernel and busybox-static packages, fetched
// once with apt-get into a cache directory (GOISCSI_VMTEST_CACHE, by
// default /var/cache/goiscsi-vmtest) and reused; a network namespace per
// VM (goiscsi-vm-PID), holding the tap device the guest is wired to, the
// host's 10.0.2.2 and a target address 10.0.2.100 where tests run tgtd
// (tgttest.StartAt); and the guest's image, written under the test's
// temporary directory. No traffic leaves that namespace, and nothing is
// configured on the host's own interfaces. The namespace, and every
// process in it, is removed when the test ends.
//
// Tests are skipped, saying why, without root, QEMU, iproute2, /dev/net/tun
// or a kernel (no cached one and no apt-get to fetch one).
package vmtest
