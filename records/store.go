package records

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Default locations, as on Debian and RHEL.
const (
	DefaultDir     = "/etc/iscsi"
	DefaultLockDir = "/run/lock/iscsi"
)

// Store is a record database rooted at Dir.
type Store struct {
	Dir     string
	LockDir string
}

// ErrNotFound is returned for a record that does not exist.
var ErrNotFound = errors.New("record not found")

func (s *Store) path(parts ...string) string {
	return filepath.Join(append([]string{s.Dir}, parts...)...)
}

// NodeRef names one node record: a target at a portal through an iface.
type NodeRef struct {
	Target string
	Portal Portal
	Iface  string
	// Legacy is set for records stored without a tpgt directory
	// (nodes/<target>/<ip>,<port>), which is how open-iscsi stores
	// records whose tpgt is unknown.
	Legacy bool
}

// portalDir is the node directory name: "ip,port,tpgt", or for a legacy
// record the file name "ip,port".
func (r NodeRef) portalDir() string {
	if r.Legacy {
		return r.Portal.DirName()
	}
	return r.Portal.DirName() + "," + strconv.Itoa(r.Portal.TPGT)
}

// File is the path of the record, relative to the root.
func (r NodeRef) File() string {
	if r.Legacy {
		return filepath.Join("nodes", r.Target, r.portalDir())
	}
	return filepath.Join("nodes", r.Target, r.portalDir(), r.Iface)
}

// linkName is the name of the node's link in static/ or send_targets/.
func (r NodeRef) linkName() string {
	return r.Target + "," + r.Portal.DirName() + "," + strconv.Itoa(r.Portal.TPGT) + "," + r.Iface
}

func (r NodeRef) validate() error {
	if err := ValidateTargetName(r.Target); err != nil {
		return err
	}
	if err := ValidateAddress(r.Portal.Addr); err != nil {
		return err
	}
	return ValidateIfaceName(r.Iface)
}

// parsePortalDir reads "ip,port[,tpgt]" (the address may contain ':' but
// never ',').
func parsePortalDir(name string, withTPGT bool) (Portal, bool) {
	parts := strings.Split(name, ",")
	want := 2
	if withTPGT {
		want = 3
	}
	if len(parts) != want {
		return Portal{}, false
	}
	port, err := strconv.Atoi(parts[1])
	if err != nil || ValidateAddress(parts[0]) != nil {
		return Portal{}, false
	}
	p := Portal{Addr: parts[0], Port: port, TPGT: NoTPGT, HasPort: true}
	if withTPGT {
		if p.TPGT, err = strconv.Atoi(parts[2]); err != nil {
			return Portal{}, false
		}
	}
	return p, true
}

// Nodes lists every node record, sorted by target, then portal, then
// iface. Entries whose names are not valid are skipped: they cannot have
// been written by goiscsi and are never followed.
func (s *Store) Nodes() ([]NodeRef, error) {
	targets, err := readDirNames(s.path("nodes"))
	if err != nil {
		return nil, err
	}
	var refs []NodeRef
	for _, t := range targets {
		if ValidateTargetName(t) != nil {
			continue
		}
		entries, err := os.ReadDir(s.path("nodes", t))
		if err != nil {
			continue
		}
		for _, e := range entries {
			refs = append(refs, s.nodeEntry(t, e)...)
		}
	}
	return refs, nil
}

func (s *Store) nodeEntry(target string, e fs.DirEntry) []NodeRef {
	if e.Type().IsRegular() {
		p, ok := parsePortalDir(e.Name(), false)
		if !ok {
			return nil
		}
		rec, err := s.ReadNode(NodeRef{Target: target, Portal: p, Iface: "default", Legacy: true})
		if err != nil {
			return nil
		}
		p.TPGT = rec.Int("node.tpgt")
		return []NodeRef{{Target: target, Portal: p, Iface: nonEmpty(rec.Get("iface.iscsi_ifacename"), "default"), Legacy: true}}
	}
	if !e.IsDir() {
		return nil
	}
	p, ok := parsePortalDir(e.Name(), true)
	if !ok {
		return nil
	}
	ifaces, _ := readDirNames(s.path("nodes", target, e.Name()))
	var refs []NodeRef
	for _, i := range ifaces {
		if ValidateIfaceName(i) == nil {
			refs = append(refs, NodeRef{Target: target, Portal: p, Iface: i})
		}
	}
	return refs
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// readDirNames lists a directory's names sorted; a missing directory is
// empty.
func readDirNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// ReadNode reads a node record. The keys that name the record are taken
// from its path, whatever the file says.
func (s *Store) ReadNode(ref NodeRef) (*Record, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	rec := New(NodeTable)
	if err := readRecord(s.path(ref.File()), rec); err != nil {
		return nil, err
	}
	_ = rec.SetFixed("node.name", ref.Target)
	_ = rec.SetFixed("node.conn[0].address", ref.Portal.Addr)
	_ = rec.SetFixed("node.conn[0].port", strconv.Itoa(ref.Portal.Port))
	if !ref.Legacy {
		_ = rec.SetFixed("node.tpgt", strconv.Itoa(ref.Portal.TPGT))
		_ = rec.SetFixed("iface.iscsi_ifacename", ref.Iface)
	}
	return rec, nil
}

func readRecord(path string, rec *Record) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	data := make([]byte, MaxRecordFile+1)
	n, err := readFull(f, data)
	if err != nil {
		return err
	}
	if n > MaxRecordFile {
		return fmt.Errorf("%s: larger than %d bytes", path, MaxRecordFile)
	}
	return rec.Unmarshal(data[:n])
}

// NodeRefOf returns where rec is stored: records without a tpgt use the
// legacy layout, as open-iscsi does.
func NodeRefOf(rec *Record) NodeRef {
	p := Portal{
		Addr: rec.Get("node.conn[0].address"),
		Port: rec.Int("node.conn[0].port"),
		TPGT: rec.Int("node.tpgt"),
	}
	return NodeRef{
		Target: rec.Get("node.name"),
		Portal: p,
		Iface:  nonEmpty(rec.Get("iface.iscsi_ifacename"), "default"),
		Legacy: p.TPGT == NoTPGT,
	}
}

// WriteNode stores rec at the place its keys name. With static set, the
// record is also linked from static/, as open-iscsi does for records
// made by hand with a tpgt.
func (s *Store) WriteNode(rec *Record, static bool) error {
	ref := NodeRefOf(rec)
	if err := ref.validate(); err != nil {
		return err
	}
	if !ref.Legacy {
		// A tpgt directory replaces a legacy file of the same portal.
		if err := s.removeLegacyFile(ref); err != nil {
			return err
		}
	}
	if err := writeAtomic(s.path(ref.File()), rec.Marshal()); err != nil {
		return err
	}
	if static && !ref.Legacy {
		return s.link(s.path("static", ref.linkName()), s.path("nodes", ref.Target, ref.portalDir()))
	}
	return nil
}

func (s *Store) removeLegacyFile(ref NodeRef) error {
	p := s.path("nodes", ref.Target, ref.Portal.DirName())
	if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
		return os.Remove(p)
	}
	return nil
}

// DeleteNode removes a node record, its links, and the directories left
// empty.
func (s *Store) DeleteNode(ref NodeRef) error {
	if err := ref.validate(); err != nil {
		return err
	}
	if err := os.Remove(s.path(ref.File())); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", ref.File(), ErrNotFound)
		}
		return err
	}
	if !ref.Legacy {
		_ = os.Remove(s.path("static", ref.linkName()))
		if err := s.unlinkFromDiscovery(ref); err != nil {
			return err
		}
		removeIfEmpty(s.path("nodes", ref.Target, ref.portalDir()))
	}
	removeIfEmpty(s.path("nodes", ref.Target))
	return nil
}

// unlinkFromDiscovery removes the node's links in send_targets/.
func (s *Store) unlinkFromDiscovery(ref NodeRef) error {
	portals, err := readDirNames(s.path("send_targets"))
	if err != nil {
		return err
	}
	for _, p := range portals {
		_ = os.Remove(s.path("send_targets", p, ref.linkName()))
	}
	return nil
}

func removeIfEmpty(dir string) {
	_ = os.Remove(dir) // fails, harmlessly, unless dir is empty
}

// link makes (or replaces) a symbolic link name -> target.
func (s *Store) link(name, target string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	if cur, err := os.Readlink(name); err == nil && cur == target {
		return nil
	}
	_ = os.Remove(name)
	return os.Symlink(target, name)
}
