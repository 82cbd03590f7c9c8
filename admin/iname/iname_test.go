package iname

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

func TestMain_(t *testing.T) {
	tests := []struct {
		args []string
		re   string
		code int
	}{
		{[]string{"iscsi-iname"}, `^iqn\.2016-04\.com\.open-iscsi:[0-9a-f]{12}\n$`, 0},
		{[]string{"iscsi-iname", "-p", "iqn.2001-04.com.example"}, `^iqn\.2001-04\.com\.example:[0-9a-f]{12}\n$`, 0},
		{[]string{"iscsi-iname", "-g"}, `^InitiatorName=iqn\.2016-04\.com\.open-iscsi:[0-9a-f]{12}\n$`, 0},
		{[]string{"iscsi-iname", "--prefix=iqn.2001-04.x", "--generate-iname-prefix"}, `^InitiatorName=iqn\.2001-04\.x:[0-9a-f]{12}\n$`, 0},
		{[]string{"iscsi-iname", "-p", strings.Repeat("a", MaxPrefix+1)}, `^$`, 1},
		{[]string{"iscsi-iname", "-x"}, `^$`, 1},
		{[]string{"iscsi-iname", "-h"}, `^Usage: iscsi-iname`, 0},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := Main(context.Background(), tt.args, nil, &out, &errb)
		if code != tt.code || !regexp.MustCompile(tt.re).MatchString(out.String()) {
			t.Errorf("%q = %d, %q; want %d, /%s/", tt.args, code, out.String(), tt.code, tt.re)
		}
	}
}

func TestNewIsRandom(t *testing.T) {
	a, _ := New(DefaultPrefix, bytes.NewReader([]byte{1, 2, 3, 4, 5, 6}))
	if a != DefaultPrefix+":010203040506" {
		t.Errorf("New = %q", a)
	}
	if _, err := New(DefaultPrefix, bytes.NewReader(nil)); err == nil {
		t.Errorf("New with no randomness succeeded")
	}
}
