package initramfs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/u-root/u-root/pkg/cpio"
)

// fixtureHash is the SHA-256 of the archive fixtureConfig builds. It
// changes only when the layout, the fixture or u-root's writer does:
// update it then, knowingly.
const fixtureHash = "a6fbbc47fc941186a70e5df2b8edc8002a221338b3201803c2185b1bf50de6d3"

const fixtureVersion = "6.1.0-test"

// writeFile writes data to dir/name, making parent directories.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fixtureTree makes a fake module tree: the iSCSI stack with its
// dependencies, a NIC with a dependency, ext4 built in, a module with a
// soft dependency reached through an alias, and modules nobody asks for.
func fixtureTree(t *testing.T, root string) string {
	t.Helper()
	dir := filepath.Join(root, "lib", "modules", fixtureVersion)
	mods := map[string]string{
		"kernel/drivers/scsi/scsi_common.ko":          "",
		"kernel/drivers/scsi/scsi_mod.ko":             "kernel/drivers/scsi/scsi_common.ko",
		"kernel/drivers/scsi/scsi_transport_iscsi.ko": "kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko",
		"kernel/drivers/scsi/libiscsi.ko":             "kernel/drivers/scsi/scsi_transport_iscsi.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko",
		"kernel/drivers/scsi/libiscsi_tcp.ko":         "kernel/drivers/scsi/libiscsi.ko kernel/drivers/scsi/scsi_transport_iscsi.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko",
		"kernel/drivers/scsi/iscsi_tcp.ko":            "kernel/drivers/scsi/libiscsi_tcp.ko kernel/drivers/scsi/libiscsi.ko kernel/drivers/scsi/scsi_transport_iscsi.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko",
		"kernel/drivers/scsi/sd_mod.ko":               "kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko",
		"kernel/drivers/net/virtio_net.ko":            "kernel/drivers/virtio/virtio.ko",
		"kernel/drivers/virtio/virtio.ko":             "",
		"kernel/arch/x86/crypto/crc32c-intel.ko":      "",
		"kernel/drivers/net/dummy_nic.ko":             "kernel/drivers/net/dummy_lib.ko",
		"kernel/drivers/net/dummy_lib.ko":             "",
		"kernel/drivers/net/unused.ko":                "",
	}
	order := []string{
		"kernel/drivers/scsi/scsi_common.ko", "kernel/drivers/scsi/scsi_mod.ko",
		"kernel/drivers/scsi/scsi_transport_iscsi.ko", "kernel/drivers/scsi/libiscsi.ko",
		"kernel/drivers/scsi/libiscsi_tcp.ko", "kernel/drivers/scsi/iscsi_tcp.ko",
		"kernel/drivers/scsi/sd_mod.ko", "kernel/drivers/virtio/virtio.ko",
		"kernel/drivers/net/virtio_net.ko", "kernel/arch/x86/crypto/crc32c-intel.ko",
		"kernel/drivers/net/dummy_lib.ko", "kernel/drivers/net/dummy_nic.ko", "kernel/drivers/net/unused.ko",
	}
	var dep strings.Builder
	for _, m := range order {
		dep.WriteString(m + ": " + mods[m] + "\n")
		writeFile(t, dir, m, "\x7fmodule "+m)
	}
	writeFile(t, dir, "modules.dep", strings.ReplaceAll(dep.String(), ": \n", ":\n"))
	writeFile(t, dir, "modules.order", strings.Join(order, "\n")+"\n")
	writeFile(t, dir, "modules.builtin", "kernel/fs/ext4/ext4.ko\nkernel/fs/jbd2/jbd2.ko\n")
	writeFile(t, dir, "modules.alias", "# Aliases extracted from modules themselves.\n"+
		"alias crc32c crc32c_intel\nalias crypto-crc32c crc32c_intel\n"+
		"alias virtio:d00000001v* virtio_net\nalias unused-alias unused\n")
	writeFile(t, dir, "modules.softdep", "# Soft dependencies extracted from modules themselves.\n"+
		"softdep iscsi_tcp pre: crc32c\nsoftdep unused pre: dummy_lib\n")
	writeFile(t, dir, "modules.symbols", "alias symbol:foo unused\n")
	return dir
}

// fixtureConfig makes the fake binary, configuration and module tree.
func fixtureConfig(t *testing.T) Config {
	t.Helper()
	root := t.TempDir()
	return Config{
		Binary:        writeFile(t, root, "bin/goiscsi", "#!fake goiscsi binary\n"),
		Modules:       fixtureTree(t, root),
		ISCSIDConf:    writeFile(t, root, "dist/iscsid.conf", "node.startup = manual\n"),
		InitiatorName: "iqn.2016-04.com.open-iscsi:0123456789ab",
		Shell:         writeFile(t, root, "busybox", "#!fake busybox\n"),
		ExtraModules:  []string{"dummy-nic", "no_such_module"},
	}
}

func build(t *testing.T, cfg Config) ([]byte, *Result) {
	t.Helper()
	var b bytes.Buffer
	res, err := Build(&b, cfg)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if res.Size != int64(b.Len()) {
		t.Errorf("Result.Size = %d, wrote %d bytes", res.Size, b.Len())
	}
	return b.Bytes(), res
}

// readArchive reads an archive back with u-root's reader.
func readArchive(t *testing.T, data []byte) []cpio.Record {
	t.Helper()
	recs, err := cpio.ReadAllRecords(cpio.EOFReader{RecordReader: cpio.Newc.Reader(bytes.NewReader(data))})
	if err != nil {
		t.Fatalf("reading the archive back: %v", err)
	}
	return recs
}

func content(t *testing.T, r cpio.Record) string {
	t.Helper()
	b, err := io.ReadAll(io.NewSectionReader(r.ReaderAt, 0, int64(r.FileSize)))
	if err != nil {
		t.Fatalf("%s: %v", r.Name, err)
	}
	return string(b)
}

func TestBuildFixture(t *testing.T) {
	data, res := build(t, fixtureConfig(t))
	recs := readArchive(t, data)
	byName := map[string]cpio.Record{}
	prev := ""
	for i, r := range recs {
		if r.Name <= prev {
			t.Errorf("record %q after %q: not sorted", r.Name, prev)
		}
		prev = r.Name
		if r.Ino != uint64(i+1) || r.UID != 0 || r.GID != 0 || r.MTime != 0 {
			t.Errorf("%s: ino %d uid %d gid %d mtime %d; want ino %d and zeros", r.Name, r.Ino, r.UID, r.GID, r.MTime, i+1)
		}
		if wantLinks := map[bool]uint64{true: 2, false: 1}[r.Mode&cpio.S_IFMT == cpio.S_IFDIR]; r.NLink != wantLinks {
			t.Errorf("%s: nlink %d, want %d", r.Name, r.NLink, wantLinks)
		}
		if d := filepathDir(r.Name); d != "." {
			if p, ok := byName[d]; !ok || p.Mode&cpio.S_IFMT != cpio.S_IFDIR {
				t.Errorf("%s comes before its directory %s", r.Name, d)
			}
		}
		byName[r.Name] = r
	}
	if res.Entries != len(recs) {
		t.Errorf("Result.Entries = %d, archive has %d", res.Entries, len(recs))
	}

	mod := "lib/modules/" + fixtureVersion + "/"
	want := map[string]struct {
		mode    uint64
		content string // file content or symlink target; "-" skips the check
	}{
		"init":                                   {cpio.S_IFLNK | 0o777, "sbin/goiscsi"},
		"sbin/goiscsi":                           {cpio.S_IFREG | 0o755, "#!fake goiscsi binary\n"},
		"sbin/iscsiadm":                          {cpio.S_IFLNK | 0o777, "goiscsi"},
		"sbin/iscsid":                            {cpio.S_IFLNK | 0o777, "goiscsi"},
		"sbin/iscsistart":                        {cpio.S_IFLNK | 0o777, "goiscsi"},
		"sbin/iscsi-iname":                       {cpio.S_IFLNK | 0o777, "goiscsi"},
		"bin/busybox":                            {cpio.S_IFREG | 0o755, "#!fake busybox\n"},
		"bin/sh":                                 {cpio.S_IFLNK | 0o777, "busybox"},
		"etc/iscsi/iscsid.conf":                  {cpio.S_IFREG | 0o600, "node.startup = manual\n"},
		"etc/iscsi/initiatorname.iscsi":          {cpio.S_IFREG | 0o600, "InitiatorName=iqn.2016-04.com.open-iscsi:0123456789ab\n"},
		"proc":                                   {cpio.S_IFDIR | 0o555, ""},
		"sys":                                    {cpio.S_IFDIR | 0o555, ""},
		"dev":                                    {cpio.S_IFDIR | 0o755, ""},
		"run":                                    {cpio.S_IFDIR | 0o755, ""},
		"tmp":                                    {cpio.S_IFDIR | 0o1777, ""},
		"newroot":                                {cpio.S_IFDIR | 0o755, ""},
		"dev/console":                            {cpio.S_IFCHR | 0o600, ""},
		"dev/null":                               {cpio.S_IFCHR | 0o666, ""},
		mod + "kernel/drivers/scsi/iscsi_tcp.ko": {cpio.S_IFREG | 0o644, "\x7fmodule kernel/drivers/scsi/iscsi_tcp.ko"},
		mod + "kernel/drivers/scsi/scsi_common.ko":          {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/drivers/scsi/scsi_mod.ko":             {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/drivers/scsi/libiscsi.ko":             {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/drivers/scsi/libiscsi_tcp.ko":         {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/drivers/scsi/sd_mod.ko":               {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/drivers/net/virtio_net.ko":            {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/drivers/virtio/virtio.ko":             {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/drivers/net/dummy_nic.ko":             {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/drivers/net/dummy_lib.ko":             {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/arch/x86/crypto/crc32c-intel.ko":      {cpio.S_IFREG | 0o644, "-"},
		mod + "kernel/drivers/scsi/scsi_transport_iscsi.ko": {cpio.S_IFREG | 0o644, "-"},
		mod + "modules.builtin":                             {cpio.S_IFREG | 0o644, "kernel/fs/ext4/ext4.ko\nkernel/fs/jbd2/jbd2.ko\n"},
		mod + "modules.alias": {cpio.S_IFREG | 0o644, "alias crc32c crc32c_intel\nalias crypto-crc32c crc32c_intel\n" +
			"alias virtio:d00000001v* virtio_net\n"},
		mod + "modules.softdep": {cpio.S_IFREG | 0o644, "softdep iscsi_tcp pre: crc32c\n"},
		mod + "modules.dep": {cpio.S_IFREG | 0o644, "kernel/drivers/scsi/scsi_common.ko:\n" +
			"kernel/drivers/scsi/scsi_mod.ko: kernel/drivers/scsi/scsi_common.ko\n" +
			"kernel/drivers/scsi/scsi_transport_iscsi.ko: kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n" +
			"kernel/drivers/scsi/libiscsi.ko: kernel/drivers/scsi/scsi_transport_iscsi.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n" +
			"kernel/drivers/scsi/libiscsi_tcp.ko: kernel/drivers/scsi/libiscsi.ko kernel/drivers/scsi/scsi_transport_iscsi.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n" +
			"kernel/drivers/scsi/iscsi_tcp.ko: kernel/drivers/scsi/libiscsi_tcp.ko kernel/drivers/scsi/libiscsi.ko kernel/drivers/scsi/scsi_transport_iscsi.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n" +
			"kernel/drivers/scsi/sd_mod.ko: kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n" +
			"kernel/drivers/virtio/virtio.ko:\n" +
			"kernel/drivers/net/virtio_net.ko: kernel/drivers/virtio/virtio.ko\n" +
			"kernel/arch/x86/crypto/crc32c-intel.ko:\n" +
			"kernel/drivers/net/dummy_lib.ko:\n" +
			"kernel/drivers/net/dummy_nic.ko: kernel/drivers/net/dummy_lib.ko\n"},
	}
	for name, w := range want {
		r, ok := byName[name]
		if !ok {
			t.Errorf("%s missing from the archive", name)
			continue
		}
		if r.Mode != w.mode {
			t.Errorf("%s: mode %#o, want %#o", name, r.Mode, w.mode)
		}
		if w.content != "-" {
			if got := content(t, r); got != w.content {
				t.Errorf("%s: content %q, want %q", name, got, w.content)
			}
		}
	}
	for _, d := range []struct {
		name         string
		major, minor uint64
	}{{"dev/console", 5, 1}, {"dev/null", 1, 3}} {
		if r := byName[d.name]; r.Rmajor != d.major || r.Rminor != d.minor {
			t.Errorf("%s: device %d:%d, want %d:%d", d.name, r.Rmajor, r.Rminor, d.major, d.minor)
		}
	}
	for _, name := range []string{"kernel/drivers/net/unused.ko", "kernel/fs/ext4/ext4.ko", "modules.symbols"} {
		if _, ok := byName[mod+name]; ok {
			t.Errorf("%s is in the archive; it should not be", mod+name)
		}
	}
	if got := strings.Join(res.Modules.Builtin, " "); got != "ext4" {
		t.Errorf("built-in modules skipped: %q, want ext4", got)
	}
	if got := strings.Join(res.Modules.Absent, " "); got != "e1000 e1000e iscsi_ibft no_such_module virtio_pci" {
		t.Errorf("absent modules skipped: %q", got)
	}
	order := content(t, byName[mod+"modules.order"])
	if !strings.HasPrefix(order, "kernel/drivers/scsi/scsi_common.ko\n") || strings.Contains(order, "unused") ||
		strings.Count(order, "\n") != 12 {
		t.Errorf("modules.order:\n%s", order)
	}
}

func filepathDir(name string) string { return filepath.ToSlash(filepath.Dir(name)) }

func TestReproducible(t *testing.T) {
	cfg := fixtureConfig(t)
	a, _ := build(t, cfg)
	// A second tree with other mtimes and another temporary path
	// must give the same bytes.
	cfg2 := fixtureConfig(t)
	old := time.Unix(1_000_000_000, 0)
	if err := os.Chtimes(cfg2.Binary, old, old); err != nil {
		t.Fatal(err)
	}
	b, _ := build(t, cfg2)
	if !bytes.Equal(a, b) {
		t.Fatal("two builds from the same inputs differ")
	}
	sum := sha256.Sum256(a)
	if got := hex.EncodeToString(sum[:]); got != fixtureHash {
		t.Errorf("fixture archive SHA-256 = %s, want %s", got, fixtureHash)
	}
}

func TestRefusals(t *testing.T) {
	cfg := fixtureConfig(t)
	tests := []struct {
		name   string
		change func(*Config)
		want   string
		is     error
	}{
		{"missing binary", func(c *Config) { c.Binary = c.Binary + ".missing" }, "goiscsi binary", fs.ErrNotExist},
		{"no binary", func(c *Config) { c.Binary = "" }, "no goiscsi binary", nil},
		{"missing module tree", func(c *Config) { c.Modules = c.Modules + ".missing" }, "kernel module tree", fs.ErrNotExist},
		{"no module tree", func(c *Config) { c.Modules = "" }, "no kernel module tree", nil},
		{"tree without modules.dep", func(c *Config) { c.Modules = filepath.Dir(c.Modules) }, "modules.dep", fs.ErrNotExist},
		{"missing iscsid.conf", func(c *Config) { c.ISCSIDConf += ".missing" }, "iscsid.conf", fs.ErrNotExist},
		{"missing shell", func(c *Config) { c.Shell += ".missing" }, "rescue shell", fs.ErrNotExist},
		{"bad initiator name", func(c *Config) { c.InitiatorName = "not an iqn" }, "initiator name", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			tc.change(&c)
			_, err := Build(io.Discard, c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build: %v; want an error about %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Build: %v does not wrap %v", err, tc.is)
			}
		})
	}
}

func TestDynamicBinaryRefused(t *testing.T) {
	// The test binary itself may be dynamic or static; build a
	// minimal ELF header with a PT_INTERP program header instead.
	cfg := fixtureConfig(t)
	cfg.Binary = writeFile(t, t.TempDir(), "dyn", string(dynamicELF()))
	_, err := Build(io.Discard, cfg)
	if err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Fatalf("Build with a dynamic binary: %v", err)
	}
}
