#!/bin/sh
# Installs what goiscsi's host test tier needs: Debian's open-iscsi
# (its iscsiadm is the reference the compatibility tests compare with)
# and tgt (a real iSCSI target, run by the tests on 127.0.0.1 only).
# Without root or apt the tier is skipped, and this says so.
set -u
need=""
[ -x /sbin/iscsiadm ] || need="open-iscsi"
[ -x /usr/sbin/tgtd ] || need="$need tgt"
command -v unshare >/dev/null 2>&1 || need="$need util-linux"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "test-deps: not root or no apt-get: host tier will be SKIPPED (needs: $need)"
	exit 0
fi
echo "test-deps: installing $need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
if ! apt-get install -y -qq $need >/dev/null 2>&1; then
	echo "test-deps: apt-get install $need failed: host tier will be SKIPPED"
fi
exit 0
