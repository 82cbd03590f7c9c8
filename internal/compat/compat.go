// Package compat owns the compatibility corpus format: scripts of tool
// invocations run against an empty record root, and golden transcripts of
// what open-iscsi printed for them. Tests replay a script against goiscsi
// and compare with the transcript captured from open-iscsi 2.1.8.
package compat

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Step is one line of a script: a tool invocation (Args[0] is the tool)
// or a pseudo-command starting with '@'. A line may start with a marker:
// '~' when open-iscsi's output order is the filesystem's directory order
// (lines are compared as a set), '!' where goiscsi deliberately differs
// (see DIVERGENCES.md beside the scripts; the step runs, unchecked).
type Step struct {
	Line      string
	Args      []string
	Unordered bool
	Divergent bool
}

// Result is what one step produced.
type Result struct {
	Stdout, Stderr string
	Status         int
}

// ParseScript reads a script: one command per line, shell-like quoting
// with single and double quotes, '#' comments and blank lines ignored.
func ParseScript(data []byte) ([]Step, error) {
	var steps []Step
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		args, err := SplitWords(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if len(args) == 0 || args[0] == "" {
			return nil, fmt.Errorf("line %d: no command", n)
		}
		st := Step{Line: line, Args: args}
		switch args[0][0] {
		case '~':
			st.Unordered, st.Args[0] = true, args[0][1:]
		case '!':
			st.Divergent, st.Args[0] = true, args[0][1:]
		}
		steps = append(steps, st)
	}
	return steps, sc.Err()
}

// SplitWords splits a line into words, honouring single and double quotes.
func SplitWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote = r
			inWord = true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// SortedLines returns s with its lines sorted, for order-free comparison.
func SortedLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "")
}

// Entry is one block of a golden transcript.
type Entry struct {
	Line string
	Result
}

// Format renders entries in the transcript format of the reference
// captures: '### N $ command', then stdout, stderr and exit status.
func Format(entries []Entry) []byte {
	var b bytes.Buffer
	for i, e := range entries {
		fmt.Fprintf(&b, "### %d $ %s\n--- stdout\n%s--- stderr\n%s--- exit status: %d\n",
			i+1, e.Line, e.Stdout, e.Stderr, e.Status)
	}
	return b.Bytes()
}

// Parse reads a transcript written by Format. Output that does not end
// in a newline cannot be represented and is rejected by Format's users.
func Parse(data []byte) ([]Entry, error) {
	var entries []Entry
	lines := strings.SplitAfter(string(data), "\n")
	var cur *Entry
	var section *string
	for n, l := range lines {
		switch {
		case strings.HasPrefix(l, "### "):
			_, cmd, ok := strings.Cut(strings.TrimSuffix(l, "\n"), " $ ")
			if !ok {
				return nil, fmt.Errorf("line %d: bad header %q", n+1, l)
			}
			entries = append(entries, Entry{Line: cmd})
			cur = &entries[len(entries)-1]
			section = nil
		case cur == nil:
			if l != "" {
				return nil, fmt.Errorf("line %d: text before first entry", n+1)
			}
		case l == "--- stdout\n":
			section = &cur.Stdout
		case l == "--- stderr\n":
			section = &cur.Stderr
		case strings.HasPrefix(l, "--- exit status: "):
			v, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(l, "--- exit status: ")))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n+1, err)
			}
			cur.Status = v
			section = nil
		case section != nil:
			*section += l
		case l != "":
			return nil, fmt.Errorf("line %d: stray text %q", n+1, l)
		}
	}
	return entries, nil
}

// Tree lists a record root for the @tree pseudo-command: directories,
// files with their contents and symlinks with their targets, in path
// order. The tool configuration files are left out, and the root's own
// path in link targets is shown as shownRoot.
func Tree(root, shownRoot string) (string, error) {
	type item struct{ path, text string }
	var out []item
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." || rel == "iscsid.conf" || rel == "initiatorname.iscsi" {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if strings.HasPrefix(t, root+"/") {
				t = shownRoot + t[len(root):]
			}
			out = append(out, item{rel, "l " + rel + " -> " + t + "\n"})
		case d.IsDir():
			out = append(out, item{rel, "d " + rel + "\n"})
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, item{rel, "f " + rel + "\n" + indent(string(data))})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	var b strings.Builder
	for _, it := range out {
		b.WriteString(it.text)
	}
	return b.String(), err
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString("  | " + l)
		}
	}
	if s != "" && !strings.HasSuffix(s, "\n") {
		b.WriteString("\n  (no newline at end)\n")
	}
	return b.String()
}
