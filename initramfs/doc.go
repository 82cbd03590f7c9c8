// Package initramfs builds the initramfs that boots a diskless machine
// from an iSCSI root disk: a reproducible newc cpio archive holding the
// static goiscsi binary as /init and /sbin/goiscsi (with its role
// symlinks), the kernel modules an iSCSI root needs, resolved with their
// dependencies from a module tree's modules.dep and trimmed indexes
// beside them, /etc/iscsi configuration, the mount points and device
// nodes PID 1 expects, and optionally a rescue shell.
//
// It owns this package and its command, cmd/mkinitramfs. It is a
// build-time tool and is never linked into the goiscsi binary (the
// architecture test enforces that nothing else imports it).
//
// Of u-root it uses only pkg/cpio (the newc writer and reader, the
// record helpers and cpio.MakeReproducible), not u-root's image builder
// (mkuimage): the archive here is a handful of files already built, so
// the builder's Go toolchain driving, busybox compilation and their
// dependencies would add a large go.sum and a slower, less reliable
// build for nothing. The import of pkg/cpio pins u-root at v0.16.0 in
// go.mod, as a direct requirement, with no tools file needed.
package initramfs
