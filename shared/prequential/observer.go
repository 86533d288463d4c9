package prequential

import (
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Observer watches a session from outside as it codes or decodes (the
// teaching demo's live view: alice --events and bob --events). Its calls
// come from the coding loop, in order, and slow it by their own cost only;
// nothing it does can change what the session computes.
type Observer interface {
	// Start is told the spec and inputs before the first example.
	Start(sp spec.Spec, in *task.Inputs)
	// Example is told each label with the coder frequencies it was coded
	// (or decoded) against and the stream bytes produced (or consumed) so
	// far.
	Example(i int64, label int, freqs []uint32, bytes int64)
	// Checkpoint is told each checkpoint.
	Checkpoint(cp Checkpoint)
}

// BlockObserver is an Observer that is also shown each block model of the
// blockwise code (spec.Blocks) right after both sides trained it, before it
// codes a label: the block's training statistics and the model, which it
// must not change (it may evaluate it, e.g. on the test inputs).
type BlockObserver interface {
	Observer
	Block(b Block, m model.Model)
}
