package records

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Config is iscsid.conf: "key = value" settings, in file order, later
// lines winning.
type Config struct {
	keys []string
	vals map[string]string
}

// ParseConfig reads iscsid.conf text. Comments, blank lines and lines
// without '=' are ignored, as open-iscsi does.
func ParseConfig(data []byte) (*Config, error) {
	if len(data) > MaxRecordFile {
		return nil, fmt.Errorf("config larger than %d bytes", MaxRecordFile)
	}
	c := &Config{vals: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 4096), MaxRecordFile)
	for sc.Scan() {
		k, v, ok := ParseLine(sc.Text())
		if !ok {
			continue
		}
		if _, seen := c.vals[k]; !seen {
			c.keys = append(c.keys, k)
		}
		c.vals[k] = v
	}
	return c, sc.Err()
}

// LoadConfig reads an iscsid.conf file; a missing file is an empty config.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Config{vals: map[string]string{}}, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseConfig(data)
}

// Get returns a setting and whether it is present.
func (c *Config) Get(k string) (string, bool) {
	v, ok := c.vals[k]
	return v, ok
}

// Apply copies the settings that name keys of rec's table into rec, the
// way open-iscsi seeds discovered records from iscsid.conf. Settings
// whose values the table refuses are skipped, and so are the keys that
// name a record.
func (c *Config) Apply(rec *Record) {
	for _, k := range c.keys {
		if f, ok := rec.table.Lookup(k); ok && !f.Fixed {
			_ = rec.Set(k, c.vals[k])
		}
	}
}

// ReadInitiatorName reads "InitiatorName=" from an initiatorname.iscsi file.
func ReadInitiatorName(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if name, ok := strings.CutPrefix(line, "InitiatorName="); ok {
			name = strings.TrimSpace(name)
			if err := ValidateTargetName(name); err != nil {
				return "", fmt.Errorf("%s: %w", path, err)
			}
			return name, nil
		}
	}
	return "", fmt.Errorf("%s: no InitiatorName= line", path)
}
