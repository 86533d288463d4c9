package spec

import (
	"math"
	"testing"
)

// The estimate's input terms in closed form: a seeded task's inputs are
// held up to StreamInputsAbove and streamed past it, and then only the
// window counts, whatever n.
func TestMemoryEstimateInputsStreamedPastThreshold(t *testing.T) {
	sp := Default()
	sp.Dim, sp.Batch, sp.Validation, sp.Test = 16, 10, 0, 1000
	// 16 columns: chunks of 8192/16 = 512 rows; a window of one chunk and
	// ⌈10/512⌉ = 1 more: 1024 rows.
	if c, w := sp.InputChunkRows(), sp.InputWindowRows(); c != 512 || w != 1024 {
		t.Fatalf("chunk %d, window %d rows; want 512 and 1024", c, w)
	}
	// 2^28 bytes of 128-byte rows: held up to 2^21 rows, n + test.
	sp.N = 1<<21 - 1000
	m := sp.MemoryEstimate()
	if want := int64(1 << 28); sp.InputsStreamed() || m.Inputs != want || m.Window != 0 {
		t.Errorf("n=%d: streamed %v, inputs %d, window %d; want held, %d and 0", sp.N, sp.InputsStreamed(), m.Inputs, m.Window, want)
	}
	for _, n := range []int64{1 << 21, 5e7, 1 << 40} {
		sp.N = n
		m := sp.MemoryEstimate()
		// train: the 1024-row window; test: its 1000 rows, fewer than a window.
		if want := int64((1024 + 1000) * 16 * 8); !sp.InputsStreamed() || m.Inputs != 0 || m.Window != want {
			t.Errorf("n=%d: streamed %v, inputs %d, window %d; want streamed, 0 and %d", n, sp.InputsStreamed(), m.Inputs, m.Window, want)
		}
		// Ten classes: a byte a training label; the test labels read whole.
		if want := n + 1000*8; m.Labels != want {
			t.Errorf("n=%d: labels %d, want n·1 + test·8 = %d", n, m.Labels, want)
		}
	}
	// A large minibatch widens the window: 1 chunk + ⌈1000/512⌉ = 3.
	sp.N, sp.Batch = 1e6, 1000
	if w := sp.InputWindowRows(); w != 3*512 {
		t.Errorf("batch 1000: window %d rows, want 1536", w)
	}
	// Wide rows: chunks of one row; the window is the batch and one more.
	sp.Dim, sp.Batch = 10000, 7
	if c, w := sp.InputChunkRows(), sp.InputWindowRows(); c != 1 || w != 8 {
		t.Errorf("dim 10000, batch 7: chunk %d, window %d rows; want 1 and 8", c, w)
	}
	// The blockwise code trains each block in a shuffled order, which a
	// window cannot serve: its inputs are held whatever their size.
	sp.Dim, sp.Batch, sp.N = 16, 10, 5e7
	sp.Blocks, sp.BlockEpochs, sp.BlockPatience, sp.BlockValid = []int64{1000, 2000}, 10, 3, 10
	if m := sp.MemoryEstimate(); sp.InputsStreamed() || m.Inputs != (5e7+1000)*16*8 || m.Window != 0 {
		t.Errorf("blocks, n=5e7: streamed %v, inputs %d, window %d; want held, %d and 0", sp.InputsStreamed(), m.Inputs, m.Window, int64((5e7+1000)*16*8))
	}
	// Tasks read from data hold their rows whatever their size.
	sp = Default()
	sp.Task, sp.N, sp.Dim = TaskFile, 1e7, 16
	if sp.InputsStreamed() || sp.MemoryEstimate().Inputs != (1e7+sp.Validation+sp.Test)*16*8 {
		t.Errorf("file task: streamed %v, inputs %d", sp.InputsStreamed(), sp.MemoryEstimate().Inputs)
	}
}

// The labels term in closed form: a seeded task's labels are generated as
// they are read, so per training example only their raw bytes (one, two
// or four by the classes) stay, with four more for θ*'s copy (int32) when it
// trains epochs; the validation labels are kept by append (twice their
// eight bytes at most) and the test labels read whole. A task whose
// labels are held adds eight bytes for every example of every split.
func TestMemoryEstimateLabels(t *testing.T) {
	const n, v, test int64 = 1000000, 3000, 5000
	sp := Default()
	sp.N, sp.Validation, sp.Test = n, v, test
	for _, c := range []struct {
		classes, width int64
	}{{2, 1}, {256, 1}, {257, 2}, {1 << 16, 2}, {1<<16 + 1, 4}} {
		sp.Classes, sp.Epochs = c.classes, 0
		if got, want := sp.MemoryEstimate().Labels, n*c.width+v*16+test*8; got != want {
			t.Errorf("classes %d: labels %d, want n·%d + validation·16 + test·8 = %d", c.classes, got, c.width, want)
		}
		sp.Epochs = 3
		if got, want := sp.MemoryEstimate().Labels, n*(c.width+4)+v*16+test*8; got != want {
			t.Errorf("classes %d, epochs 3: labels %d, want n·(%d+4) + validation·16 + test·8 = %d", c.classes, got, c.width, want)
		}
		sp.Epochs, sp.Blocks = 0, []int64{1000, 2000}
		if got, want := sp.MemoryEstimate().Labels, n*(c.width+4)+v*16+test*8; got != want {
			t.Errorf("classes %d, blocks: labels %d, want n·(%d+4) + validation·16 + test·8 = %d", c.classes, got, c.width, want)
		}
		sp.Blocks = nil
	}
	if !sp.LabelsStreamed() {
		t.Error("the synthetic task's labels are not streamed")
	}
	sp = Default()
	sp.Task, sp.N, sp.Validation, sp.Test, sp.Classes, sp.Epochs = TaskFile, n, v, test, 10, 0
	if got, want := sp.MemoryEstimate().Labels, n*1+v*16+test*8+(n+v+test)*8; sp.LabelsStreamed() || got != want {
		t.Errorf("file task: streamed %v, labels %d, want n + validation·16 + test·8 + (n+validation+test)·8 = %d", sp.LabelsStreamed(), got, want)
	}
	// Saturating, never wrapping: the largest n at the widest labels.
	sp = Default()
	sp.N, sp.Classes, sp.Epochs = math.MaxInt64, 1<<20, 1
	if got := sp.MemoryEstimate().Labels; got != math.MaxInt64 {
		t.Errorf("n = MaxInt64: labels %d, want saturated at MaxInt64", got)
	}
}

// The transcript window and the block training in closed form: the window
// is four checkpoint intervals within [2^14, 2^18] and the examples coded;
// block training holds n·8 + params·16, only with blocks.
func TestMemoryEstimateTranscriptAndBlocks(t *testing.T) {
	sp := Default() // test 5000, batch 10, 170 params
	for _, tc := range []struct{ n, every, want int64 }{
		{20000, 1000, 1 << 14},  // 4·1010 < 2^14 < n + test
		{10000, 5000, 15000},    // 4·5010 > n + test
		{1e6, 20000, 4 * 20010}, // four intervals
		{1e6, 1e5, 1 << 18},     // capped
		{0, 1000, 5000},         // the test labels alone
	} {
		sp.N, sp.CheckpointEvery = tc.n, tc.every
		m := sp.MemoryEstimate()
		if got := sp.TranscriptWindowRows(); got != tc.want || m.Transcript != tc.want*108 {
			t.Errorf("n=%d every=%d: window %d rows, %d bytes; want %d, %d", tc.n, tc.every, got, m.Transcript, tc.want, tc.want*108)
		}
		if m.Blocks != 0 {
			t.Errorf("n=%d: block training %d bytes without blocks", tc.n, m.Blocks)
		}
	}
	sp = Default()
	sp.N, sp.Batch = 512, 16
	sp.Blocks, sp.BlockEpochs, sp.BlockPatience, sp.BlockValid = []int64{64, 128}, 10, 3, 10
	if m, want := sp.MemoryEstimate(), int64(512*8+170*16); m.Blocks != want {
		t.Errorf("blocks: block training %d bytes, want %d", m.Blocks, want)
	}
}

// TrainingPasses against its definition on hand-counted specs, and its
// saturation at the largest values validation lets through.
func TestTrainingPasses(t *testing.T) {
	s := Default()
	s.N = 1000
	if got := s.TrainingPasses(); got != 1000 {
		t.Fatalf("the pass alone: %d, want n = 1000", got)
	}
	s.Epochs = 3
	if got := s.TrainingPasses(); got != 4000 {
		t.Fatalf("θ* with 3 epochs: %d, want 1000 + 3·1000", got)
	}
	s.Epochs = 0
	s.Blocks, s.BlockEpochs = DoublingBlocks(64, 1000), 5 // 64, 128, 256, 512
	if got := s.TrainingPasses(); got != 5*(64+128+256+512) {
		t.Fatalf("blocks: %d, want 5·960 (the pass trains nothing)", got)
	}
	s.N, s.BlockEpochs = MaxCount, 1<<20
	s.Blocks = nil
	for t := int64(1); t <= 1<<16; t++ {
		s.Blocks = append(s.Blocks, MaxCount-1<<16-1+t)
	}
	if got := s.TrainingPasses(); got != math.MaxInt64 {
		t.Fatalf("the largest blockwise spec: %d, want it saturated", got)
	}
}
