package admin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// hostileStrings exercise every escape of encoding/json's string
// encoder: quotes and backslashes, each control byte, the HTML
// characters, U+2028/U+2029, DEL, multi-byte UTF-8, and invalid UTF-8
// (lone continuation bytes, truncated sequences, surrogates, overlong
// forms, code points above U+10FFFF).
var hostileStrings = []string{
	"",
	"plain iqn.2003-01.org.linux-iscsi:target.1",
	`"quoted" \back\slash\ /slash/`,
	"\x00\x01\x02\x03\x04\x05\x06\x07\b\t\n\x0b\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f",
	"<script>alert('x') && 1 > 0</script>",
	"line\u2028sep\u2029para",
	"\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaa\xe2\x80",
	"é日本語🎉\ufffd\U0010ffff",
	"\xff\xfe\x80\xbf",
	"a\xc3",
	"\xc3(",
	"\xed\xa0\x80\xed\xbf\xbf",
	"\xc0\xaf\xe0\x80\xaf",
	"\xf4\x90\x80\x80\xf8\x88\x80\x80\x80",
	"\xf0\x9f\x98",
	"tab\there\r\nnewline",
}

func sp(s string) *string { return &s }
func ip(n int) *int       { return &n }
func bp(b bool) *bool     { return &b }

// fullSession sets every field, secrets included, to a value out of strs
// (cycling) and to the limits of the integer types.
func fullSession(sid int, strs []string) SessionJSON {
	i := 0
	s := func() *string { v := strs[i%len(strs)]; i++; return &v }
	return SessionJSON{
		SID: sid, Target: *s(), TPGT: ip(math.MaxInt), Flash: true, Transport: s(), Host: math.MinInt,
		Portal:                PortalJSON{s(), ip(3260)},
		CurrentPortal:         PortalJSON{s(), ip(0)},
		Iface:                 IfaceJSON{s(), s(), s(), s(), s(), s()},
		ConnectionState:       s(),
		SessionState:          s(),
		InternalState:         s(),
		KernelConnectionState: s(),
		Timeouts:              TimeoutsJSON{ip(-1), ip(30), ip(math.MinInt), ip(15)},
		CHAP:                  CHAPJSON{s(), s(), s(), s()},
		Negotiated: NegotiatedJSON{s(), s(), ip(262144), ip(-262144), ip(65536), ip(1 << 40),
			bp(true), bp(false), ip(1)},
		HostState: s(),
		LUNs: []LUNJSON{
			{Host: 1, Channel: 0, Target: 0, LUN: 0, Type: ip(0), State: s(), Device: s()},
			{Host: -1, Channel: math.MaxInt, Target: math.MinInt, LUN: math.MaxUint64},
			{LUN: 1 << 63, Type: ip(31), State: s()},
		},
	}
}

// fillJSON sets every field of v (which must be settable) at random:
// pointers nil or not, slices nil, empty or not, strings out of strs,
// integers including their limits. Walking v by reflection means a field
// added to the types is covered without changing the tests.
func fillJSON(v reflect.Value, r *rand.Rand, strs []string) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(4) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		fillJSON(p.Elem(), r, strs)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			fillJSON(v.Field(i), r, strs)
		}
	case reflect.Slice:
		switch r.IntN(4) {
		case 0:
			v.SetZero()
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), 1+r.IntN(3), 4)
			for i := range s.Len() {
				fillJSON(s.Index(i), r, strs)
			}
			v.Set(s)
		}
	case reflect.String:
		v.SetString(strs[r.IntN(len(strs))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int:
		v.SetInt([]int64{0, 1, -1, math.MaxInt, math.MinInt, r.Int64N(1 << 20), -r.Int64N(1 << 40)}[r.IntN(7)])
	case reflect.Uint64:
		v.SetUint([]uint64{0, 1, math.MaxUint64, 1 << 63, r.Uint64(), r.Uint64N(256)}[r.IntN(6)])
	default:
		panic("fillJSON: unhandled kind " + v.Kind().String() + " of " + v.Type().String())
	}
}

func randomSessions(r *rand.Rand, strs []string) []SessionJSON {
	var ss []SessionJSON
	fillJSON(reflect.ValueOf(&ss).Elem(), r, strs)
	return ss
}

// checkSameAsEncodingJSON fails unless marshalSessionsJSON(ss) is
// json.MarshalIndent(ss, "", "  ").
func checkSameAsEncodingJSON(t *testing.T, name string, ss []SessionJSON) {
	t.Helper()
	want, err := json.MarshalIndent(ss, "", "  ")
	if err != nil {
		t.Fatalf("%s: json.MarshalIndent: %v", name, err)
	}
	if got := marshalSessionsJSON(ss); !bytes.Equal(got, want) {
		t.Errorf("%s: marshalSessionsJSON differs from json.MarshalIndent\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestMarshalSessionsJSONMatchesEncodingJSON(t *testing.T) {
	emptyLUNs := SessionJSON{SID: 1, LUNs: []LUNJSON{}}
	onlyPassword := fullSession(2, []string{"x"})
	onlyPassword.CHAP.PasswordIn = nil
	onlyPasswordIn := fullSession(3, []string{"y"})
	onlyPasswordIn.CHAP.Password = nil
	emptyStrings := fullSession(4, []string{""})
	noLUNFields := SessionJSON{SID: 5, Target: "t", LUNs: []LUNJSON{{}}}
	tests := []struct {
		name string
		ss   []SessionJSON
	}{
		{"nil slice", nil},
		{"no session", []SessionJSON{}},
		{"zero session (all null, nil luns)", []SessionJSON{{}}},
		{"empty luns", []SessionJSON{emptyLUNs}},
		{"zero LUN", []SessionJSON{noLUNFields}},
		{"every field", []SessionJSON{fullSession(1, hostileStrings[1:2])}},
		{"hostile strings everywhere", []SessionJSON{fullSession(7, hostileStrings)}},
		{"password only", []SessionJSON{onlyPassword}},
		{"password_in only", []SessionJSON{onlyPasswordIn}},
		{"empty strings, not null", []SessionJSON{emptyStrings}},
		{"several", []SessionJSON{emptyLUNs, {SID: 2}, fullSession(3, hostileStrings[2:]), onlyPassword}},
	}
	for i, h := range hostileStrings {
		s := SessionJSON{SID: i, Target: h, Transport: sp(h), LUNs: []LUNJSON{{Device: sp(h)}}}
		s.CHAP.Password = sp(h)
		tests = append(tests, struct {
			name string
			ss   []SessionJSON
		}{fmt.Sprint("hostile ", i), []SessionJSON{s}})
	}
	for _, tt := range tests {
		checkSameAsEncodingJSON(t, tt.name, tt.ss)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		checkSameAsEncodingJSON(t, fmt.Sprint("random ", i), randomSessions(r, hostileStrings))
	}
}

// TestFullSessionCoversEveryField makes sure the "every field" case
// above leaves no pointer or slice nil, so that each member is written
// with a value at least once.
func TestFullSessionCoversEveryField(t *testing.T) {
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Slice:
			if v.IsNil() {
				t.Errorf("fullSession leaves %s nil", path)
				return
			}
			if v.Kind() == reflect.Slice {
				if v.Len() == 0 {
					t.Errorf("fullSession leaves %s empty", path)
				}
				return
			}
			walk(path, v.Elem())
		case reflect.Struct:
			for i := range v.NumField() {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	}
	walk("SessionJSON", reflect.ValueOf(fullSession(1, []string{"s"})))
}

// TestSessionJSONListingRoundTrip checks the listings of captured sysfs
// trees: decoding what iscsiadm printed and encoding it again with
// encoding/json gives back the same bytes.
func TestSessionJSONListingRoundTrip(t *testing.T) {
	withDaemonStates(t, loggedIn, nil)
	for _, scenario := range []string{"two-sessions", "guest-two-targets", "one-session-two-luns"} {
		for _, args := range [][]string{{"-m", "session", "--json"}, {"-m", "session", "--json", "-S"}} {
			sys := sysfsTree(t, scenario)
			out, errs, st := runSysfs(t, sys, args...)
			if st != 0 || errs != "" {
				t.Errorf("%s %v = %d %q", scenario, args, st, errs)
				continue
			}
			var got []SessionJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%s %v: %v\n%s", scenario, args, err, out)
			}
			want, _ := json.MarshalIndent(got, "", "  ")
			if out != string(want)+"\n" {
				t.Errorf("%s %v: printed\n%s\nre-encoded\n%s", scenario, args, out, want)
			}
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := map[string]string{
		"":                   `""`,
		"a\"b\\c":            `"a\"b\\c"`,
		"<a&b>":              `"\u003ca\u0026b\u003e"`,
		"\b\f\n\r\t\x00\x1f": `"\b\f\n\r\t\u0000\u001f"`,
		"\u2028\u2029":       `"\u2028\u2029"`,
		"\xffé\xc3":          `"\ufffdé\ufffd"`,
		"/\x7f":              "\"/\x7f\"",
	}
	for in, want := range tests {
		if got := string(appendJSONString([]byte("prefix"), in)); got != "prefix"+want {
			t.Errorf("appendJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}

// FuzzJSONString compares the string escaping with encoding/json's, and
// a whole listing carrying the string in every string field.
func FuzzJSONString(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got[1:], want)
		}
		checkSameAsEncodingJSON(t, "fuzzed string", []SessionJSON{fullSession(1, []string{s})})
	})
}

// FuzzSessionJSON compares whole listings, built at random from a seed
// with fuzzed strings, with encoding/json's.
func FuzzSessionJSON(f *testing.F) {
	for i, s := range hostileStrings {
		f.Add(uint64(i), s, hostileStrings[(i+1)%len(hostileStrings)], "")
	}
	f.Fuzz(func(t *testing.T, seed uint64, a, b, c string) {
		r := rand.New(rand.NewPCG(seed, seed>>32))
		checkSameAsEncodingJSON(t, "fuzzed", randomSessions(r, []string{a, b, c}))
	})
}
