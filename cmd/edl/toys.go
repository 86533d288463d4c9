package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/edlwire/edlwire/shared/experiment"
)

// edl toy: the five toy models of EDL.md (shared/experiment runs them and
// judges them against their analytic predictions); here are the flags, the
// readable report, toy.json and the plots.

// toyReport is toy.json: the toy's outcome, the files drawn and the time.
type toyReport struct {
	experiment.ToyResult
	Files   []string `json:"files,omitempty"`
	Seconds float64  `json:"elapsed_seconds"`
}

func toyNames() string {
	var n []string
	for _, t := range experiment.Toys {
		n = append(n, t.Name)
	}
	return strings.Join(n, ", ")
}

func cmdToy(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edl toy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "reduced sizes (what the tests run); the criteria are the same")
	out := fs.String("out", "", "write each toy's plots and toy.json under DIR/NAME")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "runs at once (changes speed, never results)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: edl toy NAME [--quick] [--out DIR]\nNAME: %s, all\n", toyNames())
		fs.PrintDefaults()
	}
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	var toys []experiment.Toy
	for _, t := range experiment.Toys {
		if name == "all" || name == t.Name {
			toys = append(toys, t)
		}
	}
	if len(toys) == 0 {
		fs.Usage()
		return 2
	}
	allPass := true
	var results []*toyReport
	for _, t := range toys {
		o := experiment.ToyOptions{Quick: *quick, Workers: *workers, Losses: *out != "",
			Progress: func(label string) func(int, int) { return newProgress(stderr, label).Update }}
		dir := ""
		if *out != "" {
			dir = filepath.Join(*out, t.Name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				fmt.Fprintln(stderr, "edl:", err)
				return 1
			}
		}
		start := time.Now()
		res, err := experiment.RunToy(t, o)
		var files []string
		if err == nil && dir != "" {
			files, err = drawFigures(res.Figures, dir)
		}
		if err != nil {
			fmt.Fprintf(stderr, "edl toy %s: %v\n", t.Name, err)
			return 1
		}
		rep := &toyReport{ToyResult: *res, Files: files, Seconds: time.Since(start).Seconds()}
		allPass = allPass && rep.Pass
		fmt.Fprint(stdout, rep.report())
		if dir != "" {
			if err := writeJSON(filepath.Join(dir, "toy.json"), rep); err != nil {
				fmt.Fprintln(stderr, err)
				return 1
			}
		}
		results = append(results, rep)
	}
	if len(results) > 1 {
		fmt.Fprintln(stdout, "summary:")
		for _, r := range results {
			fmt.Fprintf(stdout, "  %-14s %s  (%.1f s)\n", r.Name, verdict(r.Pass), r.Seconds)
		}
	}
	if !allPass {
		return 1
	}
	return 0
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func (r *toyReport) report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "== toy %s: %s (%.1f s)\n", r.Name, verdict(r.Pass), r.Seconds)
	for _, line := range strings.Split(r.Design, "\n") {
		fmt.Fprintf(&b, "   %s\n", line)
	}
	for _, line := range r.Table {
		fmt.Fprintf(&b, "   %s\n", line)
	}
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "   [%s] %s: measured %s, predicted %s; criterion %s\n", verdict(c.Pass), c.Name, c.Measured, c.Predicted, c.Criterion)
	}
	for _, f := range r.Files {
		fmt.Fprintf(&b, "   wrote %s\n", f)
	}
	return b.String()
}
