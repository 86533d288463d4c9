package main

import (
	"io"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/experiment"
)

// edl elicit applies exactly the flags given, zero included, over the
// target's defaults; the early stopping follows --epochs unless given.
func TestParseElicitFlags(t *testing.T) {
	parse := func(args ...string) (experiment.Options, error) {
		t.Helper()
		o, out, _, err := parseElicitFlags("elicit", append([]string{"--out", "dir"}, args...), io.Discard)
		if err == nil && out != "dir" {
			t.Errorf("%q: out %q", args, out)
		}
		return o, err
	}
	for _, quick := range []bool{false, true} {
		q := []string{}
		if quick {
			q = []string{"--quick"}
		}
		o, err := parse(q...)
		if want := experiment.Defaults(quick); err != nil || o.Workers < 1 || withWorkers(o, 0) != want {
			t.Errorf("quick %v: no flags give %+v, %v; want %+v", quick, o, err, want)
		}
		o, err = parse(append(q, "--target", "untagged")...)
		if want := experiment.LatentDefaults(quick); err != nil || withWorkers(o, 0) != want {
			t.Errorf("quick %v: untagged gives %+v, %v; want %+v", quick, o, err, want)
		}
	}
	for _, c := range []struct {
		args                         []string
		epochs, patience, validation int64
	}{
		{[]string{"--target", "untagged", "--epochs", "0"}, 0, 0, 0},
		{[]string{"--target", "untagged", "--epochs", "0", "--validation", "500"}, 0, 0, 500},
		{[]string{"--target", "untagged", "--epochs", "2"}, 2, 2, 1000},
		{[]string{"--target", "untagged", "--patience", "5"}, 20, 5, 1000},
		{[]string{"--epochs", "10"}, 10, 3, 1000},
		{[]string{"--epochs", "10", "--patience", "4", "--validation", "200"}, 10, 4, 200},
		{[]string{"--epochs", "0"}, 0, 0, 0},
	} {
		o, err := parse(c.args...)
		if err != nil || o.Epochs != c.epochs || o.Patience != c.patience || o.Validation != c.validation {
			t.Errorf("%q: epochs %d patience %d validation %d (%v), want %d %d %d", c.args, o.Epochs, o.Patience, o.Validation, err, c.epochs, c.patience, c.validation)
		}
	}
	o, err := parse("--target", "untagged", "--scripts", "3", "--p", "11", "--layers", "1", "--seeds", "2", "--lr", "0.01")
	if err != nil || o.Scripts != 3 || o.P != 11 || o.Layers != 1 || o.Seeds != 2 || o.LR != 0.01 || o.Hidden != 64 {
		t.Errorf("overrides: %+v, %v", o, err)
	}
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--scripts", "3"}, "--scripts"},
		{[]string{"--target", "untagged", "--patience", "0"}, "patience"},
		{[]string{"--epochs", "0", "--patience", "2"}, "patience"},
		{[]string{"--target", "untagged", "--validation", "0"}, "validation"},
		{[]string{"--p", "0"}, "--p"},
		{[]string{"--layers", "0"}, "--layers"},
		{[]string{"--seeds", "-1"}, "--seeds"},
		{[]string{"--target", "tagged"}, "--target"},
	} {
		if _, err := parse(c.args...); err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("%q: want an error naming %s, got %v", c.args, c.flag, err)
		}
	}
	if _, _, _, err := parseElicitFlags("intervene", []string{"--quick"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--out") {
		t.Errorf("no --out: %v", err)
	}
}

// withWorkers is o with the given worker count, to compare options.
func withWorkers(o experiment.Options, w int) experiment.Options {
	o.Workers = w
	return o
}
