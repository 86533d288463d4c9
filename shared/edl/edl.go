package edl

import (
	"fmt"
	"math"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// UniformBits is the length of the uniform code for n labels over K classes:
// n·log₂K.
func UniformBits(n int64, k int) float64 {
	return float64(float64(n) * detmath.Log2(float64(k)))
}

// TestLossBits is the mean of −log₂ p(y|x) over the examples of x, under m.
// It returns 0 for an empty set.
func TestLossBits(m model.Model, x *task.Matrix, labels []int) (float64, error) {
	mean, _, _, err := TestLoss(m, x, labels, nil, nil)
	return mean, err
}

// TestLoss is m's mean loss in bits over the rows of x that scored selects
// (all when nil): −log₂ p(y|x), or with answers (spec score = answers)
// −log₂ p(y | y ∈ S) (ConditionalBits). The losses are summed in row order
// and the sum divided by the count, the arithmetic Alice and Bob repeat
// label by label in the held-out phase. It also returns the standard error
// σ/√count of the mean (σ the sample standard deviation of the losses; 0
// for fewer than two) and the count. An empty set gives zeros.
func TestLoss(m model.Model, x *task.Matrix, labels, answers []int, scored func([]float64) bool) (mean, se float64, count int64, err error) {
	if x.Rows != len(labels) {
		return 0, 0, 0, fmt.Errorf("edl: %d test inputs, %d labels", x.Rows, len(labels))
	}
	probs := make([]float64, m.NumClasses())
	var losses []float64
	sum := 0.0
	for i := 0; i < x.Rows; i++ {
		row := x.Row(i)
		if scored != nil && !scored(row) {
			continue
		}
		m.Probs(probs, row)
		y := labels[i]
		if y < 0 || y >= len(probs) {
			return 0, 0, 0, fmt.Errorf("edl: test label %d of example %d outside [0, %d)", y, i, len(probs))
		}
		l := -detmath.Log2(probs[y])
		if answers != nil {
			l = ConditionalBits(probs, y, answers)
		}
		sum += l // ≡ sum −= log₂ p: IEEE subtraction is addition of the negation
		losses = append(losses, l)
	}
	count = int64(len(losses))
	if count == 0 {
		return 0, 0, 0, nil
	}
	mean = sum / float64(count)
	if count > 1 {
		ss := 0.0
		for _, l := range losses {
			d := l - mean
			ss += float64(d * d)
		}
		se = math.Sqrt(ss / float64(count-1) / float64(count))
	}
	return mean, se, count, nil
}

// ConditionalBits is the answers-scored code length of label y (spec
// ScoreAnswers): −log₂ p(y | y ∈ S) = log₂ Σ_{s∈S} p(s) − log₂ p(y), the
// mass of S summed in the order of answers. A y outside S gets the same
// formula (then not a conditional probability, but finite and the same on
// both sides).
func ConditionalBits(probs []float64, y int, answers []int) float64 {
	mass := 0.0
	for _, a := range answers {
		mass += probs[a]
	}
	return detmath.Log2(mass) - detmath.Log2(probs[y])
}

// ConditionalQuantizedBits is ConditionalBits under the coder's integer
// frequencies: log₂ Σ_{s∈S} f_s − log₂ f_y (the precision cancels).
func ConditionalQuantizedBits(freqs []uint32, y int, answers []int) float64 {
	var mass uint64
	for _, a := range answers {
		mass += uint64(freqs[a])
	}
	return detmath.Log2(float64(mass)) - detmath.Log2(float64(freqs[y]))
}

// EDL is MDL − n·L_test, in bits.
func EDL(mdlBits float64, n int64, testLossBits float64) float64 {
	return mdlBits - float64(float64(n)*testLossBits)
}

// LabelBytes is the raw label encoding used for the labels' SHA-256 and the
// zstd baseline: one byte per label when K ≤ 256, two bytes little-endian
// when K ≤ 65536, four otherwise (LabelWidth).
func LabelBytes(labels []int, k int) []byte {
	out := make([]byte, 0, LabelWidth(k)*len(labels))
	for _, y := range labels {
		out = AppendLabel(out, y, k)
	}
	return out
}

// LabelWidth is the bytes a label of K classes takes in LabelBytes
// (spec.LabelWidth, which memory estimates read).
func LabelWidth(k int) int { return int(spec.LabelWidth(int64(k))) }

// AppendLabel appends y's bytes in LabelBytes to dst: LabelBytes one label
// at a time, for labels that are not held.
func AppendLabel(dst []byte, y, k int) []byte {
	for j := range LabelWidth(k) {
		dst = append(dst, byte(uint32(y)>>(8*j)))
	}
	return dst
}
