package cliusage

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
)

// Help describes a command for -h.
type Help struct {
	Name     string   // the command as typed: "alice", "edl run"
	Synopsis string   // what follows the name on the usage line
	Summary  string   // one sentence on what it does
	Examples []string // command lines shown under the usage line
	Groups   []Group  // flags by topic; flags in none are listed under "other"
	Footer   string   // closing text (exit status and the like)
}

// Group is a titled set of flags, listed in the order given.
type Group struct {
	Title string
	Flags []string
}

// Mark is the set of flags a FlagSet had at one moment; with Since it
// collects the flags a registration function (specflag.Register,
// tlsflag.RegisterClient) added, without either listing them by hand.
type Mark map[string]bool

// MarkNow records the flags fs has now.
func MarkNow(fs *flag.FlagSet) Mark {
	m := Mark{}
	fs.VisitAll(func(f *flag.Flag) { m[f.Name] = true })
	return m
}

// Since lists the flags fs has now that m did not have, sorted by name.
func (m Mark) Since(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		if !m[f.Name] {
			names = append(names, f.Name)
		}
	})
	return names
}

// Parse parses args into fs. It returns ok when the command should go on;
// otherwise it has printed the help (for -h, on stdout, code 0) or one line
// about the mistake and where the help is (on stderr, code 2).
func Parse(fs *flag.FlagSet, args []string, h Help, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		h.Print(stdout, fs)
		return 0, false
	case err != nil:
		fmt.Fprintf(stderr, "%s: %s\n%s -h lists the flags\n", h.Name, explain(fs, err), h.Name)
		return 2, false
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected arguments %q (flags start with --)\n%s -h lists the flags\n", h.Name, fs.Args(), h.Name)
		return 2, false
	}
	return 0, true
}

var badValue = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -([^:]+): (.*)$`)

// explain rewrites the flag package's parse errors to name the flag as
// users type it and the kind of value it takes.
func explain(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	m := badValue.FindStringSubmatch(msg)
	if m == nil {
		return strings.Replace(msg, "flag provided but not defined: -", "no such flag: --", 1)
	}
	value, name, why := m[1], m[2], m[3]
	f := fs.Lookup(name)
	if f == nil {
		return msg
	}
	kind := kindOf(f)
	if kind == "" || why != "parse error" && why != "value out of range" {
		return fmt.Sprintf("--%s %q: %s", name, value, why)
	}
	return fmt.Sprintf("--%s takes %s, got %q", name, describe(kind), value)
}

func describe(kind string) string {
	switch kind {
	case "UINT":
		return "an unsigned integer (0 or more)"
	case "INT":
		return "an integer"
	case "NUMBER":
		return "a number"
	case "DURATION":
		return "a duration such as 250ms or 2m"
	case "BOOL":
		return "true or false"
	}
	return "a " + strings.ToLower(kind)
}

// unwrapper is a flag.Value that wraps another (specflag's tracking
// wrapper does).
type unwrapper interface{ Unwrap() flag.Value }

// kindOf names the value a flag takes: UINT, INT, NUMBER, DURATION, BOOL,
// STRING, or "" when its type does not tell.
func kindOf(f *flag.Flag) string {
	v := f.Value
	for {
		u, ok := v.(unwrapper)
		if !ok {
			break
		}
		v = u.Unwrap()
	}
	switch reflect.TypeOf(v).String() {
	case "*flag.uintValue", "*flag.uint64Value":
		return "UINT"
	case "*flag.intValue", "*flag.int64Value":
		return "INT"
	case "*flag.float64Value":
		return "NUMBER"
	case "*flag.durationValue":
		return "DURATION"
	case "*flag.boolValue":
		return "BOOL"
	case "*flag.stringValue":
		return "STRING"
	}
	return ""
}

// Print writes the help: usage line, summary, examples, then the groups.
func (h Help) Print(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s %s\n", h.Name, h.Synopsis)
	if h.Summary != "" {
		fmt.Fprintf(w, "\n%s\n", h.Summary)
	}
	if len(h.Examples) > 0 {
		fmt.Fprintf(w, "\nExample:\n")
		for _, e := range h.Examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	listed := map[string]bool{}
	group := func(title string, names []string) {
		var fl []*flag.Flag
		for _, n := range names {
			if f := fs.Lookup(n); f != nil && !listed[n] {
				listed[n] = true
				fl = append(fl, f)
			}
		}
		if len(fl) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, f := range fl {
			printFlag(w, f)
		}
	}
	for _, g := range h.Groups {
		group(g.Title, g.Flags)
	}
	var rest []string
	fs.VisitAll(func(f *flag.Flag) {
		if !listed[f.Name] {
			rest = append(rest, f.Name)
		}
	})
	group("Other", rest)
	if h.Footer != "" {
		fmt.Fprintf(w, "\n%s\n", h.Footer)
	}
}

func printFlag(w io.Writer, f *flag.Flag) {
	name, usage := flag.UnquoteUsage(f)
	kind := kindOf(f)
	switch {
	case kind == "BOOL":
		name = ""
	case strings.Contains(f.Usage, "`"):
		// the usage names its value (`FILE`): keep that name
	case kind == "UINT":
		name = "N (unsigned)"
	case kind == "INT":
		name = "N"
	case kind != "":
		name = kind
	case name == "value":
		name = "VALUE"
	}
	line := "  --" + f.Name
	if name != "" {
		line += " " + name
	}
	fmt.Fprintf(w, "%s\n      %s", line, usage)
	if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "[]" && !strings.Contains(usage, "(default") {
		if kind == "STRING" {
			d = fmt.Sprintf("%q", d)
		}
		fmt.Fprintf(w, " (default %s)", d)
	}
	fmt.Fprintln(w)
}
