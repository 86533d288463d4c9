package spec

import (
	"fmt"
	"strings"
)

// Memory is an upper estimate of the bytes one side (Alice or Bob) holds to
// run a spec, term by term, each computed from the same sizes the
// allocations use (task, prequential, model, train, transmit). It exists so
// that a program can refuse a spec before allocating anything: a Go
// allocation that cannot be served is a fatal runtime error, not an error
// value, and debug.SetMemoryLimit does not stop a single huge make. Every
// term saturates at math.MaxInt64, so a hostile spec cannot wrap the check.
type Memory struct {
	Inputs    int64 // (n+validation+test)·dim·8: the input matrices held (data tasks, or seeded ones up to StreamInputsAbove), shared by sessions
	Window    int64 // Σ over the splits min(rows, window)·dim·8: streamed inputs (InputsStreamed, InputWindowRows), per session
	Labels    int64 // n·LabelWidth: Alice's training labels as edl.LabelBytes encodes them, kept for her report's zstd baseline; n·4 more with epochs (the θ* training copy, int32, both sides); validation·16 (the validation labels θ* reads, grown by append); test·8 (Alice's test labels, read whole for the pass model's test loss); and (n+validation+test)·8 for a task whose labels are held (LabelsStreamed false)
	Stream    int64 // (n+validation+test)·precision/8: the coded bytes kept to resend or resume (a label costs at most precision bits)
	Model     int64 // params·8·3: the parameters, their gradient and the canonical encoding fingerprinted at checkpoints
	Optimizer int64 // trainable params·8 per state vector (momentum 1, adam 2)
	Batch     int64 // batch·(2·classes + 3·Σ hidden widths + 3 pointers)·8: the minibatch's per-example buffers
	Task      int64 // the task's own tables (its section's Memory): teacher matrices classes·dim·8, coupon values keys·8, the modular notation classes·8
	// Transcript is TranscriptWindowRows·TranscriptStateBytes: the
	// transcript states kept to locate a divergence, per session.
	Transcript int64
	// Blocks is n·8 + params·16 with the blockwise code: while a block
	// model trains, the order of the examples before it, the previous
	// block's model (kept for the mixture, or until the new one replaces
	// it) and the best epoch's parameters; with block_ensemble M > 1,
	// params·(M−1)·16 more for the other members (parameters and the
	// ensemble's concatenated copy at checkpoints).
	Blocks int64
}

// terms lists the estimate's terms with what they are made of, in a fixed
// order, for the total and for messages.
func (m Memory) terms() []memTerm {
	return []memTerm{
		{"inputs", "(n+validation+test)·dim·8", m.Inputs},
		{"input window", "min(rows, window)·dim·8 per split", m.Window},
		{"labels", "n·(label width, +4 with epochs) + validation·16 + test·8, + (n+validation+test)·8 for held labels", m.Labels},
		{"stream", "(n+validation+test)·precision/8", m.Stream},
		{"model", "params·24", m.Model},
		{"optimizer", "trainable params·8 per state vector", m.Optimizer},
		{"batch", "batch·(2·classes+3·Σ hidden+3)·8", m.Batch},
		{"task", "teacher classes·dim·8, keys·8", m.Task},
		{"transcript window", "min(n+validation+test, max(4·(checkpoint_every+batch), 2^14), 2^18)·108", m.Transcript},
		{"block training", "n·8 + params·16, + params·(block_ensemble−1)·16", m.Blocks},
	}
}

type memTerm struct {
	name, formula string
	bytes         int64
}

// Total is the sum of the terms, saturating.
func (m Memory) Total() int64 {
	var t int64
	for _, x := range m.terms() {
		t = SatAdd(t, x.bytes)
	}
	return t
}

// Largest names the term that dominates the estimate and how it is made.
func (m Memory) Largest() (name, formula string, bytes int64) {
	var best memTerm
	for _, x := range m.terms() {
		if x.bytes > best.bytes {
			best = x
		}
	}
	return best.name, best.formula, best.bytes
}

// MemoryEstimate returns the estimate of the bytes one side holds to run the
// spec. It is meant for specs that Validate accepts, but never panics nor
// overflows on others.
func (s Spec) MemoryEstimate() Memory {
	rows := SatAdd(SatAdd(max(s.N, 0), max(s.Validation, 0)), max(s.Test, 0))
	dim, classes := max(s.Dim, 0), max(s.Classes, 0)
	var m Memory
	if s.InputsStreamed() {
		w := s.InputWindowRows()
		for _, r := range []int64{s.N, s.Validation, s.Test} {
			m.Window = SatAdd(m.Window, SatMul(SatMul(min(max(r, 0), w), dim), 8))
		}
	} else {
		m.Inputs = SatMul(SatMul(rows, dim), 8)
	}
	n := max(s.N, 0)
	m.Labels = SatAdd(SatAdd(SatMul(n, LabelWidth(classes)), SatMul(max(s.Validation, 0), 16)), SatMul(max(s.Test, 0), 8))
	if s.Epochs > 0 || len(s.Blocks) > 0 {
		// The session keeps the pass's labels (int32) for θ*'s epochs or
		// for training each block on every label decoded before it.
		m.Labels = SatAdd(m.Labels, SatMul(n, 4))
	}
	if !s.LabelsStreamed() {
		m.Labels = SatAdd(m.Labels, SatMul(rows, 8))
	}
	m.Stream = SatMul(rows, max(s.Precision, 8)) / 8
	params, trainable := max(s.NumParams(), 0), max(s.TrainableParams(), 0)
	m.Model = SatMul(params, 24)
	switch s.Optimizer {
	case OptimizerMomentum:
		m.Optimizer = SatMul(trainable, 8)
	case OptimizerAdam, OptimizerAdamW:
		m.Optimizer = SatMul(trainable, 16)
	}
	// Per example of a minibatch: its probabilities (2·classes, the
	// session's and the model's), activations, deltas and pre-activations of
	// every hidden layer, and the slice headers that point to them.
	perExample := SatAdd(SatMul(classes, 2), 3)
	sizes := s.DenseSizes()
	for i := 1; i+1 < len(sizes); i++ {
		perExample = SatAdd(perExample, SatMul(max(sizes[i], 0), 3))
	}
	if len(sizes) > 0 {
		perExample = SatAdd(perExample, max(sizes[0], 0)) // the input gradient of a tokens model
	}
	m.Batch = SatMul(SatMul(max(s.Batch, 0), perExample), 8)
	if sec := sections.task(s.Task); sec != nil && sec.Memory != nil {
		m.Task = sec.Memory(s)
	}
	m.Transcript = SatMul(s.TranscriptWindowRows(), TranscriptStateBytes)
	if len(s.Blocks) > 0 {
		m.Blocks = SatAdd(SatMul(max(s.N, 0), 8), SatMul(params, 16))
		if s.BlockEnsemble > 1 {
			m.Blocks = SatAdd(m.Blocks, SatMul(SatMul(params, s.BlockEnsemble-1), 16))
		}
	}
	return m
}

// TranscriptStateBytes is the size of one kept transcript state: SHA-256's
// marshaled state (a 4-byte magic, the 32-byte hash state, a 64-byte
// pending block and an 8-byte length).
const TranscriptStateBytes = 108

// TranscriptWindowRows is the number of examples after each of which
// alice's and bob's sessions keep the transcript state, to locate a
// divergence (prequential.DefaultTranscriptWindow): four checkpoint
// intervals (so the interval that failed is still held while Bob decodes
// on and Alice codes ahead), at least 16384 examples, at most 2^18 (about
// 28 MiB), and never more than the session codes (at least 1).
func (s Spec) TranscriptWindowRows() int64 {
	rows := SatAdd(SatAdd(max(s.N, 0), max(s.Validation, 0)), max(s.Test, 0))
	w := max(SatMul(4, SatAdd(max(s.CheckpointEvery, 0), max(s.Batch, 0))), 1<<14)
	return max(min(w, 1<<18, rows), 1)
}

// StreamInputsAbove is the size of a seeded task's inputs, all splits
// together, above which they are streamed (InputsStreamed). Below it they
// are generated once and held: faster, since every reader shares one
// generation, where a streamed split is generated again by each reader and
// each pass (Alice's labels, her session, Bob's; a θ* epoch), which costs
// about half again the CPU time of a pass of the default softmax run. Above
// it memory stays at the window whatever n.
const StreamInputsAbove = 256 << 20

// InputsStreamable reports whether the spec's task can generate its inputs
// as they are read (task.NewStreamInputs): the seeded tasks, whose rows
// come from a random stream in order. Tasks read from data (file, mnist)
// hold their rows.
func (s Spec) InputsStreamable() bool {
	switch s.Task {
	case TaskSynthetic, TaskHypothesis, TaskCoupon, TaskParity, TaskModular, TaskRare, TaskFormat:
		return true
	}
	return false
}

// LabelsStreamed reports whether the spec's labels are generated as Alice
// reads them (task.NewStreamLabels), so that no side holds them: the
// seeded tasks, whose label i is a function of input row i and of draws
// taken alike for every example. Labels read from data are held.
func (s Spec) LabelsStreamed() bool { return s.InputsStreamable() }

// LabelWidth is the bytes one label of a task with classes classes takes
// in the raw label encoding that the labels' hash and the zstd baseline
// read (edl.LabelBytes): 1 up to 256 classes, 2 up to 65536, 4 beyond.
func LabelWidth(classes int64) int64 {
	switch {
	case classes <= 256:
		return 1
	case classes <= 1<<16:
		return 2
	}
	return 4
}

// InputsStreamed reports whether the spec's inputs are streamed: a
// streamable task whose inputs would take more than StreamInputsAbove.
// The blockwise code's inputs are held whatever their size: each block
// trains on the examples before it in a shuffled order, and a streamed
// split restarts from its seed for every row behind its window, so an
// epoch would regenerate the split once per row.
func (s Spec) InputsStreamed() bool {
	rows := SatAdd(SatAdd(max(s.N, 0), max(s.Validation, 0)), max(s.Test, 0))
	return s.InputsStreamable() && len(s.Blocks) == 0 && SatMul(SatMul(rows, max(s.Dim, 0)), 8) > StreamInputsAbove
}

// InputChunkRows is how many rows a streamed split generates at a time:
// about 64 KiB of them (8192 numbers), at least one row, at most 1024.
func (s Spec) InputChunkRows() int64 {
	return min(1024, max(1, 8192/max(s.Dim, 1)))
}

// InputWindowRows is how many rows a streamed split keeps: whole chunks
// covering the chunk being read and a minibatch before it, so that reading
// the rows of a minibatch, or one just coded, never restarts the stream.
func (s Spec) InputWindowRows() int64 {
	c := s.InputChunkRows()
	b := min(max(s.Batch, 1), 1<<40)
	return SatMul(c, 1+(b+c-1)/c)
}

// checkMemory reports an estimate above limit, naming the term that
// dominates it, the fields it is made of and their values.
// Sessions beyond the first share the inputs and hold the rest again.
func (s Spec) checkMemory(limit, sessions int64, flag string) error {
	m := s.MemoryEstimate()
	total := SatAdd(m.Total(), SatMul(sessions-1, m.Total()-m.Inputs))
	if limit <= 0 || total <= limit {
		return nil
	}
	name, formula, bytes := m.Largest()
	per := ""
	if sessions > 1 {
		per = fmt.Sprintf(" (%d sessions over shared inputs)", sessions)
	}
	return fmt.Errorf("spec: memory: an estimated %s%s exceeds the limit %s (%s); most of it is %s, %s = %s with %s",
		FormatBytes(total), per, FormatBytes(limit), flag, name, formula, FormatBytes(bytes), s.sizeFields())
}

// sizeFields lists the values of the fields the estimate is made of, the
// non-zero ones, so a refusal shows which to lower.
func (s Spec) sizeFields() string {
	var parts []string
	add := func(name string, v int64) {
		if v != 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", name, v))
		}
	}
	add("n", s.N)
	add("validation", s.Validation)
	add("test", s.Test)
	add("dim", s.Dim)
	add("classes", s.Classes)
	add("keys", s.Keys)
	add("batch", s.Batch)
	add("params", s.NumParams())
	if len(s.Hidden) > 0 {
		parts = append(parts, "hidden="+joinInts(s.Hidden))
	}
	return strings.Join(parts, ", ")
}

// FormatBytes writes a byte count in binary units, for messages.
func FormatBytes(b int64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := int64(unit), 0
	for n := b / unit; n >= unit && exp < 5; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(b)/float64(div), "KMGTPE"[exp])
}
