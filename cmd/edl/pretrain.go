package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/edlwire/edlwire/shared/curve"
)

// cmdPretrain trains a base: one pass over the spec's n examples, then θ*
// (epochs with early stopping on the validation split), saved as a
// checkpoint file for --base.
func cmdPretrain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edl pretrain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := registerSpec(fs)
	out := fs.String("out", "", "checkpoint FILE to write (required)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines sharing large layers (changes speed, never results)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *out == "" {
		fmt.Fprintln(stderr, "edl pretrain: --out FILE is required, no positional arguments")
		return 2
	}
	sp, build, base, err := sf.resolve()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	start := time.Now()
	in, labels, err := build(sp)
	if err == nil {
		var file []byte
		if file, err = curve.Pretrain(sp, base, in, labels, *workers); err == nil {
			err = os.WriteFile(*out, file, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "edl pretrain:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (%d examples, %.1f s)\n", *out, sp.N, time.Since(start).Seconds())
	return 0
}
