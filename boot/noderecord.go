package boot

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/goiscsi/goiscsi/records"
)

// nodeRecord is a boot target as a node record: the built-in defaults,
// the target's name and portal, and CHAP (mutual when a reverse user is
// set) when it names a user or a secret. An error names the key, never
// the value: it may be a secret.
func (t BootTarget) nodeRecord() (*records.Record, error) {
	rec := records.New(records.NodeTable)
	set := [][2]string{
		{"node.name", t.Name}, {"node.conn[0].address", t.Addr},
		{"node.conn[0].port", strconv.Itoa(t.Port)}, {"node.tpgt", strconv.Itoa(t.TPGT)},
	}
	if t.Username != "" || t.Password != "" {
		set = append(set, [2]string{"node.session.auth.authmethod", "CHAP"},
			[2]string{"node.session.auth.username", t.Username}, [2]string{"node.session.auth.password", t.Password},
			[2]string{"node.session.auth.username_in", t.UsernameIn}, [2]string{"node.session.auth.password_in", t.PasswordIn})
	}
	if err := setAll(rec, set); err != nil {
		return nil, err
	}
	return rec, nil
}

// setAll sets record keys in order; an error names the key only.
func setAll(rec *records.Record, kvs [][2]string) error {
	for _, kv := range kvs {
		if err := rec.SetFixed(kv[0], kv[1]); err != nil {
			return fmt.Errorf("invalid %s: %w", kv[0], errors.Unwrap(err))
		}
	}
	return nil
}
