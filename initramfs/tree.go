package initramfs

import (
	"fmt"
	"io"
	"path"
	"sort"

	"github.com/u-root/u-root/pkg/cpio"
)

// Tree is the file tree of an initramfs being assembled: records by
// path, every parent directory present. Its archive is reproducible:
// records sorted by path (so a directory precedes what it holds), inode
// numbers counted in that order, and owner, times and devices zeroed
// by cpio.MakeReproducible.
type Tree struct {
	entries map[string]cpio.Record
}

// NewTree returns an empty tree.
func NewTree() *Tree { return &Tree{entries: map[string]cpio.Record{}} }

// add stores r at its normalised path, after every missing parent
// directory (mode 0755). A later record at the same path replaces the
// earlier one, except that a directory never replaces anything.
func (t *Tree) add(r cpio.Record) {
	r.Name = cpio.Normalize(r.Name)
	for d := path.Dir(r.Name); d != "." && d != "/"; d = path.Dir(d) {
		if _, ok := t.entries[d]; !ok {
			t.entries[d] = cpio.Directory(d, 0o755)
		}
	}
	if old, ok := t.entries[r.Name]; ok && r.Mode&cpio.S_IFMT == cpio.S_IFDIR {
		if old.Mode&cpio.S_IFMT == cpio.S_IFDIR {
			old.Mode = r.Mode
			t.entries[r.Name] = old
		}
		return
	}
	t.entries[r.Name] = r
}

// Dir adds a directory with permission bits perm (sticky bit allowed).
func (t *Tree) Dir(name string, perm uint64) { t.add(cpio.Directory(name, perm)) }

// File adds a regular file holding data.
func (t *Tree) File(name string, perm uint64, data []byte) {
	t.add(cpio.StaticRecord(data, cpio.Info{Name: name, Mode: cpio.S_IFREG | perm}))
}

// Symlink adds a symbolic link to target.
func (t *Tree) Symlink(name, target string) { t.add(cpio.Symlink(name, target)) }

// CharDev adds a character device node; no privilege is needed, it is
// only a record until the kernel unpacks it.
func (t *Tree) CharDev(name string, perm, major, minor uint64) {
	t.add(cpio.CharDev(name, perm, major, minor))
}

// Names returns the paths in the tree, sorted as they are written.
func (t *Tree) Names() []string {
	names := make([]string, 0, len(t.entries))
	for n := range t.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// WriteTo writes the tree to w as a newc cpio archive with its trailer
// and returns the archive's size.
func (t *Tree) WriteTo(w io.Writer) (int64, error) {
	cnt := &counter{w: w}
	cw := cpio.Newc.Writer(cnt)
	for i, name := range t.Names() {
		// MakeReproducible first: it would turn a directory's link
		// count of 2 into "unknown" (all ones).
		r := cpio.MakeReproducible(t.entries[name])
		r.Ino = uint64(i + 1)
		r.NLink = 1
		if r.Mode&cpio.S_IFMT == cpio.S_IFDIR {
			r.NLink = 2
		}
		if err := cw.WriteRecord(r); err != nil {
			return cnt.n, fmt.Errorf("initramfs: writing %s: %w", name, err)
		}
	}
	if err := cpio.WriteTrailer(cw); err != nil {
		return cnt.n, fmt.Errorf("initramfs: writing the trailer: %w", err)
	}
	return cnt.n, nil
}

// counter counts the bytes written through it.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
