package coder

import (
	"fmt"
	"math"
	"slices"
)

// CheckProbs accepts what Quantize accepts: finite, non-negative
// probabilities whose sum, in index order, is within 1e-6 of 1. Hosts of
// external predictors check answers with it, so a bad distribution is
// refused where it arrives, with the example named, rather than at the coder.
func CheckProbs(probs []float64) error {
	sum := 0.0
	for i, p := range probs {
		if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
			return fmt.Errorf("coder: the probability of class %d is %v", i, p)
		}
		sum += p
	}
	if !(math.Abs(sum-1) <= 1e-6) {
		return fmt.Errorf("coder: the probabilities sum to %v, not 1", sum)
	}
	return nil
}

// Quantize turns probabilities into integer frequencies that sum to
// exactly 1<<precision, every symbol at least 1. It is the one quantizer
// of the product: its result is bit-identical on every architecture.
//
// It fails if len(dst) != len(probs), if there are no symbols or more than
// 1<<precision of them, if a probability is NaN, infinite or negative, or
// if the probabilities (summed in index order) are not within 1e-6 of 1.
//
// Rule, with T = 1<<precision: f_i = max(1, floor(clamp(p_i*T, 0, T) + 0.5))
// (p_i*T is rounded to float64 on its own, never fused with the addition);
// then d = T - Σf is added to the largest f (lowest index on ties); if
// d < 0 and that would bring it below 1, the excess is taken from the
// symbols in decreasing order of f (lowest index on ties), none below 1.
func Quantize(dst []uint32, probs []float64, precision uint) error {
	if err := checkPrecision(precision); err != nil {
		return err
	}
	k := len(probs)
	if len(dst) != k {
		return fmt.Errorf("coder: quantize: %d outputs for %d probabilities", len(dst), k)
	}
	if k == 0 {
		return fmt.Errorf("coder: quantize: no symbols")
	}
	T := uint64(1) << precision
	if uint64(k) > T {
		return fmt.Errorf("coder: quantize: %d symbols cannot each get a frequency at precision %d", k, precision)
	}
	if err := CheckProbs(probs); err != nil {
		return fmt.Errorf("coder: quantize: %w", err)
	}
	tf := float64(T) // exact: a power of two
	var total uint64
	big := 0 // index of the largest f, lowest index on ties
	for i, p := range probs {
		x := float64(p * tf) // explicit conversion: rounded here, no FMA with the + 0.5
		if x > tf {
			x = tf
		}
		if !(x >= 0) { // cannot happen (p >= 0), keeps the conversion defined
			x = 0
		}
		f := uint64(x + 0.5) // x+0.5 in [0.5, T+0.5]: truncation is floor and in range
		if f < 1 {
			f = 1
		}
		dst[i] = uint32(f)
		total += f
		if dst[i] > dst[big] {
			big = i
		}
	}
	if total <= T {
		dst[big] += uint32(T - total)
		return nil
	}
	excess := total - T
	if uint64(dst[big])-1 >= excess {
		dst[big] -= uint32(excess)
		return nil
	}
	// Rare: many symbols were raised to 1. Take from the largest first.
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if dst[a] != dst[b] {
			if dst[a] > dst[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	for _, i := range order {
		if excess == 0 {
			break
		}
		take := min(uint64(dst[i])-1, excess)
		dst[i] -= uint32(take)
		excess -= take
	}
	if excess != 0 { // unreachable: k <= T leaves room for every symbol at 1
		return fmt.Errorf("coder: quantize: cannot fit %d symbols", k)
	}
	return nil
}
