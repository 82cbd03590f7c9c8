package vmtest

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strings"
)

// cpioWriter writes a cpio archive in the "newc" format the kernel
// unpacks as an initramfs. It writes each missing parent directory
// before an entry, since the kernel does not create them.
type cpioWriter struct {
	w    *bufio.Writer
	ino  uint32
	dirs map[string]bool
	err  error
}

// File-type bits of a cpio mode.
const (
	modeType    = 0o170000
	modeDir     = 0o040000
	modeFile    = 0o100000
	modeSymlink = 0o120000
	modeChar    = 0o020000
)

func newCPIO(w io.Writer) *cpioWriter {
	return &cpioWriter{w: bufio.NewWriter(w), dirs: map[string]bool{".": true, "": true}}
}

// Dir adds directory name (and its parents).
func (c *cpioWriter) Dir(name string, perm uint32) error {
	name = clean(name)
	if c.dirs[name] {
		return c.err
	}
	c.parents(name)
	c.dirs[name] = true
	return c.entry(name, modeDir|perm, 0, 0, nil)
}

// File adds a regular file.
func (c *cpioWriter) File(name string, perm uint32, data []byte) error {
	name = clean(name)
	c.parents(name)
	return c.entry(name, modeFile|perm, 0, 0, data)
}

// Symlink adds name pointing at target.
func (c *cpioWriter) Symlink(name, target string) error {
	name = clean(name)
	c.parents(name)
	return c.entry(name, modeSymlink|0o777, 0, 0, []byte(target))
}

// CharDev adds a character device node.
func (c *cpioWriter) CharDev(name string, perm, major, minor uint32) error {
	name = clean(name)
	c.parents(name)
	return c.entry(name, modeChar|perm, major, minor, nil)
}

// Close writes the trailer and flushes; it does not close the
// underlying writer.
func (c *cpioWriter) Close() error {
	if err := c.entry("TRAILER!!!", 0, 0, 0, nil); err != nil {
		return err
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("cpio: %w", err)
	}
	return nil
}

func (c *cpioWriter) parents(name string) {
	if d := path.Dir(name); !c.dirs[d] {
		_ = c.Dir(d, 0o755)
	}
}

// entry writes one header, name and data, each padded to four bytes;
// major and minor are a device node's numbers.
func (c *cpioWriter) entry(name string, mode, major, minor uint32, data []byte) error {
	if c.err != nil {
		return c.err
	}
	c.ino++
	nlink := uint32(1)
	if mode&modeType == modeDir {
		nlink = 2
	}
	fields := []uint32{
		c.ino, mode, 0, 0, nlink, 0, uint32(len(data)),
		0, 0, major, minor, uint32(len(name) + 1), 0,
	}
	var h strings.Builder
	h.WriteString("070701")
	for _, f := range fields {
		fmt.Fprintf(&h, "%08X", f)
	}
	h.WriteString(name)
	h.WriteByte(0)
	hdr := h.String()
	if _, err := io.WriteString(c.w, hdr+strings.Repeat("\x00", pad4(len(hdr)))); err != nil {
		c.err = fmt.Errorf("cpio: %s: %w", name, err)
		return c.err
	}
	if _, err := c.w.Write(data); err != nil {
		c.err = fmt.Errorf("cpio: %s: %w", name, err)
		return c.err
	}
	if _, err := c.w.Write(make([]byte, pad4(len(data)))); err != nil {
		c.err = fmt.Errorf("cpio: %s: %w", name, err)
	}
	return c.err
}

// pad4 is how many zero bytes bring n to a multiple of four.
func pad4(n int) int { return (4 - n%4) % 4 }

// clean makes an archive path: relative, no "." or "..", no slashes at
// either end.
func clean(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}
