package prequential

import (
	"bytes"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// blockSpec is a small blockwise spec: softmax regression on the default
// linear-teacher task, blocks doubling from 40.
func blockSpec() spec.Spec {
	sp := spec.Default()
	sp.N, sp.Test, sp.Batch, sp.CheckpointEvery = 640, 0, 10, 1000
	sp.Blocks = spec.DoublingBlocks(40, sp.N)
	// A large step overfits within a few epochs: the stopping rule acts.
	sp.LR, sp.BlockEpochs, sp.BlockPatience, sp.BlockValid = 2, 30, 3, 5
	return sp
}

func TestDoublingBlocks(t *testing.T) {
	for _, c := range []struct {
		first, n int64
		want     []int64
	}{
		{40, 640, []int64{40, 80, 160, 320}},
		{8, 60000, []int64{8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768}},
		{100, 100, nil},
		{0, 100, nil},
	} {
		if got := spec.DoublingBlocks(c.first, c.n); !slices.Equal(got, c.want) {
			t.Errorf("DoublingBlocks(%d, %d) = %v, want %v", c.first, c.n, got, c.want)
		}
	}
}

// The blockwise fields are optional: a spec without them keeps its
// canonical bytes (no block line), one with them round-trips, and every
// bad setting is refused naming its field.
func TestBlockSpecFields(t *testing.T) {
	if c := spec.Default().Canonical(); bytes.Contains(c, []byte("block")) {
		t.Fatalf("the default spec encodes a block field:\n%s", c)
	}
	sp := blockSpec()
	sp.BlockWarm = true
	if err := sp.Validate(); err != nil {
		t.Fatal(err)
	}
	got, err := spec.Parse(sp.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Diff(sp); len(d) > 0 || got.Hash() != sp.Hash() {
		t.Fatalf("round trip: %v", d)
	}
	for _, c := range []struct {
		name, want string
		edit       func(*spec.Spec)
	}{
		{"not a multiple of batch", "multiple of batch", func(s *spec.Spec) { s.Blocks = []int64{45} }},
		{"not increasing", "must increase", func(s *spec.Spec) { s.Blocks = []int64{80, 40} }},
		{"past n", "want it in [1, n=640)", func(s *spec.Spec) { s.Blocks = []int64{40, 640} }},
		{"no epochs", "block_epochs", func(s *spec.Spec) { s.BlockEpochs = 0 }},
		{"patience", "block_patience", func(s *spec.Spec) { s.BlockPatience = 31 }},
		{"valid", "block_valid", func(s *spec.Spec) { s.BlockValid = 1 }},
		{"fields without blocks", "set blocks", func(s *spec.Spec) { s.Blocks = nil }},
		{"counting model", "gradient-trained", func(s *spec.Spec) { s.Model = spec.ModelKT }},
		{"theta epochs", "last block's model", func(s *spec.Spec) { s.Epochs, s.Patience, s.Validation = 2, 1, 10 }},
	} {
		s := blockSpec()
		c.edit(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// Block ends are checkpoints, beside the usual schedule.
func TestBlockEndsAreCheckpoints(t *testing.T) {
	sp := blockSpec()
	sp.CheckpointEvery = 300
	var got []int64
	for c := int64(1); c <= sp.N; c++ {
		if IsCheckpoint(sp, c) {
			got = append(got, c)
		}
	}
	if want := []int64{40, 80, 160, 300, 320, 600, 640}; !slices.Equal(got, want) {
		t.Fatalf("checkpoints at %v, want %v", got, want)
	}
}

// The first block is the uniform code: each of its labels costs log₂ K
// bits ideally and, quantized at 2^-24, within 2^-24·K/ln 2 of it.
func TestBlockwiseFirstBlockIsUniform(t *testing.T) {
	sp := blockSpec()
	o := transmit(t, sp, func() int { return 1 << 20 })
	blocks := o.alice.Blocks()
	first := blocks[0]
	n1 := float64(sp.Blocks[0])
	uniform := n1 * math.Log2(float64(sp.Classes))
	if first.From != 0 || first.To != sp.Blocks[0] || math.Abs(first.IdealBits-uniform) > 1e-9*uniform {
		t.Fatalf("first block %+v, want [0, %d) at %.6f ideal bits", first, sp.Blocks[0], uniform)
	}
	// Every frequency is ⌊2^24/K⌋ or ⌈2^24/K⌉.
	slack := n1 * math.Log2(math.Ceil(float64(1<<24)/10)/math.Floor(float64(1<<24)/10))
	if math.Abs(first.QuantizedBits-uniform) > slack {
		t.Fatalf("first block quantized %.6f bits, uniform %.6f (slack %.2g)", first.QuantizedBits, uniform, slack)
	}
	// The blocks partition the pass, and their bits sum to the pass's.
	var ideal, quant float64
	for i, b := range blocks {
		if (i > 0 && b.From != blocks[i-1].To) || (i == len(blocks)-1) != (b.To == sp.N) {
			t.Fatalf("blocks %+v do not partition [0, %d)", blocks, sp.N)
		}
		ideal += b.IdealBits
		quant += b.QuantizedBits
	}
	acct := o.alice.Accounting()
	if len(blocks) != len(sp.Blocks)+1 || math.Abs(ideal-acct.IdealBits) > 1e-9*ideal || math.Abs(quant-acct.QuantizedIdealBits) > 1e-9*quant {
		t.Fatalf("%d blocks sum to %.3f/%.3f bits, the pass %.3f/%.3f", len(blocks), ideal, quant, acct.IdealBits, acct.QuantizedIdealBits)
	}
	// The coded stream is the quantized ideal plus the coder's flush.
	if coded := float64(8 * len(o.bytes)); coded < acct.QuantizedIdealBits || coded > acct.QuantizedIdealBits+64 {
		t.Fatalf("coded %v bits, quantized ideal %.1f", coded, acct.QuantizedIdealBits)
	}
	// The trained blocks code far below the uniform rate on a learnable task.
	last := blocks[len(blocks)-1]
	if rate := last.QuantizedBits / float64(last.To-last.From); rate > 0.5*math.Log2(10) {
		t.Fatalf("last block %+v: %.3f bits per label, no better than half the uniform code", last, rate)
	}
}

// Alice's and Bob's block models are the same bytes: every block end is a
// checkpoint, and Bob's fingerprints there equal Alice's, for any chunking
// of the stream, any worker count, from scratch or warm-started.
func TestBlockwiseSidesAgree(t *testing.T) {
	for _, warm := range []bool{false, true} {
		sp := blockSpec()
		sp.BlockWarm = warm
		r := rand.New(rand.NewPCG(1, 2))
		o := transmit(t, sp, func() int { return 1 + r.IntN(7) })
		if !slices.Equal(o.aliceCP, o.bobCP) {
			t.Fatalf("warm %v: checkpoints differ:\nalice %v\nbob   %v", warm, o.aliceCP, o.bobCP)
		}
		var at []int64
		for _, cp := range o.aliceCP {
			at = append(at, cp.Example)
		}
		for _, e := range sp.Blocks {
			if !slices.Contains(at, e) {
				t.Fatalf("warm %v: no checkpoint at block end %d (%v)", warm, e, at)
			}
		}
		if a, b := o.alice.LastCheckpoint(), codeWith(t, sp, o.labels, 3).LastCheckpoint(); a != b {
			t.Fatalf("warm %v: 3 workers end at %x, 1 worker at %x", warm, b.Fingerprint, a.Fingerprint)
		}
		if warm {
			continue
		}
		// From scratch and warm-started differ after the second block end.
		sp.BlockWarm = true
		ow := transmit(t, sp, func() int { return 1 << 20 })
		if ow.alice.LastCheckpoint().Fingerprint == o.alice.LastCheckpoint().Fingerprint {
			t.Fatal("warm start changed nothing")
		}
	}
}

// Each block model is the one its statistics describe: its validation
// loss, evaluated independently (edl.TestLossBits over the validation
// rows, one Probs call each), is the reported one; the split and the
// stopping rule hold.
func TestBlockwiseKeepsTheBestEpoch(t *testing.T) {
	sp := blockSpec()
	in, lab := taskData(t, sp)
	s, err := New(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	le := &LabelEncoder{Enc: newEncoder(t, sp), Labels: lab.Train}
	stopped := 0
	for k := 1; !s.Done(); {
		if _, err := s.Step(le); err != nil {
			t.Fatal(err)
		}
		if k > len(sp.Blocks) || s.Index() != sp.Blocks[k-1] {
			continue
		}
		b := s.Blocks()[k]
		k++
		v := sp.BlockValid
		if b.From != s.Index() || b.ValidExamples != b.From/v || b.TrainExamples != b.From-b.From/v {
			t.Fatalf("block %+v: split of %d examples", b, s.Index())
		}
		if b.Epochs < 1 || b.Epochs > sp.BlockEpochs || b.BestEpoch > b.Epochs ||
			(b.Epochs < sp.BlockEpochs && b.Epochs-b.BestEpoch != sp.BlockPatience) {
			t.Fatalf("block %+v: stopping rule (epochs %d, patience %d)", b, sp.BlockEpochs, sp.BlockPatience)
		}
		if b.Epochs < sp.BlockEpochs {
			stopped++
		}
		rows := task.Matrix{Cols: in.Train.Cols}
		var ys []int
		for i := v - 1; i < b.From; i += v {
			rows.Data = append(rows.Data, in.Train.Row(int(i))...)
			rows.Rows++
			ys = append(ys, lab.Train[i])
		}
		got, err := edl.TestLossBits(s.Model(), &rows, ys)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-b.ValidBits) > 1e-9 {
			t.Fatalf("block %+v: the model's validation loss is %.12f bits, reported %.12f", b, got, b.ValidBits)
		}
	}
	if stopped == 0 {
		t.Fatal("no block stopped early: the test does not reach the stopping rule")
	}
}

// codeWith codes labels under sp as Alice does, on that many workers, and
// returns the finished session.
func codeWith(t *testing.T, sp spec.Spec, labels []int, workers int) *Session {
	t.Helper()
	in, err := task.NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWithOptions(sp, in, Options{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	le := &LabelEncoder{Enc: newEncoder(t, sp), Labels: labels}
	for !w.Done() {
		if _, err := w.Step(le); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func newEncoder(t *testing.T, sp spec.Spec) *coder.Encoder {
	t.Helper()
	enc, err := coder.NewEncoder(uint(sp.Precision))
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// temper against closed forms: p^a normalized.
func TestTemper(t *testing.T) {
	p := []float64{0.5, 0.25, 0.25, 0}
	q := make([]float64, 4)
	temper(q, p, 2) // 0.25, 0.0625, 0.0625 over 0.375
	for c, want := range []float64{2.0 / 3, 1.0 / 6, 1.0 / 6, 0} {
		if math.Abs(q[c]-want) > 1e-15 {
			t.Fatalf("temper(%v, 2) = %v", p, q)
		}
	}
	temper(q, p, 0.5) // √ each: 0.7071, 0.5, 0.5 over their sum
	s := math.Sqrt(0.5) + 1
	for c, want := range []float64{math.Sqrt(0.5) / s, 0.5 / s, 0.5 / s, 0} {
		if math.Abs(q[c]-want) > 1e-15 {
			t.Fatalf("temper(%v, 0.5) = %v", p, q)
		}
	}
}

// With block_calibrate each block model codes with the temperature of the
// grid that minimizes its validation loss: never worse than T = 1 on the
// validation examples; Alice and Bob agree; and the frequencies offered
// are those of the model's distribution tempered by 1/T.
func TestBlockwiseCalibration(t *testing.T) {
	sp := blockSpec()
	sp.BlockCalibrate = true
	o := transmit(t, sp, func() int { return 3 })
	if !slices.Equal(o.aliceCP, o.bobCP) {
		t.Fatal("alice's and bob's checkpoints differ")
	}
	tempered := 0
	for _, b := range o.alice.Blocks()[1:] {
		if !slices.Contains(spec.BlockTemperatures, b.Temperature) || b.CalibratedBits > b.ValidBits {
			t.Fatalf("block %+v: temperature outside the grid or worse than T = 1", b)
		}
		if b.Temperature != 1 {
			tempered++
		}
	}
	if tempered == 0 {
		t.Fatal("no block chose a temperature other than 1: the test does not reach calibration")
	}
	// The last block's offer, from a fresh session run to its start.
	in, err := task.NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	le := &LabelEncoder{Enc: newEncoder(t, sp), Labels: o.labels}
	last := sp.Blocks[len(sp.Blocks)-1]
	for s.Index() < last {
		if _, err := s.Step(le); err != nil {
			t.Fatal(err)
		}
	}
	b := s.Blocks()[len(s.Blocks())-1]
	off, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	p := make([]float64, sp.Classes)
	s.Model().Probs(p, in.Train.Row(int(last)))
	temper(p, p, 1/b.Temperature)
	want := make([]uint32, sp.Classes)
	if err := coder.Quantize(want, p, uint(sp.Precision)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(off.Freqs, want) {
		t.Fatalf("example %d offered %v, the model tempered at T = %v gives %v", last, off.Freqs, b.Temperature, want)
	}
}

// Golden blockwise runs: the final fingerprint and the coded stream of an
// mlp trained with adam per block (from scratch; warm-started and
// calibrated; and mixed). They must hold on every architecture (amd64 v1/v3, arm64
// under qemu) and GOMAXPROCS, like TestGoldenFingerprints.
func TestGoldenBlockwise(t *testing.T) {
	sp := blockSpec()
	sp.Model, sp.Hidden, sp.Activation, sp.Init, sp.InitScale = spec.ModelMLP, []int64{12}, spec.ActTanh, spec.InitNormal, 0.3
	sp.Optimizer, sp.LR, sp.Beta1, sp.Beta2, sp.AdamEps = spec.OptimizerAdam, 0.01, 0.9, 0.999, 1e-8
	warm := sp
	warm.BlockWarm, warm.BlockCalibrate = true, true
	mixed := warm
	mixed.BlockMix = true
	for _, c := range []struct {
		name          string
		sp            spec.Spec
		finger, bytes string
	}{
		{"scratch", sp, "77ed61a9afb0aa51f9a5e722d3b200272a9952fc6255887c86d09ab05c80cd7c", "0c65ae066be225de7ecd844eb7db3683ed8f0691c16672a1c9e5da2d5a09e124"},
		{"warm-calibrated", warm, "19e0d1c14489bac2d7efcd49396b6505d38b8fc7ec8bf90794f8d5e776e02128", "4003d397188952e0a3e50e076c339afc9881bd4bf18d725d9682f7c9cbb7c977"},
		{"warm-calibrated-mixed", mixed, "19e0d1c14489bac2d7efcd49396b6505d38b8fc7ec8bf90794f8d5e776e02128", "5f05d9ee34c6a3a460916adb5addb322c59d4f064dfcc9f461f4bca450125c04"},
	} {
		o := transmit(t, c.sp, func() int { return 5 })
		fp := o.alice.LastCheckpoint().Fingerprint
		got, stream := hex.EncodeToString(fp[:]), sha256hex(o.bytes)
		if got != c.finger || stream != c.bytes {
			t.Errorf("%s: fingerprint %s, stream sha256 %s (%d bytes); want %s, %s", c.name, got, stream, len(o.bytes), c.finger, c.bytes)
		}
		// Three workers train each block through the MLP's fused update.
		if fp3 := codeWith(t, c.sp, o.labels, 3).LastCheckpoint().Fingerprint; fp3 != fp {
			t.Errorf("%s: 3 workers end at %x, 1 worker at %s", c.name, fp3, got)
		}
	}
}

// The Bayesian mixture telescopes: a block coded with the mixture of the
// previous model (cost L_prev over the block's labels) and the new one
// (L_new), prior ½ each, costs exactly −log₂(½·2^−L_prev + ½·2^−L_new)
// bits, at most min(L_prev, L_new) + 1. L_new and L_prev come from a
// session without the mixture, whose block models are the same (the
// mixture changes what is coded, not what is trained).
func TestBlockwiseMixture(t *testing.T) {
	sp := blockSpec()
	plain := transmit(t, sp, func() int { return 1 << 20 })
	sp.BlockMix = true
	mixed := transmit(t, sp, func() int { return 4 })
	if !slices.Equal(mixed.aliceCP, mixed.bobCP) {
		t.Fatal("alice's and bob's checkpoints differ")
	}
	for i, cp := range plain.aliceCP {
		if cp.Fingerprint != mixed.aliceCP[i].Fingerprint {
			t.Fatalf("checkpoint %d: the mixture changed a block model", cp.Example)
		}
	}
	in, err := task.NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	// prev[k] is L_prev of block k: the uniform code for block 1, else the
	// model of block k−1 on block k's labels (a session stopped there).
	plainSp := blockSpec()
	s, err := New(plainSp, in)
	if err != nil {
		t.Fatal(err)
	}
	le := &LabelEncoder{Enc: newEncoder(t, plainSp), Labels: plain.labels}
	pb, mb := plain.alice.Blocks(), mixed.alice.Blocks()
	p := make([]float64, sp.Classes)
	for k := 1; k < len(pb); k++ {
		b := pb[k]
		var lPrev float64
		if k == 1 {
			lPrev = float64(b.To-b.From) * math.Log2(float64(sp.Classes))
		} else {
			for s.Index() < pb[k-1].From {
				if _, err := s.Step(le); err != nil {
					t.Fatal(err)
				}
			}
			for i := b.From; i < b.To; i++ {
				s.Model().Probs(p, in.Train.Row(int(i)))
				lPrev -= math.Log2(p[plain.labels[i]])
			}
		}
		lNew := b.IdealBits
		m := min(lPrev, lNew)
		want := m - math.Log2(0.5*math.Exp2(m-lPrev)+0.5*math.Exp2(m-lNew))
		if got := mb[k].IdealBits; math.Abs(got-want) > 1e-6*want || got > m+1+1e-9 {
			t.Fatalf("block %d: mixture %.9f bits; L_prev %.6f, L_new %.6f give %.9f", k, got, lPrev, lNew, want)
		}
		if w := mb[k].MixWeight; !(w > 0 && w <= 1) {
			t.Fatalf("block %d: mixture weight %v", k, w)
		}
	}
}

// Options.Tick is called between the minibatches of every block's
// training, and changes nothing the session computes.
func TestBlockwiseTick(t *testing.T) {
	sp := blockSpec()
	in, lab := taskData(t, sp)
	ticks := 0
	s, err := NewWithOptions(sp, in, Options{Workers: 1, Tick: func() { ticks++ }})
	if err != nil {
		t.Fatal(err)
	}
	le := &LabelEncoder{Enc: newEncoder(t, sp), Labels: lab.Train}
	for !s.Done() {
		if _, err := s.Step(le); err != nil {
			t.Fatal(err)
		}
	}
	// One tick per minibatch of training: ⌈train/batch⌉ per epoch run.
	want := 0
	for _, b := range s.Blocks()[1:] {
		want += int(b.Epochs) * int((b.TrainExamples+sp.Batch-1)/sp.Batch)
	}
	if ticks != want || want == 0 {
		t.Fatalf("%d ticks, want %d", ticks, want)
	}
	o := transmit(t, sp, func() int { return 1 << 20 })
	if s.LastCheckpoint() != o.alice.LastCheckpoint() {
		t.Fatal("a session with a tick ends elsewhere than one without")
	}
}
