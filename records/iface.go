package records

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// builtinTransport is the transport of the built-in interface name:
// built-in interfaces exist without a file and cannot be changed.
func builtinTransport(name string) (string, bool) {
	switch name {
	case "default":
		return "tcp", true
	case "iser":
		return "iser", true
	}
	return "", false
}

// IsBuiltinIface reports whether name is "default" or "iser".
func IsBuiltinIface(name string) bool {
	_, ok := builtinTransport(name)
	return ok
}

// BuiltinIfaceNames returns the built-in interfaces in listing order.
func BuiltinIfaceNames() []string { return []string{"default", "iser"} }

// NewIface returns an interface record with defaults and the given name.
func NewIface(name string) *Record {
	r := New(IfaceTable)
	_ = r.SetFixed("iface.iscsi_ifacename", name)
	if t, ok := builtinTransport(name); ok {
		_ = r.SetFixed("iface.transport_name", t)
	}
	return r
}

// Ifaces lists the stored interface records (not the built-ins), sorted.
func (s *Store) Ifaces() ([]string, error) {
	names, err := readDirNames(s.path("ifaces"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if ValidateIfaceName(n) == nil && !IsBuiltinIface(n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// ReadIface reads an interface record; the built-ins come from memory.
func (s *Store) ReadIface(name string) (*Record, error) {
	if err := ValidateIfaceName(name); err != nil {
		return nil, err
	}
	rec := NewIface(name)
	if IsBuiltinIface(name) {
		return rec, nil
	}
	if err := readRecord(s.path("ifaces", name), rec); err != nil {
		return nil, err
	}
	_ = rec.SetFixed("iface.iscsi_ifacename", name)
	return rec, nil
}

// IfacePath is the file of a stored interface record.
func (s *Store) IfacePath(name string) string { return s.path("ifaces", name) }

// WriteIface stores an interface record.
func (s *Store) WriteIface(rec *Record) error {
	name := rec.Get("iface.iscsi_ifacename")
	if err := ValidateIfaceName(name); err != nil {
		return err
	}
	if IsBuiltinIface(name) {
		return fmt.Errorf("iface %s is built in and not stored", name)
	}
	return writeAtomic(s.path("ifaces", name), rec.Marshal())
}

// DeleteIface removes a stored interface record.
func (s *Store) DeleteIface(name string) error {
	if err := ValidateIfaceName(name); err != nil {
		return err
	}
	err := os.Remove(s.path("ifaces", name))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("iface %s: %w", name, ErrNotFound)
	}
	return err
}

// EnsureIfacesDir creates ifaces/, as open-iscsi does on every run.
func (s *Store) EnsureIfacesDir() error {
	return os.MkdirAll(s.path("ifaces"), 0o700)
}
