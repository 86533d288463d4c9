package cliusage

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"
)

func newSet() (*flag.FlagSet, Help) {
	fs := flag.NewFlagSet("tool", flag.ContinueOnError)
	fs.String("addr", "127.0.0.1:1", "where to listen, `HOST:PORT`")
	mark := MarkNow(fs)
	fs.Uint64("seed", 1, "root seed")
	fs.Int64("n", 10, "examples")
	spec := mark.Since(fs)
	fs.Duration("timeout", time.Minute, "give up after this long")
	fs.Bool("quiet", false, "say less")
	return fs, Help{Name: "tool", Synopsis: "[flags]", Examples: []string{"tool --seed 3"},
		Groups: []Group{{Title: "Transport", Flags: []string{"addr", "timeout"}}, {Title: "Spec", Flags: spec}}}
}

func TestHelpHasUsageExampleAndGroups(t *testing.T) {
	fs, h := newSet()
	var out, errs bytes.Buffer
	code, ok := Parse(fs, []string{"-h"}, h, &out, &errs)
	if ok || code != 0 || errs.Len() != 0 {
		t.Fatalf("-h: ok %v code %d stderr %q; want the help on stdout and exit 0", ok, code, errs.String())
	}
	text := out.String()
	if !strings.HasPrefix(text, "Usage: tool [flags]\n") {
		t.Errorf("help does not start with the usage line:\n%s", text)
	}
	// Groups in the order given, the flags a registration added in the
	// group they were marked for, the rest under Other.
	order := []string{"Example:", "  tool --seed 3", "Transport:", "--addr HOST:PORT", "--timeout DURATION", "Spec:", "--n N", "--seed N (unsigned)", "Other:", "--quiet"}
	at := 0
	for _, w := range order {
		i := strings.Index(text[at:], w)
		if i < 0 {
			t.Fatalf("help lacks %q after byte %d:\n%s", w, at, text)
		}
		at += i + len(w)
	}
	if !strings.Contains(text, "(default 1m0s)") || strings.Contains(text, "--quiet\n      say less (default") {
		t.Errorf("defaults: want the timeout's, none for a false bool:\n%s", text)
	}
}

func TestBadValueIsOneLineAndAPointer(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--seed", "-1"}, `tool: --seed takes an unsigned integer (0 or more), got "-1"`},
		{[]string{"--n", "ten"}, `tool: --n takes an integer, got "ten"`},
		{[]string{"--timeout", "5"}, `tool: --timeout takes a duration such as 250ms or 2m, got "5"`},
		{[]string{"--nope"}, `tool: no such flag: --nope`},
		{[]string{"stray"}, `tool: unexpected arguments ["stray"] (flags start with --)`},
	} {
		fs, h := newSet()
		var out, errs bytes.Buffer
		code, ok := Parse(fs, tc.args, h, &out, &errs)
		if ok || code != 2 || out.Len() != 0 {
			t.Errorf("%v: ok %v code %d stdout %q; want exit 2 and nothing on stdout", tc.args, ok, code, out.String())
		}
		if want := tc.want + "\ntool -h lists the flags\n"; errs.String() != want {
			t.Errorf("%v: stderr %q, want %q", tc.args, errs.String(), want)
		}
	}
}

func TestGoodArgsGoOn(t *testing.T) {
	fs, h := newSet()
	var out, errs bytes.Buffer
	if code, ok := Parse(fs, []string{"--seed", "7", "--quiet"}, h, &out, &errs); !ok || code != 0 || out.Len()+errs.Len() != 0 {
		t.Fatalf("ok %v code %d, output %q %q", ok, code, out.String(), errs.String())
	}
	if got := fs.Lookup("seed").Value.String(); got != "7" {
		t.Errorf("seed = %s", got)
	}
}
