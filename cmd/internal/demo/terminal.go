package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/events"
)

// report holds the fields of alice's and bob's reports the demo shows.
type report struct {
	N                  int64    `json:"n"`
	Test               int64    `json:"test"`
	Classes            int64    `json:"classes"`
	PayloadBytes       int64    `json:"payload_bytes"`
	CodedBits          int64    `json:"coded_bits"`
	QuantizedIdealBits float64  `json:"quantized_ideal_bits"`
	UniformBits        float64  `json:"uniform_bits"`
	TestLossBits       *float64 `json:"test_loss_bits"`
	EDLBits            *float64 `json:"edl_bits"`
	Fingerprint        string   `json:"fingerprint"`
	CheckpointsMatched int64    `json:"checkpoints_matched"`
	Checkpoints        int64    `json:"checkpoints"`
	BobVerified        bool     `json:"bob_verified"`
}

// terminal runs one transmission and prints a line per checkpoint (once
// both sides have reported it) and a summary, in at most 80 columns.
func (d *Demo) terminal(ctx context.Context, sc Scene, cfg Config, out io.Writer) error {
	pace := max(cfg.Pace, 0)
	ended := make(chan error, 1)
	label := sc.Title
	if cfg.Random {
		label += ", random labels"
	}
	fmt.Fprintf(out, "edl demo: %s\n", label)
	header := false
	d.hub.onPair = func(cp cpRow, start *events.Event, bits float64, bytes int64) {
		if !header {
			if start != nil {
				fmt.Fprintf(out, "%d training labels, %d classes: the uniform code costs %.2f bits a label\n\n",
					start.N, start.Classes, math.Log2(float64(start.Classes)))
			}
			fmt.Fprintf(out, "%8s  %-5s  %15s  %10s  %8s  %-12s  %s\n", "example", "phase", "coded so far", "bits/label", "sent", "Alice's fp", "Bob's")
			header = true
		}
		phase := cp.Phase
		var n int64 = cp.Example
		if start != nil && cp.Example > start.N {
			n = start.N // bits and bits/label stay those of the pass
		}
		verdict := "DIFFER"
		if cp.Match {
			verdict = "match"
		}
		fmt.Fprintf(out, "%8d  %-5s  %10.1f bits  %10.3f  %6d B  %.12s  %s\n",
			cp.Example, phase, bits, bits/float64(max(n, 1)), bytes, cp.Alice, verdict)
	}
	d.hub.onEnd = func(alice, bob json.RawMessage, failure string) {
		d.saveReports(alice, bob)
		if failure != "" {
			ended <- errors.New("edl demo: " + failure)
			return
		}
		ended <- summary(out, alice, bob)
	}
	d.mu.Lock()
	d.delay = pace
	d.mu.Unlock()
	if err := d.restart(sc.Name, cfg.Random, &pace, false); err != nil {
		return err
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			d.shutdown()
			return ctx.Err()
		case err := <-ended:
			d.shutdown()
			return err
		case <-t.C:
			d.hub.flush()
		}
	}
}

// summary prints the closing lines from both reports.
func summary(out io.Writer, aliceRaw, bobRaw json.RawMessage) error {
	var a, b report
	if err := json.Unmarshal(aliceRaw, &a); err != nil {
		return fmt.Errorf("edl demo: alice's report: %w", err)
	}
	if err := json.Unmarshal(bobRaw, &b); err != nil {
		return fmt.Errorf("edl demo: bob's report: %w", err)
	}
	n := float64(max(a.N, 1))
	fmt.Fprintln(out)
	fmt.Fprintf(out, "MDL (bits Alice sent)   %9d bits  %6.3f bits/label  (%d bytes)\n", a.CodedBits, float64(a.CodedBits)/n, a.CodedBits/8)
	fmt.Fprintf(out, "uniform code n·log₂K    %9.1f bits  %6.3f bits/label\n", a.UniformBits, a.UniformBits/n)
	if a.TestLossBits != nil && a.EDLBits != nil {
		fmt.Fprintf(out, "final test loss         %9.4f bits/example, on %d held-out examples\n", *a.TestLossBits, a.Test)
		fmt.Fprintf(out, "n·L_test                %9.1f bits\n", n**a.TestLossBits)
		fmt.Fprintf(out, "EDL = MDL − n·L_test    %9.1f bits  %6.3f bits/label\n", *a.EDLBits, *a.EDLBits/n)
	}
	same := a.Fingerprint == b.Fingerprint && a.BobVerified
	verdict := "Bob = Alice, bit for bit"
	if !same {
		verdict = "Bob DIFFERS from Alice"
	}
	fmt.Fprintf(out, "sync                    %d checkpoints matched: %s\n", a.CheckpointsMatched, verdict)
	fmt.Fprintf(out, "final fingerprint       %.32s…\n", a.Fingerprint)
	if !same {
		return errors.New("edl demo: bob's final fingerprint differs from alice's")
	}
	return nil
}
