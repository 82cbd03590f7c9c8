package vmtest

import (
	"reflect"
	"strings"
	"testing"
)

// A piece of Debian 6.1 cloud kernel's modules.dep, as busybox depmod
// writes it: each module lists every module it needs.
const testDep = `kernel/drivers/scsi/iscsi_tcp.ko: kernel/drivers/scsi/libiscsi_tcp.ko kernel/drivers/scsi/libiscsi.ko kernel/drivers/scsi/scsi_transport_iscsi.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko
kernel/drivers/scsi/sd_mod.ko: kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko
kernel/drivers/scsi/libiscsi_tcp.ko: kernel/drivers/scsi/libiscsi.ko kernel/drivers/scsi/scsi_transport_iscsi.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko
kernel/drivers/scsi/libiscsi.ko: kernel/drivers/scsi/scsi_transport_iscsi.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko
kernel/drivers/scsi/scsi_transport_iscsi.ko: kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko
kernel/drivers/scsi/scsi_mod.ko: kernel/drivers/scsi/scsi_common.ko
kernel/drivers/scsi/scsi_common.ko:
kernel/drivers/net/virtio_net.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko
kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
kernel/net/core/failover.ko:
kernel/drivers/char/hw_random/virtio-rng.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_pci_modern_dev.ko:
kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
`

const testBuiltin = "kernel/crypto/crc32c_generic.ko\nkernel/lib/crc16.ko\n"

func TestResolve(t *testing.T) {
	ix, err := parseModIndex(strings.NewReader(testDep), strings.NewReader(testBuiltin))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ix.resolve(guestModules())
	if err != nil {
		t.Fatal(err)
	}
	short := make([]string, len(got))
	pos := map[string]int{}
	for i, p := range got {
		short[i] = modName(p)
		if _, dup := pos[p]; dup {
			t.Errorf("%s listed twice", p)
		}
		pos[p] = i
	}
	for _, p := range got {
		for _, d := range ix.deps[p] {
			if pos[d] >= pos[p] {
				t.Errorf("%s loaded before %s, which it needs", p, d)
			}
		}
	}
	want := []string{
		"virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_ring", "virtio", "virtio_pci",
		"failover", "net_failover", "virtio_net", "virtio_rng",
		"scsi_common", "scsi_mod", "sd_mod", "scsi_transport_iscsi", "libiscsi", "libiscsi_tcp", "iscsi_tcp",
	}
	if !reflect.DeepEqual(short, want) {
		t.Errorf("load order %q, want %q", short, want)
	}
	if lines := ix.depLines(got[:2]); lines != "kernel/drivers/virtio/virtio_pci_modern_dev.ko:\nkernel/drivers/virtio/virtio_pci_legacy_dev.ko:\n" {
		t.Errorf("depLines = %q", lines)
	}
}

func TestResolveErrors(t *testing.T) {
	for name, c := range map[string]struct{ dep, want string }{
		"unknown":  {"a.ko:\n", "module nope: neither"},
		"loop":     {"a.ko: b.ko\nb.ko: a.ko\n", "dependency loop"},
		"dangling": {"a.ko: b.ko\n", "b.ko is needed but has no line"},
		"bad line": {"a.ko b.ko\n", "bad line"},
	} {
		ix, err := parseModIndex(strings.NewReader(c.dep), strings.NewReader(""))
		if err == nil {
			want := []string{"a"}
			if name == "unknown" {
				want = []string{"nope"}
			}
			_, err = ix.resolve(want)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

func TestModName(t *testing.T) {
	for in, want := range map[string]string{
		"kernel/drivers/char/hw_random/virtio-rng.ko": "virtio_rng",
		"sd_mod.ko.xz": "sd_mod", "iscsi_tcp": "iscsi_tcp", "a/b-c.ko.zst": "b_c",
	} {
		if got := modName(in); got != want {
			t.Errorf("modName(%q) = %q, want %q", in, got, want)
		}
	}
}
