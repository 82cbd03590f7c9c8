#!/bin/sh
# Installs what goiscsi's host test tier needs: Debian's open-iscsi
# (its iscsiadm is the reference the compatibility tests compare with)
# and tgt (a real iSCSI target, run by the tests on 127.0.0.1 only);
# and what the VM tier needs: QEMU (guests run under TCG, no KVM) and
# iproute2 (a network namespace per test holds the guest's tap device)
# and dnsmasq-base (dnsmasq without its service: the DHCP boot test runs
# it on the namespace's tap device only).
# The VM tier fetches Debian's cloud kernel and busybox-static itself,
# with apt-get download, into /var/cache/goiscsi-vmtest.
# Without root or apt the tiers are skipped, and this says so.
set -u
need=""
[ -x /sbin/iscsiadm ] || need="open-iscsi"
[ -x /usr/sbin/tgtd ] || need="$need tgt"
command -v unshare >/dev/null 2>&1 || need="$need util-linux"
vmneed=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || vmneed="qemu-system-x86"
command -v ip >/dev/null 2>&1 || vmneed="$vmneed iproute2"
command -v dpkg-deb >/dev/null 2>&1 || vmneed="$vmneed dpkg"
command -v mke2fs >/dev/null 2>&1 || vmneed="$vmneed e2fsprogs"
[ -x /usr/sbin/dnsmasq ] || command -v dnsmasq >/dev/null 2>&1 || vmneed="$vmneed dnsmasq-base"
[ -z "$need" ] && [ -z "$vmneed" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	[ -n "$need" ] && echo "test-deps: not root or no apt-get: host tier will be SKIPPED (needs: $need)"
	[ -n "$vmneed" ] && echo "test-deps: not root or no apt-get: VM tier will be SKIPPED (needs: $vmneed)"
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
if [ -n "$need" ]; then
	echo "test-deps: installing $need"
	if ! apt-get install -y -qq $need >/dev/null 2>&1; then
		echo "test-deps: apt-get install $need failed: host tier will be SKIPPED"
	fi
fi
if [ -n "$vmneed" ]; then
	echo "test-deps: installing $vmneed"
	if ! apt-get install -y -qq --no-install-recommends $vmneed >/dev/null 2>&1; then
		echo "test-deps: apt-get install $vmneed failed: VM tier will be SKIPPED"
	fi
fi
exit 0
