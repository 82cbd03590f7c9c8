package records

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
)

// NewDiscovery returns a SendTargets discovery record for p with defaults.
func NewDiscovery(p Portal) *Record {
	r := New(DiscoveryTable)
	_ = r.SetFixed("discovery.sendtargets.address", p.Addr)
	_ = r.SetFixed("discovery.sendtargets.port", strconv.Itoa(p.Port))
	return r
}

// Discoveries lists the SendTargets discovery records, sorted.
func (s *Store) Discoveries() ([]Portal, error) {
	names, err := readDirNames(s.path("send_targets"))
	if err != nil {
		return nil, err
	}
	var out []Portal
	for _, n := range names {
		if p, ok := parsePortalDir(n, false); ok {
			if _, err := os.Stat(s.path("send_targets", n, "st_config")); err == nil {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// ReadDiscovery reads the SendTargets record of portal p.
func (s *Store) ReadDiscovery(p Portal) (*Record, error) {
	if err := ValidateAddress(p.Addr); err != nil {
		return nil, err
	}
	rec := NewDiscovery(p)
	if err := readRecord(s.path("send_targets", p.DirName(), "st_config"), rec); err != nil {
		return nil, err
	}
	_ = rec.SetFixed("discovery.sendtargets.address", p.Addr)
	_ = rec.SetFixed("discovery.sendtargets.port", strconv.Itoa(p.Port))
	return rec, nil
}

// WriteDiscovery stores a SendTargets record.
func (s *Store) WriteDiscovery(rec *Record) error {
	p := Portal{Addr: rec.Get("discovery.sendtargets.address"), Port: rec.Int("discovery.sendtargets.port")}
	if err := ValidateAddress(p.Addr); err != nil {
		return err
	}
	return writeAtomic(s.path("send_targets", p.DirName(), "st_config"), rec.Marshal())
}

// DeleteDiscovery removes a SendTargets record and its node links (the
// nodes themselves stay, as deleting through -o delete of a discovery
// record is the caller's decision).
func (s *Store) DeleteDiscovery(p Portal) error {
	if err := ValidateAddress(p.Addr); err != nil {
		return err
	}
	dir := s.path("send_targets", p.DirName())
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", p.DirName(), ErrNotFound)
	}
	return os.RemoveAll(dir)
}

// LinkDiscoveredNode links a node record from its discovery record's
// directory, as open-iscsi does for SendTargets results.
func (s *Store) LinkDiscoveredNode(via Portal, ref NodeRef) error {
	if err := ValidateAddress(via.Addr); err != nil {
		return err
	}
	if err := ref.validate(); err != nil || ref.Legacy {
		return err
	}
	return s.link(s.path("send_targets", via.DirName(), ref.linkName()), s.path("nodes", ref.Target, ref.portalDir()))
}
