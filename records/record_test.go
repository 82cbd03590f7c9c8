package records

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestTablesHaveUniqueKeys(t *testing.T) {
	for name, table := range map[string]Table{"node": NodeTable, "iface": IfaceTable, "discovery": DiscoveryTable} {
		seen := map[string]bool{}
		for _, f := range table {
			if seen[f.Key] {
				t.Errorf("%s table: key %s twice", name, f.Key)
			}
			seen[f.Key] = true
			if f.Kind == Enum && !contains(f.Values, f.Default) {
				t.Errorf("%s table: %s default %q is not one of %q", name, f.Key, f.Default, f.Values)
			}
		}
	}
	if got, want := len(NodeTable), 4+len(IfaceTable)+48; got != want {
		t.Errorf("node table has %d keys, want %d", got, want)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		key, value, stored string
		err                error
	}{
		{"node.startup", "automatic", "automatic", nil},
		{"node.startup", "bogus", "", ErrInvalidValue},
		{"node.session.cmds_max", "64", "64", nil},
		{"node.session.cmds_max", "abc", "", ErrInvalidValue},
		{"node.session.cmds_max", "99999999999", "", ErrInvalidValue},
		{"node.session.xmit_thread_priority", "-20", "-20", nil},
		{"node.session.auth.chap_algs", "SHA3-256,SHA256,SHA1,MD5", "SHA3-256,SHA256,SHA1,MD5", nil},
		{"node.session.auth.chap_algs", "MD4", "", ErrInvalidValue},
		{"node.session.auth.username", "user\nnode.startup = automatic", "", ErrInvalidValue},
		{"node.session.auth.password", "sec\x00ret", "", ErrInvalidValue},
		{"node.session.auth.password", strings.Repeat("x", MaxValue+1), "", ErrInvalidValue},
		{"node.name", "iqn.2001-04.com.example:x", "", ErrFixed},
		{"node.conn[0].port", "1", "", ErrFixed},
		{"node.bogus", "1", "", ErrUnknownKey},
		{"node.conn[0].iscsi.HeaderDigest", "None,CRC32C", "None,CRC32C", nil},
	}
	for _, tt := range tests {
		r := New(NodeTable)
		err := r.Set(tt.key, tt.value)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("Set(%s, %q) = %v, want %v", tt.key, tt.value, err, tt.err)
			continue
		}
		if tt.err == nil && r.Get(tt.key) != tt.stored {
			t.Errorf("Set(%s, %q) stored %q, want %q", tt.key, tt.value, r.Get(tt.key), tt.stored)
		}
	}
}

func TestPrintMasksSecrets(t *testing.T) {
	r := New(NodeTable)
	_ = r.Set("node.session.auth.password", "tbsecret12345")
	var masked, shown bytes.Buffer
	_ = r.Print(&masked, false)
	_ = r.Print(&shown, true)
	if strings.Contains(masked.String(), "tbsecret12345") || !strings.Contains(masked.String(), "node.session.auth.password = ********\n") {
		t.Errorf("masked print shows the secret or no stars")
	}
	if !strings.Contains(masked.String(), "node.session.auth.password_in = <empty>\n") {
		t.Errorf("an empty secret must print as <empty>")
	}
	if !strings.Contains(shown.String(), "node.session.auth.password = tbsecret12345\n") {
		t.Errorf("-S print does not show the secret")
	}
	if !bytes.Contains(r.Marshal(), []byte("node.session.auth.password = tbsecret12345\n")) {
		t.Errorf("the record file must keep the secret")
	}
	if bytes.Contains(r.Marshal(), []byte("<empty>")) {
		t.Errorf("the record file must leave empty values out")
	}
}

func TestUnmarshalLenient(t *testing.T) {
	in := "# BEGIN RECORD 2.0-873\n" +
		"node.startup = automatic\n" +
		"  node.session.cmds_max=64junk\n" +
		"node.session.queue_depth = \n" +
		"node.conn[0].timeo.active_timeout = 5\n" + // gone from 2.1.8: ignored
		"node.session.scan = sometimes\n" + // invalid: keeps the default
		"no equals sign\n" +
		"# END RECORD\n"
	r := New(NodeTable)
	if err := r.Unmarshal([]byte(in)); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"node.startup":                     "automatic",
		"node.session.cmds_max":            "64",
		"node.session.queue_depth":         "0",
		"node.session.scan":                "auto",
		"node.conn[0].address":             "",
		"node.session.nr_sessions":         "1",
		"node.conn[0].timeo.login_timeout": "30",
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if err := r.Unmarshal(make([]byte, MaxRecordFile+1)); err == nil {
		t.Errorf("an oversized record was accepted")
	}
}

// FuzzRecord: whatever a record file holds, reading it never fails or
// panics, and what is written back reads back to the same values and
// re-encodes byte for byte.
func FuzzRecord(f *testing.F) {
	f.Add([]byte("# BEGIN RECORD 2.1.8\nnode.name = iqn.2001-04.com.example:a\nnode.startup = onboot\n# END RECORD\n"))
	f.Add(New(NodeTable).Marshal())
	seedRecords(f)
	f.Add([]byte("node.session.auth.password = a=b=c\r\nnode.tpgt = -1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := New(NodeTable)
		if err := r.Unmarshal(data); err != nil {
			if len(data) <= MaxRecordFile {
				t.Fatalf("Unmarshal failed on %d bytes: %v", len(data), err)
			}
			return
		}
		enc := r.Marshal()
		r2 := New(NodeTable)
		if err := r2.Unmarshal(enc); err != nil {
			t.Fatal(err)
		}
		for _, fl := range NodeTable {
			if r.Get(fl.Key) != r2.Get(fl.Key) {
				t.Fatalf("%s: %q became %q", fl.Key, r.Get(fl.Key), r2.Get(fl.Key))
			}
		}
		if !bytes.Equal(enc, r2.Marshal()) {
			t.Fatalf("re-encoding differs")
		}
	})
}
