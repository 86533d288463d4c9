package task

import (
	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// The seeded tasks with a known answer. Each builds its inputs from the
// stream "<part>-inputs" (part = train, valid, test; the synthetic task
// keeps its own historical stream names) and its labels from a hidden rule
// drawn from a named stream, then label noise from "<part>-noise". Integer
// inputs (hypothesis, coupon) are exact float64 integers in column 0.

// fillerOf is the row generator of one split of a seeded task (the
// synthetic task and those of this file): its stream "<part>-inputs" and
// how one row is drawn from it. NewInputs runs it to the end at once,
// NewStreamInputs through a window; both give the same bits.
func fillerOf(s spec.Spec, part string) filler {
	d := int(s.Dim)
	f := filler{seed: rng.Derive(s.Seed, part+"-inputs"), cols: d}
	switch s.Task {
	case spec.TaskSynthetic:
		f.fill = func(src *rng.Source, row []float64) {
			for j := range row {
				row[j] = src.Normal()
			}
		}
	case spec.TaskHypothesis:
		classes := int(s.Classes)
		f.fill = func(src *rng.Source, row []float64) { row[0] = float64(src.IntN(classes)) }
	case spec.TaskCoupon:
		keys, w := int(s.Keys), s.RareWeight
		f.fill = func(src *rng.Source, row []float64) {
			if w == 0 {
				row[0] = float64(src.IntN(keys))
			} else if src.Float64() < w {
				// The rare region: keys 1..Keys−1, uniform.
				row[0] = float64(1 + src.IntN(keys-1))
			}
			// else key 0, the common input.
		}
	case spec.TaskParity:
		// Bits as ±1 so that a linear layer sees a centred input.
		f.fill = func(src *rng.Source, row []float64) {
			for j := range row {
				row[j] = float64(2*src.IntN(2) - 1)
			}
		}
	case spec.TaskModular:
		p := modulus(s)
		perm := notation(s)
		tokens, tagged := tokenNotation(s), spec.TaggedNotation(s.Notation)
		f.fill = func(src *rng.Source, row []float64) {
			a, b := src.IntN(p), src.IntN(p)
			if tokens {
				// The same draws written as two token ids.
				row[0], row[1] = float64(perm[a]), float64(perm[b])
				return
			}
			row[perm[a]] = 1
			row[p+perm[b]] = 1
			if tagged {
				// The tag slot is drawn for every example, untagged too,
				// so the two notations share their (a, b) draws. In the
				// tagged notation slot Notations means "no tag shown".
				t := src.IntN(int(s.Notations) + 1)
				if s.Notation == spec.NotationTagged && t < int(s.Notations) {
					row[2*p+t] = 1
				}
			}
		}
	case spec.TaskFormat:
		f.fill = formatFill(s)
	case spec.TaskRare:
		// Column 0 marks the region: at most 0 in the common region, at
		// least 3 in the rare one, so the rule is a function of x alone.
		w := s.RareWeight
		f.fill = func(src *rng.Source, row []float64) {
			rare := src.Float64() < w
			for j := range row {
				row[j] = src.Normal()
			}
			z := row[0]
			if z < 0 {
				z = -z
			}
			if rare {
				row[0] = 3 + z
			} else {
				row[0] = -z
			}
		}
	default:
		panic("task: no seeded inputs for task " + s.Task)
	}
	return f
}

// notation is the modular task's symbol map: the identity for one-hot and
// tokens, a fixed permutation for permuted and tokens-permuted (the same
// permutation: symbol s is written as column or id perm[s]). The permutation depends on p
// only, not on the seed, so the notation is a property of the task that
// pre-training and fine-tuning runs with different seeds share.
func notation(s spec.Spec) []int {
	p := modulus(s)
	if s.Notation == spec.NotationPermuted || s.Notation == spec.NotationTokensPermuted {
		return answerAlphabet(p)
	}
	id := make([]int, p)
	for i := range id {
		id[i] = i
	}
	return id
}

// answerAlphabet is σ, the permutation of the p answer symbols the
// answers-permuted notation writes labels in: the permuted notation's own
// permutation, a function of p only.
func answerAlphabet(p int) []int {
	return rng.New(rng.Derive(uint64(p), "modular-permuted-notation"), 0).Perm(p)
}

// modulus is the modular task's p: Classes, except in the tagged and
// untagged notations, whose Classes = Notations·p symbols are Notations
// scripts of p symbols each (script t writes answer y as t·p + y).
func modulus(s spec.Spec) int {
	if spec.TaggedNotation(s.Notation) {
		return int(s.Classes / s.Notations)
	}
	return int(s.Classes)
}

// tokenNotation reports whether the modular task writes its inputs as two
// token ids (columns a and b) instead of one-hot blocks.
func tokenNotation(s spec.Spec) bool {
	return s.Notation == spec.NotationTokens || s.Notation == spec.NotationTokensPermuted
}

// symbolOf inverts the one-hot block starting at column off.
func symbolOf(row []float64, off int, inv []int) int {
	for j := range inv {
		if row[off+j] != 0 {
			return inv[j]
		}
	}
	return 0
}

// seededRule is the label rule of seeded.go's tasks: the task's hidden
// rule applied to the row, then its noise: with probability Noise a label
// is replaced by a uniform draw from the other Classes−1 labels (so the
// noise is exactly the ε the hypothesis learner assumes). Both noise draws
// happen for every example so the stream stays aligned with the example
// index.
func seededRule(s spec.Spec) LabelRule {
	if s.Task == spec.TaskFormat {
		return formatRule(s) // its noise stays inside the answer set
	}
	k := int(s.Classes)
	var hidden func(row []float64) int
	switch s.Task {
	case spec.TaskHypothesis:
		j := rng.New(rng.Derive(s.Seed, "hypothesis"), 0).IntN(int(s.Hypotheses))
		hidden = func(row []float64) int { return (int(row[0]) + j) % k }
	case spec.TaskCoupon:
		src := rng.New(rng.Derive(s.Seed, "coupon-values"), 0)
		values := make([]int, s.Keys)
		for i := range values {
			values[i] = src.IntN(k)
		}
		hidden = func(row []float64) int { return values[int(row[0])] }
	case spec.TaskParity:
		subset := rng.New(rng.Derive(s.Seed, "parity-subset"), 0).Perm(int(s.Dim))[:s.ParityBits]
		hidden = func(row []float64) int {
			y := 0
			for _, c := range subset {
				if row[c] > 0 {
					y ^= 1
				}
			}
			return y
		}
	case spec.TaskModular:
		hidden = modularRule(s)
	case spec.TaskRare:
		common := normalMatrix(rng.Derive(s.Seed, "teacher"), k, int(s.Dim))
		rare := normalMatrix(rng.Derive(s.Seed, "rare-teacher"), k, int(s.Dim))
		hidden = func(row []float64) int {
			w := &common
			if row[0] >= 3 {
				w = &rare
			}
			return argmaxRows(w, row)
		}
	default:
		panic("task: no seeded labels for task " + s.Task)
	}
	tagged := s.Task == spec.TaskModular && s.Notation == spec.NotationTagged
	p := 0
	if tagged {
		p = modulus(s)
	}
	return func(part string) LabelStep {
		noise := rng.New(rng.Derive(s.Seed, part+"-noise"), 0)
		var pick *rng.Source
		if tagged {
			pick = rng.New(rng.Derive(s.Seed, part+"-untagged-script"), 0)
		}
		return func(row []float64) int {
			y := hidden(row)
			if pick != nil {
				// Each answer in the script its tag names, t·p + y; a
				// prompt without a tag is answered in a script drawn
				// uniformly (drawn for every example).
				t := pick.IntN(int(s.Notations))
				for j, v := range row[2*p:] {
					if v != 0 {
						t = j
					}
				}
				y = t*p + y
			}
			u, r := noise.Float64(), noise.IntN(k-1)
			if u < s.Noise {
				y = (y + 1 + r) % k
			}
			return y
		}
	}
}

// modularRule is the modular task's hidden rule: a Op b mod p read from the
// row in the spec's notation, written in the answer alphabet (σ(y) in the
// answers-permuted notation, the last script in the untagged one; the
// tagged notation's script is drawn per example by seededRule).
func modularRule(s spec.Spec) func(row []float64) int {
	p := modulus(s)
	perm := notation(s)
	inv := make([]int, p)
	for sym, col := range perm {
		inv[col] = sym
	}
	tokens := tokenNotation(s)
	var sigma []int
	if s.Notation == spec.NotationAnswersPermuted {
		// The same answers written in the other alphabet: σ(y).
		sigma = answerAlphabet(p)
	}
	untagged := s.Notation == spec.NotationUntagged
	return func(row []float64) int {
		var a, b int
		if tokens {
			a, b = inv[int(row[0])], inv[int(row[1])]
		} else {
			a, b = symbolOf(row, 0, inv), symbolOf(row, p, inv)
		}
		var y int
		switch s.Op {
		case spec.OpAdd:
			y = (a + b) % p
		case spec.OpSub:
			y = (a - b + p) % p
		case spec.OpMul:
			y = (a * b) % p
		}
		if sigma != nil {
			y = sigma[y]
		}
		if untagged {
			// No tag: every answer in the last script.
			y = (int(s.Notations)-1)*p + y
		}
		return y
	}
}

// argmaxRows is the index of the teacher row with the largest dot product
// with x (lowest index on ties).
func argmaxRows(w *Matrix, x []float64) int {
	best, bestV := 0, detmath.Dot(w.Row(0), x)
	for c := 1; c < w.Rows; c++ {
		if v := detmath.Dot(w.Row(c), x); v > bestV {
			best, bestV = c, v
		}
	}
	return best
}

// randomRule replaces a split's labels with uniform draws independent of
// the inputs: the control in which nothing generalizes. The stream names
// are the synthetic task's, so its labels are unchanged by the move here.
func randomRule(s spec.Spec) LabelRule {
	k := int(s.Classes)
	return func(part string) LabelStep {
		src := rng.New(rng.Derive(s.Seed, part+"-random-labels"), 0)
		return func([]float64) int { return src.IntN(k) }
	}
}
