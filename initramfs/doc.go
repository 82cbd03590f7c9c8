// Package initramfs will build the u-root initramfs that boots a
// diskless machine from an iSCSI root disk. It is a build-time tool and
// is never linked into the goiscsi binary.
package initramfs
