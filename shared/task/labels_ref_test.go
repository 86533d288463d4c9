package task

import (
	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// The label generators as they were before labels could be streamed
// (whole splits at once, one loop per stage): the reference that the label
// rules (labels.go), run dense or streamed, must equal label for label.

// refSeededLabels applies the task's hidden rule to one split, then its noise:
// with probability Noise a label is replaced by a uniform draw from the
// other Classes−1 labels (so the noise is exactly the ε the hypothesis
// learner assumes). Both noise draws happen for every example so the stream
// stays aligned with the example index.
func refSeededLabels(s spec.Spec, x *Matrix, part string) []int {
	k := int(s.Classes)
	out := make([]int, x.Rows)
	switch s.Task {
	case spec.TaskHypothesis:
		j := rng.New(rng.Derive(s.Seed, "hypothesis"), 0).IntN(int(s.Hypotheses))
		for i := range out {
			out[i] = (int(x.Row(i)[0]) + j) % k
		}
	case spec.TaskCoupon:
		src := rng.New(rng.Derive(s.Seed, "coupon-values"), 0)
		values := make([]int, s.Keys)
		for i := range values {
			values[i] = src.IntN(k)
		}
		for i := range out {
			out[i] = values[int(x.Row(i)[0])]
		}
	case spec.TaskParity:
		subset := rng.New(rng.Derive(s.Seed, "parity-subset"), 0).Perm(int(s.Dim))[:s.ParityBits]
		for i := range out {
			row := x.Row(i)
			y := 0
			for _, c := range subset {
				if row[c] > 0 {
					y ^= 1
				}
			}
			out[i] = y
		}
	case spec.TaskModular:
		p := modulus(s)
		perm := notation(s)
		inv := make([]int, p)
		for sym, col := range perm {
			inv[col] = sym
		}
		for i := range out {
			row := x.Row(i)
			var a, b int
			if tokenNotation(s) {
				a, b = inv[int(row[0])], inv[int(row[1])]
			} else {
				a, b = symbolOf(row, 0, inv), symbolOf(row, p, inv)
			}
			switch s.Op {
			case spec.OpAdd:
				out[i] = (a + b) % p
			case spec.OpSub:
				out[i] = (a - b + p) % p
			case spec.OpMul:
				out[i] = (a * b) % p
			}
		}
		if s.Notation == spec.NotationAnswersPermuted {
			// The same answers written in the other alphabet: σ(y).
			sigma := answerAlphabet(p)
			for i, y := range out {
				out[i] = sigma[y]
			}
		}
		if s.Notation == spec.NotationTagged {
			// Each answer in the script its tag names, t·p + y; a prompt
			// without a tag is answered in a script drawn uniformly.
			pick := rng.New(rng.Derive(s.Seed, part+"-untagged-script"), 0)
			for i, y := range out {
				t := pick.IntN(int(s.Notations))
				for j, v := range x.Row(i)[2*p:] {
					if v != 0 {
						t = j
					}
				}
				out[i] = t*p + y
			}
		}
		if s.Notation == spec.NotationUntagged {
			// No tag: every answer in the last script.
			for i, y := range out {
				out[i] = (int(s.Notations)-1)*p + y
			}
		}
	case spec.TaskFormat:
		return refFormatLabels(s, x, part) // its noise stays inside the answer set
	case spec.TaskRare:
		common := normalMatrix(rng.Derive(s.Seed, "teacher"), k, int(s.Dim))
		rare := normalMatrix(rng.Derive(s.Seed, "rare-teacher"), k, int(s.Dim))
		for i := range out {
			row := x.Row(i)
			w := &common
			if row[0] >= 3 {
				w = &rare
			}
			out[i] = argmaxRows(w, row)
		}
	}
	noise := rng.New(rng.Derive(s.Seed, part+"-noise"), 0)
	for i := range out {
		u, r := noise.Float64(), noise.IntN(k-1)
		if u < s.Noise {
			out[i] = (out[i] + 1 + r) % k
		}
	}
	return out
}

// refRandomLabels replaces a split's labels with uniform draws independent of
// the inputs: the control in which nothing generalizes. The stream names
// are the synthetic task's, so its labels are unchanged by the move here.
func refRandomLabels(s spec.Spec, part string, n int) []int {
	src := rng.New(rng.Derive(s.Seed, part+"-random-labels"), 0)
	out := make([]int, n)
	for i := range out {
		out[i] = src.IntN(int(s.Classes))
	}
	return out
}

func refSynthLabels(s spec.Spec, teacher, x *Matrix, part string) []int {
	k := int(s.Classes)
	out := make([]int, x.Rows)
	noise := rng.New(rng.Derive(s.Seed, part+"-noise"), 0)
	for i := range out {
		best := argmaxRows(teacher, x.Row(i))
		// Both draws happen for every example so the noise stream stays
		// aligned with the example index whatever the noise level.
		u, repl := noise.Float64(), noise.IntN(k)
		if u < s.Noise {
			best = repl
		}
		out[i] = best
	}
	return out
}

// refFormatLabels is the format task's labels of one split, noise included.
func refFormatLabels(s spec.Spec, x *Matrix, part string) []int {
	answers := FormatAnswers(s)
	a := len(answers)
	src := rng.New(rng.Derive(s.Seed, "format-map"), 0)
	mapping := make([]int, s.Keys) // key → index into answers
	for k := range mapping {
		mapping[k] = src.IntN(a)
	}
	noise := rng.New(rng.Derive(s.Seed, part+"-noise"), 0)
	out := make([]int, x.Rows)
	for i := range out {
		j := mapping[formatKey(x.Row(i))]
		u, r := noise.Float64(), noise.IntN(a-1)
		if u < s.Noise {
			j = (j + 1 + r) % a
		}
		out[i] = answers[j]
	}
	return out
}

// refFormatRandomLabels is the random-labels control of the format task:
// uniform draws from S, independent of the inputs.
func refFormatRandomLabels(s spec.Spec, part string, n int) []int {
	answers := FormatAnswers(s)
	src := rng.New(rng.Derive(s.Seed, part+"-random-labels"), 0)
	out := make([]int, n)
	for i := range out {
		out[i] = answers[src.IntN(len(answers))]
	}
	return out
}
