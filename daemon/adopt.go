package daemon

import (
	"context"
	"fmt"
	"strconv"

	"github.com/goiscsi/goiscsi/records"
	"github.com/goiscsi/goiscsi/sysfs"
)

// RecordLookup finds the node record of a session's target and portal;
// nil when there is none.
type RecordLookup func(target, addr string, port int) *records.Record

// Adopt takes over the sessions sysfs shows and this daemon does not
// manage yet: those an iscsistart logged in at boot (goiscsi's or
// open-iscsi's) or an iscsid that died left. It builds each session's
// login from its node record when there is one and from sysfs (target,
// portal, initiator name, CHAP, replacement timeout) otherwise. A
// session the kernel already reports failed is recovered at once; the
// others are watched for connection errors. I/O is never stopped: the
// kernel keeps running the session while nobody holds it.
func (m *Manager) Adopt(ctx context.Context, lookup RecordLookup, defaults *records.Record) ([]uint32, error) {
	sys := m.Engine.Sys
	sids, err := sys.Sessions()
	if err != nil {
		return nil, fmt.Errorf("listing sessions in sysfs: %w", err)
	}
	var adopted []uint32
	for _, sid := range sids {
		if _, ok := m.Session(uint32(sid)); ok {
			continue
		}
		ms, err := m.adoptOne(sys, sid, lookup, defaults)
		if err != nil {
			m.logf("can not adopt session %d: %v", sid, err)
			continue
		}
		adopted = append(adopted, uint32(sid))
		m.mu.Lock()
		failed := ms.state == "FAILED"
		ms.state = StateNoChange
		if failed && !m.closed {
			m.startRecovery(ctx, ms)
		}
		m.mu.Unlock()
	}
	return adopted, nil
}

func (m *Manager) adoptOne(sys sysfs.Root, sid int, lookup RecordLookup, defaults *records.Record) (*managed, error) {
	ss, err := sys.ReadSession(sid)
	if err != nil {
		return nil, err
	}
	attr := func(class, dir, name string) string {
		v, err := sys.Attr(class, dir, name)
		if err != nil || v == "(null)" {
			return ""
		}
		return v
	}
	dir := "session" + strconv.Itoa(sid)
	rec := defaults.Clone()
	if lookup != nil {
		if r := lookup(ss.Target, ss.Address, ss.Port); r != nil {
			rec = r.Clone()
		}
	}
	for k, v := range map[string]string{"node.name": ss.Target, "node.conn[0].address": ss.Address,
		"node.conn[0].port": strconv.Itoa(ss.Port), "node.tpgt": strconv.Itoa(ss.TPGT)} {
		if err := rec.SetFixed(k, v); err != nil {
			return nil, fmt.Errorf("session %d: %w", sid, err)
		}
	}
	t, err := TargetFromRecord(rec, attr("class/iscsi_session", dir, "initiatorname"))
	if err != nil {
		return nil, fmt.Errorf("session %d: %w", sid, err)
	}
	if u := attr("class/iscsi_session", dir, "username"); u != "" {
		t.Auth.Method, t.Auth.Username = "CHAP", u
		t.Auth.Password = attr("class/iscsi_session", dir, "password")
		t.Auth.UsernameIn = attr("class/iscsi_session", dir, "username_in")
		t.Auth.PasswordIn = attr("class/iscsi_session", dir, "password_in")
	}
	if ss.RecoveryTmo != 0 {
		t.RecoveryTmo = ss.RecoveryTmo
	}
	host := uint32(0)
	if ss.Host >= 0 {
		host = uint32(ss.Host)
	}
	s, err := m.Engine.NewSession(uint32(sid), 0, host, t)
	if err != nil {
		return nil, err
	}
	ms := m.add(s)
	m.mu.Lock()
	ms.state = ss.State // read by Adopt, then set to NO CHANGE
	m.mu.Unlock()
	m.logf("adopted session %d: [target: %s, portal: %s,%d] (%s)", sid, t.Name, t.Addr, t.Port, ss.State)
	return ms, nil
}
