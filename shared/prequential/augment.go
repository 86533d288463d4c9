package prequential

import (
	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// augmenter shifts the block training's images (spec.BlockAugment): each
// example by (dx, dy) drawn uniformly from [−k, k]², dy first, from one
// stream per block, in the order the minibatches use the examples. A shift
// only copies pixels (and writes zeros where it vacates them), so Alice and
// Bob, drawing the same shifts, feed bit-identical inputs to training.
type augmenter struct {
	side, k int
	src     *rng.Source
	rows    [][]float64 // one shifted image per minibatch row, reused
}

// newAugmenter returns the augmenter of the block with index block.
func newAugmenter(sp spec.Spec, block uint64) *augmenter {
	side := int(spec.ImageSide(sp.Dim))
	a := &augmenter{side: side, k: int(sp.BlockAugment), src: rng.New(rng.Derive(sp.Seed, "augment"), block)}
	a.rows = make([][]float64, sp.Batch)
	for j := range a.rows {
		a.rows[j] = make([]float64, side*side)
	}
	return a
}

// shift draws the next example's shift and returns x shifted, in the
// buffer of minibatch row j (valid until row j is shifted again).
func (a *augmenter) shift(j int, x []float64) []float64 {
	dy := a.src.IntN(2*a.k+1) - a.k
	dx := a.src.IntN(2*a.k+1) - a.k
	shiftImage(a.rows[j], x, a.side, dx, dy)
	return a.rows[j]
}

// shiftImage writes into dst the side×side image src moved dx columns right
// and dy rows down: dst[r][c] = src[r−dy][c−dx], zero where that pixel lies
// outside src.
func shiftImage(dst, src []float64, side, dx, dy int) {
	for r := range side {
		row := dst[r*side : (r+1)*side]
		sr := r - dy
		if sr < 0 || sr >= side {
			clear(row)
			continue
		}
		from := src[sr*side : (sr+1)*side]
		for c := range side {
			if sc := c - dx; sc >= 0 && sc < side {
				row[c] = from[sc]
			} else {
				row[c] = 0
			}
		}
	}
}
