package records

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FormatVersion is the version written in "# BEGIN RECORD" lines: the
// open-iscsi record format goiscsi reads and writes.
const FormatVersion = "2.1.8"

// Maximum sizes: a value longer than MaxValue is refused, a record file
// longer than MaxRecordFile is not read.
const (
	MaxValue      = 1024
	MaxRecordFile = 1 << 20
)

// Record is a set of values described by a Table. Values are kept in
// their printed form; a field that was never set has its default.
type Record struct {
	table Table
	vals  map[string]string
}

// New returns a record of table t holding the defaults.
func New(t Table) *Record {
	r := &Record{table: t, vals: make(map[string]string, len(t))}
	for _, f := range t {
		r.vals[f.Key] = f.Default
	}
	return r
}

// Table returns the record's table.
func (r *Record) Table() Table { return r.table }

// Get returns the value of key k ("" for an unknown key).
func (r *Record) Get(k string) string { return r.vals[k] }

// Int returns the value of an integer key (0 if unset or malformed).
func (r *Record) Int(k string) int {
	v, _ := strconv.Atoi(r.vals[k])
	return v
}

// Clone returns an independent copy of r.
func (r *Record) Clone() *Record {
	c := &Record{table: r.table, vals: make(map[string]string, len(r.vals))}
	for k, v := range r.vals {
		c.vals[k] = v
	}
	return c
}

// Errors returned by Set; they wrap the key and value in a *FieldError.
var (
	ErrUnknownKey   = errors.New("invalid param name")
	ErrFixed        = errors.New("used to look up the record")
	ErrInvalidValue = errors.New("unknown value format")
)

// FieldError reports why a key could not be set.
type FieldError struct {
	Key, Value string
	Err        error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %q: %v", e.Key, e.Value, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// Set validates v for key k and stores it. Fixed keys are refused.
func (r *Record) Set(k, v string) error {
	f, ok := r.table.Lookup(k)
	if !ok {
		return &FieldError{k, v, ErrUnknownKey}
	}
	if f.Fixed {
		return &FieldError{k, v, ErrFixed}
	}
	return r.setField(f, v)
}

// SetFixed stores a value for any known key, fixed ones included; it is
// how the store fills in the keys that name a record.
func (r *Record) SetFixed(k, v string) error {
	f, ok := r.table.Lookup(k)
	if !ok {
		return &FieldError{k, v, ErrUnknownKey}
	}
	return r.setField(f, v)
}

func (r *Record) setField(f Field, v string) error {
	c, err := canonical(f, v)
	if err != nil {
		return &FieldError{f.Key, v, err}
	}
	r.vals[f.Key] = c
	return nil
}

// canonical validates v for field f and returns the form to store.
func canonical(f Field, v string) (string, error) {
	if len(v) > MaxValue {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidValue, MaxValue)
	}
	if err := printable(v); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidValue, err)
	}
	switch f.Kind {
	case Int:
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return "", ErrInvalidValue
		}
		return strconv.FormatInt(n, 10), nil
	case Enum:
		for _, o := range f.Values {
			if v == o {
				return v, nil
			}
		}
		return "", ErrInvalidValue
	case List:
		for _, p := range strings.Split(v, ",") {
			if !contains(f.Values, strings.TrimSpace(p)) {
				return "", ErrInvalidValue
			}
		}
		return v, nil
	}
	return v, nil
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// printable refuses what must never reach a record line: control
// characters (newlines included) and invalid UTF-8.
func printable(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("not UTF-8")
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return fmt.Errorf("control character %#02x", c)
		}
	}
	return nil
}

// Print writes the record as iscsiadm shows it: every visible key, empty
// values as <empty>, and secrets masked unless showSecrets.
func (r *Record) Print(w io.Writer, showSecrets bool) error {
	return r.write(w, showSecrets, true)
}

// Marshal returns the record as open-iscsi stores it on disk: empty
// values are left out, secrets are written in the clear.
func (r *Record) Marshal() []byte {
	var b bytes.Buffer
	_ = r.write(&b, true, false)
	return b.Bytes()
}

func (r *Record) write(w io.Writer, showSecrets, forDisplay bool) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# BEGIN RECORD %s\n", FormatVersion)
	for _, f := range r.table {
		v := r.vals[f.Key]
		switch {
		case f.Vis == Hidden:
			continue
		case f.Vis == Masked && !showSecrets && v != "":
			v = "********"
		case v == "" && !forDisplay:
			continue
		case v == "":
			v = "<empty>"
		}
		fmt.Fprintf(bw, "%s = %s\n", f.Key, v)
	}
	bw.WriteString("# END RECORD\n")
	return bw.Flush()
}

// Unmarshal reads a record file into r, on top of the values r already
// has. It is lenient where open-iscsi is: unknown keys, comments and
// malformed lines are skipped, and so are values the table refuses (the
// key keeps its previous value). It fails only on oversized input.
func (r *Record) Unmarshal(data []byte) error {
	if len(data) > MaxRecordFile {
		return fmt.Errorf("record larger than %d bytes", MaxRecordFile)
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := ParseLine(line)
		if !ok {
			continue
		}
		if f, known := r.table.Lookup(k); known {
			if v == "" && f.Kind == Str && f.Default != "" {
				continue // empty values are never written: keep the default
			}
			if c, err := canonical(f, lenientInt(f, v)); err == nil {
				r.vals[k] = c
			}
		}
	}
	return nil
}

// ParseLine splits a "key = value" line. Blank lines, comments and lines
// without '=' return ok false.
func ParseLine(line string) (key, value string, ok bool) {
	line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
	if line == "" || line[0] == '#' {
		return "", "", false
	}
	key, value, ok = strings.Cut(line, "=")
	if !ok {
		return "", "", false
	}
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if key == "" {
		return "", "", false
	}
	return key, value, true
}

// lenientInt reads integers the way C's strtol does for record files:
// leading digits count, trailing junk is ignored, no digits is 0.
func lenientInt(f Field, v string) string {
	if f.Kind != Int {
		return v
	}
	end := 0
	if end < len(v) && (v[end] == '-' || v[end] == '+') {
		end++
	}
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(v[:end], 10, 32)
	if err != nil {
		return "0"
	}
	return strconv.FormatInt(n, 10)
}

// WriteFields writes key = value pairs as one record block (# BEGIN
// RECORD … # END RECORD), in the given order and as given: the form of
// open-iscsi's firmware dumps, whose keys are not a stored record's.
func WriteFields(w io.Writer, fields [][2]string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# BEGIN RECORD %s\n", FormatVersion)
	for _, kv := range fields {
		fmt.Fprintf(bw, "%s = %s\n", kv[0], kv[1])
	}
	bw.WriteString("# END RECORD\n")
	return bw.Flush()
}
