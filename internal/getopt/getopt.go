// Package getopt parses command lines the way glibc's getopt_long does,
// so the tools accept exactly what open-iscsi's tools accept: clustered
// short options ("-lS"), attached and detached arguments ("-mnode",
// "-m node"), long options with "=" or a separate argument, unambiguous
// long-option prefixes, "--" and permuted operands. It also produces
// glibc's diagnostics for bad options.
package getopt

import (
	"fmt"
	"strings"
)

// HasArg says whether an option takes an argument.
type HasArg int

// Argument kinds, as in getopt_long.
const (
	NoArgument HasArg = iota
	RequiredArgument
	OptionalArgument
)

// LongOption is one entry of a getopt_long option table.
type LongOption struct {
	Name   string
	HasArg HasArg
	Val    rune
}

// Option is one parsed option. Val is the option character, or '?' for
// an unknown or malformed option; then Opt holds the offending character
// (glibc's optopt) and Err the diagnostic glibc prints, without the
// program-name prefix. HasArg is true when an argument was given.
type Option struct {
	Val    rune
	Opt    rune
	Arg    string
	HasArg bool
	Err    string
}

// Result is what Parse found: the options in command-line order and the
// operands.
type Result struct {
	Options  []Option
	Operands []string
}

func (r *Result) fail(opt rune, format string, args ...any) {
	r.Options = append(r.Options, Option{Val: '?', Opt: opt, Err: fmt.Sprintf(format, args...)})
}

// Spec describes the accepted options: a getopt short-option string and
// a long-option table.
type Spec struct {
	Short string
	Long  []LongOption
}

// shortArg reports whether c is a known short option and its argument kind.
func (s Spec) shortArg(c rune) (HasArg, bool) {
	if c == ':' || c == '-' {
		return 0, false
	}
	i := strings.IndexRune(s.Short, c)
	if i < 0 {
		return 0, false
	}
	rest := s.Short[i+1:]
	switch {
	case strings.HasPrefix(rest, "::"):
		return OptionalArgument, true
	case strings.HasPrefix(rest, ":"):
		return RequiredArgument, true
	}
	return NoArgument, true
}

// Parse parses args (without the program name).
func (s Spec) Parse(args []string) Result {
	var r Result
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			r.Operands = append(r.Operands, args[i+1:]...)
			return r
		case strings.HasPrefix(a, "--"):
			i = s.parseLong(args, i, &r)
		case len(a) > 1 && a[0] == '-':
			i = s.parseShort(args, i, &r)
		default:
			r.Operands = append(r.Operands, a)
		}
	}
	return r
}

func (s Spec) parseShort(args []string, i int, r *Result) int {
	word := []rune(args[i][1:])
	for j := 0; j < len(word); j++ {
		c := word[j]
		kind, ok := s.shortArg(c)
		if !ok {
			r.fail(c, "invalid option -- '%c'", c)
			continue
		}
		rest := string(word[j+1:])
		switch kind {
		case NoArgument:
			r.Options = append(r.Options, Option{Val: c, Opt: c})
			continue
		case OptionalArgument:
			r.Options = append(r.Options, Option{Val: c, Opt: c, Arg: rest, HasArg: rest != ""})
			return i
		}
		if rest != "" {
			r.Options = append(r.Options, Option{Val: c, Opt: c, Arg: rest, HasArg: true})
			return i
		}
		if i+1 < len(args) {
			r.Options = append(r.Options, Option{Val: c, Opt: c, Arg: args[i+1], HasArg: true})
			return i + 1
		}
		r.fail(c, "option requires an argument -- '%c'", c)
		return i
	}
	return i
}

// lookupLong finds name exactly or as an unambiguous prefix.
func (s Spec) lookupLong(name string) (LongOption, []LongOption) {
	var matches []LongOption
	for _, o := range s.Long {
		if o.Name == name {
			return o, nil
		}
		if strings.HasPrefix(o.Name, name) {
			matches = append(matches, o)
		}
	}
	if len(matches) == 1 {
		return matches[0], nil
	}
	// glibc accepts a prefix shared by entries that are all the same option.
	if len(matches) > 1 {
		same := true
		for _, m := range matches[1:] {
			if m.Val != matches[0].Val || m.HasArg != matches[0].HasArg {
				same = false
			}
		}
		if same {
			return matches[0], nil
		}
	}
	return LongOption{}, matches
}

func (s Spec) parseLong(args []string, i int, r *Result) int {
	body := args[i][2:]
	name, val, hasEq := strings.Cut(body, "=")
	o, amb := s.lookupLong(name)
	if o.Name == "" {
		if len(amb) > 1 {
			var names []string
			for _, m := range amb {
				names = append(names, "'--"+m.Name+"'")
			}
			r.fail(0, "option '--%s' is ambiguous; possibilities: %s", name, strings.Join(names, " "))
		} else {
			r.fail(0, "unrecognized option '--%s'", name)
		}
		return i
	}
	switch o.HasArg {
	case NoArgument:
		if hasEq {
			r.fail(o.Val, "option '--%s' doesn't allow an argument", o.Name)
			return i
		}
		r.Options = append(r.Options, Option{Val: o.Val, Opt: o.Val})
	case OptionalArgument:
		r.Options = append(r.Options, Option{Val: o.Val, Opt: o.Val, Arg: val, HasArg: hasEq})
	case RequiredArgument:
		if hasEq {
			r.Options = append(r.Options, Option{Val: o.Val, Opt: o.Val, Arg: val, HasArg: true})
			return i
		}
		if i+1 < len(args) {
			r.Options = append(r.Options, Option{Val: o.Val, Opt: o.Val, Arg: args[i+1], HasArg: true})
			return i + 1
		}
		r.fail(o.Val, "option '--%s' requires an argument", o.Name)
	}
	return i
}
