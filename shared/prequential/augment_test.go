package prequential

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// shiftImage against its definition, pixel by pixel, for every shift that
// keeps some pixel and a few that keep none.
func TestShiftImage(t *testing.T) {
	const side = 7
	r := rand.New(rand.NewPCG(3, 4))
	src := make([]float64, side*side)
	for i := range src {
		src[i] = r.Float64() + 1 // no zeros: a kept pixel is told from a vacated one
	}
	dst := make([]float64, side*side)
	for dy := -side; dy <= side; dy++ {
		for dx := -side; dx <= side; dx++ {
			for i := range dst {
				dst[i] = -1 // every pixel must be written
			}
			shiftImage(dst, src, side, dx, dy)
			kept := 0
			for row := range side {
				for col := range side {
					want := 0.0
					if sr, sc := row-dy, col-dx; sr >= 0 && sr < side && sc >= 0 && sc < side {
						want = src[sr*side+sc]
						kept++
					}
					if got := dst[row*side+col]; got != want {
						t.Fatalf("shift (%d, %d): pixel (%d, %d) is %v, want %v", dx, dy, row, col, got, want)
					}
				}
			}
			if want := max(0, side-abs(dx)) * max(0, side-abs(dy)); kept != want {
				t.Fatalf("shift (%d, %d): %d pixels kept, want %d", dx, dy, kept, want)
			}
		}
	}
	shiftImage(dst, src, side, 0, 0)
	if !slices.Equal(dst, src) {
		t.Fatal("the zero shift changed the image")
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// The shifts are uniform over [−k, k]²: a chi-square test over the (2k+1)²
// cells at a level a correct generator fails once in ~10⁶ seeds; and each
// block draws its own sequence, the same on every call.
func TestAugmenterShiftsAreUniform(t *testing.T) {
	sp := spec.Default()
	sp.Dim, sp.Batch, sp.BlockAugment = 64, 4, 2
	const draws = 50000
	cells := (2*sp.BlockAugment + 1) * (2*sp.BlockAugment + 1)
	count := make([]int, cells)
	a := newAugmenter(sp, 1)
	// A one-pixel image at the center (3, 3) shows the shift as where it went.
	img := make([]float64, 64)
	img[3*8+3] = 1
	for i := range draws {
		out := a.shift(i%4, img)
		at := slices.Index(out, 1)
		if at < 0 || slices.Index(out[at+1:], 1) >= 0 {
			t.Fatalf("draw %d: the pixel was not moved exactly once", i)
		}
		dy, dx := at/8-3, at%8-3
		if abs(dx) > 2 || abs(dy) > 2 {
			t.Fatalf("draw %d: shift (%d, %d) outside [−2, 2]²", i, dx, dy)
		}
		count[(dy+2)*5+dx+2]++
	}
	e := float64(draws) / float64(cells)
	var chi2 float64
	for _, c := range count {
		chi2 += (float64(c) - e) * (float64(c) - e) / e
	}
	// 24 degrees of freedom: P(χ² > 70) ≈ 2·10⁻⁶.
	if chi2 > 70 {
		t.Fatalf("χ² = %.1f over %d cells (counts %v)", chi2, cells, count)
	}
	same := func(block uint64) []float64 {
		a := newAugmenter(sp, block)
		var at []float64
		for range 32 {
			at = append(at, float64(slices.Index(a.shift(0, img), 1)))
		}
		return at
	}
	if !slices.Equal(same(1), same(1)) || slices.Equal(same(1), same(2)) {
		t.Fatal("a block's shifts are not its own reproducible sequence")
	}
}

// augSpec is a small cnn on 8×8 images, blockwise, with shifts.
func augSpec() spec.Spec {
	sp := spec.Default()
	sp.Dim, sp.N, sp.Test, sp.Batch, sp.CheckpointEvery = 64, 320, 0, 8, 1000
	sp.Model, sp.Conv, sp.Kernel, sp.Hidden, sp.Activation = spec.ModelCNN, []int64{2}, 3, nil, spec.ActReLU
	sp.Init, sp.InitScale = spec.InitNormal, 1
	sp.Blocks = []int64{40, 80, 160}
	sp.BlockEpochs, sp.BlockPatience, sp.BlockValid, sp.BlockAugment = 4, 2, 5, 2
	return sp
}

// Alice and Bob train the same shifted examples: every checkpoint (each
// block end) agrees, however the stream is cut; with one worker or three;
// and the shifts change the block models (they are applied at all).
func TestBlockwiseAugmentSidesAgree(t *testing.T) {
	sp := augSpec()
	if err := sp.Validate(); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	o := transmit(t, sp, func() int { return 1 + r.IntN(5) })
	if !slices.Equal(o.aliceCP, o.bobCP) {
		t.Fatalf("checkpoints differ:\nalice %v\nbob   %v", o.aliceCP, o.bobCP)
	}
	if a, b := o.alice.LastCheckpoint(), codeWith(t, sp, o.labels, 3).LastCheckpoint(); a != b {
		t.Fatalf("3 workers end at %x, 1 worker at %x", b.Fingerprint, a.Fingerprint)
	}
	sp.BlockAugment = 0
	plain := transmit(t, sp, func() int { return 1 << 20 })
	if plain.alice.LastCheckpoint().Fingerprint == o.alice.LastCheckpoint().Fingerprint {
		t.Fatal("block_augment changed nothing")
	}
}

func TestBlockAugmentSpec(t *testing.T) {
	for _, c := range []struct {
		edit func(*spec.Spec)
		want string // "" for valid
	}{
		{func(*spec.Spec) {}, ""},
		{func(s *spec.Spec) { s.BlockAugment = 7 }, ""},
		{func(s *spec.Spec) { s.BlockAugment = 8 }, "block_augment: must be in [0, 8) for 8×8 images"},
		{func(s *spec.Spec) { s.BlockAugment = -1 }, "block_augment: must be in [0, 8)"},
		{func(s *spec.Spec) { s.Model, s.Hidden, s.Conv, s.Kernel = spec.ModelMLP, []int64{8}, nil, 0 }, "block_augment: shifts the cnn's square images, not model mlp's"},
		{func(s *spec.Spec) {
			s.Blocks, s.BlockEpochs, s.BlockPatience, s.BlockValid = nil, 0, 0, 0
		}, "belong to the blockwise code: set blocks"},
	} {
		sp := augSpec()
		c.edit(&sp)
		err := sp.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", sp, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("want an error with %q, got %v", c.want, err)
		}
	}
	// Set, the field is in the canonical bytes; unset, a spec keeps its hash.
	sp := augSpec()
	with := sp.Canonical()
	sp.BlockAugment = 0
	if !strings.Contains(string(with), "block_augment") || strings.Contains(string(sp.Canonical()), "block_augment") {
		t.Fatal("block_augment is not encoded only when set")
	}
}

// A decay of 1 is the constant rate, bit for bit (1^k = 1 exactly), and a
// decay below 1 changes the block models; a decay outside (0, 1] is refused.
func TestBlockLRDecay(t *testing.T) {
	sp := blockSpec()
	base := transmit(t, sp, func() int { return 1 << 20 })
	sp.BlockLRDecay = 1
	one := transmit(t, sp, func() int { return 1 << 20 })
	if !slices.Equal(base.aliceCP, one.aliceCP) || !slices.Equal(one.aliceCP, one.bobCP) {
		t.Fatalf("decay 1 is not the constant rate:\n%v\n%v", base.aliceCP, one.aliceCP)
	}
	sp.BlockLRDecay = 0.5
	half := transmit(t, sp, func() int { return 7 })
	if !slices.Equal(half.aliceCP, half.bobCP) {
		t.Fatalf("checkpoints differ:\nalice %v\nbob   %v", half.aliceCP, half.bobCP)
	}
	if half.alice.LastCheckpoint().Fingerprint == base.alice.LastCheckpoint().Fingerprint {
		t.Fatal("block_lr_decay 0.5 changed nothing")
	}
	for _, d := range []float64{-0.5, 1.5, 2} {
		sp.BlockLRDecay = d
		if err := sp.Validate(); err == nil || !strings.Contains(err.Error(), "block_lr_decay: must be in (0, 1]") {
			t.Errorf("decay %v: %v", d, err)
		}
	}
}

// blockModels codes sp's labels as Alice does and returns, at each block
// end, the new block and its model's parameters.
func blockModels(t *testing.T, sp spec.Spec) ([]Block, [][]float64) {
	t.Helper()
	in, lab := taskData(t, sp)
	s, err := New(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	le := &LabelEncoder{Enc: newEncoder(t, sp), Labels: lab.Train}
	var blocks []Block
	var params [][]float64
	for !s.Done() {
		if _, err := s.Step(le); err != nil {
			t.Fatal(err)
		}
		if b, m, ok := s.BlockBegun(); ok && (len(blocks) == 0 || blocks[len(blocks)-1].From != b.From) {
			blocks = append(blocks, b)
			params = append(params, slices.Clone(m.Params()))
		}
	}
	return blocks, params
}

// The rate drops on a plateau (spec.BlockLRDrop). A block's training runs
// as without the drop up to its first plateau (same order, same shifts),
// so its kept validation loss is never higher. A drop to a rate that moves
// no parameter brings no improvement: training stops block_patience epochs
// after the drop, keeping the parameters of the run without drops.
func TestBlockLRDrop(t *testing.T) {
	sp := blockSpec()
	base, baseParams := blockModels(t, sp)
	drops := 0
	for _, factor := range []float64{0.1, 1e-320} {
		sp.BlockLRDrop = factor
		got, gotParams := blockModels(t, sp)
		if len(got) != len(base) {
			t.Fatalf("drop %v: %d blocks, want %d", factor, len(got), len(base))
		}
		for k, b := range got {
			a := base[k]
			plateau := a.Epochs < sp.BlockEpochs && a.BestEpoch > 0 // a drop was due
			if b.ValidBits > a.ValidBits || b.Epochs > sp.BlockEpochs || (plateau != (b.LRDrops > 0)) || (!plateau && b != a) {
				t.Fatalf("drop %v, block %d: %+v\nwithout drops %+v", factor, k, b, a)
			}
			if factor != 1e-320 {
				drops += int(b.LRDrops)
				continue
			}
			// A denormal rate: Adam's steps are below every parameter's ulp.
			want := a
			if plateau {
				want.Epochs, want.LRDrops = min(a.Epochs+sp.BlockPatience, sp.BlockEpochs), 1
			}
			if b != want || !slices.Equal(gotParams[k], baseParams[k]) {
				t.Fatalf("drop %v, block %d: %+v, want %+v (parameters equal: %v)", factor, k, b, want, slices.Equal(gotParams[k], baseParams[k]))
			}
		}
	}
	if drops == 0 {
		t.Fatal("no block dropped its rate: the test does not reach the rule")
	}
	sp.BlockLRDrop = 0.5
	o := transmit(t, sp, func() int { return 7 })
	if !slices.Equal(o.aliceCP, o.bobCP) {
		t.Fatalf("checkpoints differ:\nalice %v\nbob   %v", o.aliceCP, o.bobCP)
	}
	for _, d := range []float64{-0.5, 1, 2} {
		sp.BlockLRDrop = d
		if err := sp.Validate(); err == nil || !strings.Contains(err.Error(), "block_lr_drop: must be in (0, 1)") {
			t.Errorf("drop %v: %v", d, err)
		}
	}
}
