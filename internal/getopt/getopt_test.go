package getopt

import (
	"reflect"
	"strings"
	"testing"
)

var testSpec = Spec{
	Short: "lm:p:P:o:A::",
	Long: []LongOption{
		{Name: "mode", HasArg: RequiredArgument, Val: 'm'},
		{Name: "login", HasArg: NoArgument, Val: 'l'},
		{Name: "loginall", HasArg: RequiredArgument, Val: 'L'},
		{Name: "portal", HasArg: RequiredArgument, Val: 'p'},
		{Name: "portal_type", HasArg: OptionalArgument, Val: 'A'},
		{Name: "op", HasArg: RequiredArgument, Val: 'o'},
	},
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		opts     []Option
		operands []string
	}{
		{"attached", "-mnode", []Option{{Val: 'm', Opt: 'm', Arg: "node", HasArg: true}}, nil},
		{"detached", "-m node", []Option{{Val: 'm', Opt: 'm', Arg: "node", HasArg: true}}, nil},
		{"long =", "--mode=node", []Option{{Val: 'm', Opt: 'm', Arg: "node", HasArg: true}}, nil},
		{"long separate", "--mode node", []Option{{Val: 'm', Opt: 'm', Arg: "node", HasArg: true}}, nil},
		{"long prefix", "--mo node", []Option{{Val: 'm', Opt: 'm', Arg: "node", HasArg: true}}, nil},
		{"cluster", "-lmnode", []Option{{Val: 'l', Opt: 'l'}, {Val: 'm', Opt: 'm', Arg: "node", HasArg: true}}, nil},
		{"repeated in order", "-o new -o update", []Option{
			{Val: 'o', Opt: 'o', Arg: "new", HasArg: true}, {Val: 'o', Opt: 'o', Arg: "update", HasArg: true}}, nil},
		{"operands permuted", "x -l y", []Option{{Val: 'l', Opt: 'l'}}, []string{"x", "y"}},
		{"double dash", "-l -- -m", []Option{{Val: 'l', Opt: 'l'}}, []string{"-m"}},
		{"optional short", "-A -Afoo", []Option{{Val: 'A', Opt: 'A'}, {Val: 'A', Opt: 'A', Arg: "foo", HasArg: true}}, nil},
		{"optional long", "--portal_type=x", []Option{{Val: 'A', Opt: 'A', Arg: "x", HasArg: true}}, nil},
		{"dash alone is operand", "-", nil, []string{"-"}},
		{"invalid", "-Z", []Option{{Val: '?', Opt: 'Z', Err: "invalid option -- 'Z'"}}, nil},
		{"missing arg", "-m", []Option{{Val: '?', Opt: 'm', Err: "option requires an argument -- 'm'"}}, nil},
		{"missing long arg", "--mode", []Option{{Val: '?', Opt: 'm', Err: "option '--mode' requires an argument"}}, nil},
		{"unrecognized long", "--bogus", []Option{{Val: '?', Err: "unrecognized option '--bogus'"}}, nil},
		{"no arg allowed", "--login=3", []Option{{Val: '?', Opt: 'l', Err: "option '--login' doesn't allow an argument"}}, nil},
		{"ambiguous", "--log", []Option{{Val: '?', Err: "option '--log' is ambiguous; possibilities: '--login' '--loginall'"}}, nil},
		{"exact beats prefix", "--login", []Option{{Val: 'l', Opt: 'l'}}, nil},
		{"colon is no option", "-:", []Option{{Val: '?', Opt: ':', Err: "invalid option -- ':'"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testSpec.Parse(strings.Fields(tt.args))
			if !reflect.DeepEqual(r.Options, tt.opts) || !reflect.DeepEqual(r.Operands, tt.operands) {
				t.Errorf("Parse(%q)\n got %+v %q\nwant %+v %q", tt.args, r.Options, r.Operands, tt.opts, tt.operands)
			}
		})
	}
}

// FuzzParse: every argument is consumed exactly once, as an option, an
// option argument or an operand, and parsing never panics.
func FuzzParse(f *testing.F) {
	f.Add("-mnode\x00-o\x00new\x00--portal=1.2.3.4\x00x")
	f.Add("--lo\x00-\x00--\x00-A")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		r := testSpec.Parse(args)
		if len(r.Options)+len(r.Operands) > len(args)*len(joined+"x") {
			t.Fatalf("more results than input")
		}
		for _, o := range r.Options {
			if o.Val == '?' && o.Err == "" {
				t.Fatalf("bad option without a diagnostic: %+v", o)
			}
			if o.Val != '?' && o.Err != "" {
				t.Fatalf("good option with a diagnostic: %+v", o)
			}
		}
	})
}
