package task

import (
	"slices"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// The format task (spec.TaskFormat): answers that use a small part of a
// large vocabulary (the format) plus a mapping (the capability).
//
//   - The vocabulary is the Classes symbols; the answer set S is Answers of
//     them, drawn from the seed's stream "format-answers" and sorted
//     (FormatAnswers).
//   - Every input is one of Keys keys, uniform, from "<part>-inputs": an
//     exact float64 integer in column 0 (dim 1, for the table model, or a
//     token id for the tokens model) or a one-hot row (dim = Keys, for
//     softmax and mlp).
//   - The label of key k is map[k] ∈ S, the map drawn from "format-map".
//   - Noise: with probability Noise the label is replaced by a uniform draw
//     from the other Answers − 1 members of S (stream "<part>-noise", both
//     draws for every example), so noisy labels stay inside S: noise blurs
//     the mapping, never the format.
//   - Random labels (the control): uniform draws from S, independent of
//     the key (stream "<part>-random-labels"). The control keeps the format
//     and destroys the capability, so its answers-scored EDL is ≈ 0 while
//     its full EDL keeps the format's bits.
//
// A learner that shares its output layer across keys (softmax, mlp) learns
// the format (about log₂(Classes/Answers) bits per label) in a few dozen
// examples and each key's answer (log₂ Answers bits) only once the key has
// been seen: the early bump in EDL/n that scoring the answers alone
// (spec.ScoreAnswers) removes.

// FormatAnswers is the format task's answer set S: Answers distinct symbols
// of [0, Classes), in increasing order, chosen by the seed. It is what the
// answers scoring (spec.ScoreAnswers) conditions on. The spec must be a
// valid format spec.
func FormatAnswers(s spec.Spec) []int {
	perm := rng.New(rng.Derive(s.Seed, "format-answers"), 0).Perm(int(s.Classes))
	out := perm[:s.Answers:s.Answers]
	slices.Sort(out)
	return out
}

// formatFill draws one uniform key per row: column 0 holds it (dim 1) or
// its one-hot column is set.
func formatFill(s spec.Spec) func(src *rng.Source, row []float64) {
	keys := int(s.Keys)
	return func(src *rng.Source, row []float64) {
		k := src.IntN(keys)
		if len(row) == 1 {
			row[0] = float64(k)
		} else {
			row[k] = 1
		}
	}
}

// formatKey reads a row's key: column 0 (dim 1) or the one-hot column.
func formatKey(row []float64) int {
	if len(row) == 1 {
		return int(row[0])
	}
	for j, v := range row {
		if v != 0 {
			return j
		}
	}
	return 0
}

// formatRule is the format task's label rule, noise included.
func formatRule(s spec.Spec) LabelRule {
	answers := FormatAnswers(s)
	a := len(answers)
	src := rng.New(rng.Derive(s.Seed, "format-map"), 0)
	mapping := make([]int, s.Keys) // key → index into answers
	for k := range mapping {
		mapping[k] = src.IntN(a)
	}
	return func(part string) LabelStep {
		noise := rng.New(rng.Derive(s.Seed, part+"-noise"), 0)
		return func(row []float64) int {
			j := mapping[formatKey(row)]
			u, r := noise.Float64(), noise.IntN(a-1)
			if u < s.Noise {
				j = (j + 1 + r) % a
			}
			return answers[j]
		}
	}
}

// formatRandomRule is the random-labels control of the format task:
// uniform draws from S, independent of the inputs.
func formatRandomRule(s spec.Spec) LabelRule {
	answers := FormatAnswers(s)
	return func(part string) LabelStep {
		src := rng.New(rng.Derive(s.Seed, part+"-random-labels"), 0)
		return func([]float64) int { return answers[src.IntN(len(answers))] }
	}
}
