package curve

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// bump finds the maximum of EDL/n over the grid and how far the curve falls
// after it (as a fraction of the maximum); a bump is an interior maximum
// followed by a fall of at least minFall.
func bump(perN []float64, minFall float64) (at int, fall float64, ok bool) {
	for k, v := range perN {
		if v > perN[at] {
			at = k
		}
	}
	low := perN[at]
	for _, v := range perN[at:] {
		low = min(low, v)
	}
	fall = 1 - low/perN[at]
	return at, fall, at > 0 && at < len(perN)-1 && fall >= minFall
}

// Format learning (EDL.md): on the format task a softmax learner shares its
// output bias across keys and learns that answers lie in S (log₂(V/|S|) = 5
// bits per label) within a few dozen examples, and each key's answer
// (log₂|S| = 3 bits) only once the key has been seen. Scoring whole labels,
// EDL/n has an early bump (the format) and falls after it; scoring the
// answers alone (score = answers, −log₂ p(y | y ∈ S)) the bump vanishes and
// EDL/n rises with the capability (teaching) through the whole window.
func TestFormatBumpVanishesWhenAnswersScored(t *testing.T) {
	s := spec.Default()
	s.Task, s.Classes, s.Answers, s.Keys, s.Dim = spec.TaskFormat, 256, 8, 128, 128
	s.N, s.Test, s.Batch, s.LR = 600, 500, 1, 0.5
	grid := LogGrid(s.N, s.Batch, 14)
	seeds := []uint64{1, 2, 3}
	full := measure(t, Config{Spec: s, Grid: grid, Seeds: seeds, Workers: 2})
	s.Score = spec.ScoreAnswers
	scored := measure(t, Config{Spec: s, Grid: grid, Seeds: seeds, Workers: 2})
	var fullPerN, scoredPerN []float64
	for k := range grid {
		fullPerN = append(fullPerN, full.Summary[k].EDLIdealPerN.Mean)
		scoredPerN = append(scoredPerN, scored.Summary[k].EDLIdealPerN.Mean)
		t.Logf("n=%4d  EDL/n all %.4f  answers %.4f bits/example", grid[k], fullPerN[k], scoredPerN[k])
	}
	if at, fall, ok := bump(fullPerN, 0.2); !ok {
		t.Errorf("all scored: no early bump (max at n=%d, then −%.0f%%)", grid[at], 100*fall)
	} else if grid[at] > s.Keys {
		t.Errorf("all scored: the bump is at n=%d, not before the keys are seen (keys %d)", grid[at], s.Keys)
	}
	if at, fall, ok := bump(scoredPerN, 0.1); ok {
		t.Errorf("answers scored: a bump remains (max at n=%d, then −%.0f%%)", grid[at], 100*fall)
	}
	// The early region directly, where the format is learned (n ≤ keys/4):
	// answers alone stay within ±0.1 (few keys seen twice, nothing to
	// generalize), while whole labels reach ≥ 1 bit/example of EDL by its end.
	early := -1
	for k, n := range grid {
		if n > s.Keys/4 {
			break
		}
		early = k
		if math.Abs(scoredPerN[k]) > 0.1 {
			t.Errorf("answers scored: EDL/n %.3f at n=%d, want within ±0.1 before the keys repeat", scoredPerN[k], n)
		}
	}
	if early < 0 || fullPerN[early] < 1 {
		t.Errorf("all scored: EDL/n below 1 bit/example at the end of the early region (grid index %d)", early)
	}
	// JSON has no NaN: the scored part's coded EDL is written as null.
	b, err := json.Marshal(scored)
	if err != nil {
		t.Fatalf("curve JSON: %v", err)
	}
	if !strings.Contains(string(b), `"edl_bits":null`) || !strings.Contains(string(b), `"edl_ideal_bits":`) {
		t.Errorf("curve JSON lacks a null coded EDL beside the ideal one: %.300s", b)
	}
	for r, run := range scored.Runs {
		for k, p := range run.Points {
			q := full.Runs[r].Points[k]
			// The same stream and learner: only what is scored differs.
			if p.CodedBits != q.CodedBits {
				t.Fatalf("seed %d n=%d: coded bits %d with answers scored, %d without", run.Seed, p.N, p.CodedBits, q.CodedBits)
			}
			if !math.IsNaN(p.EDL) || math.IsNaN(q.EDL) {
				t.Fatalf("seed %d n=%d: coded EDL %v (answers scored) and %v (all): want NaN and a number", run.Seed, p.N, p.EDL, q.EDL)
			}
			if !(p.IdealBits < q.IdealBits && p.TestLoss < q.TestLoss) {
				t.Fatalf("seed %d n=%d: scored ideal %v, test loss %v not below the full %v, %v", run.Seed, p.N, p.IdealBits, p.TestLoss, q.IdealBits, q.TestLoss)
			}
		}
	}
}
