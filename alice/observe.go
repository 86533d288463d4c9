package alice

import (
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Observer watches a transmission as Alice codes it (the teaching demo's
// live view: cmd/internal/events writes alice --events lines). Its calls
// come from the coding loop, in order, and slow it by their own cost only.
type Observer interface {
	// Start is told the spec and inputs before the first example.
	Start(sp spec.Spec, in *task.Inputs)
	// Example is told each coded label with the coder frequencies it was
	// coded against and the stream's length so far, in bytes (after the
	// coder's flush at the end of a phase).
	Example(i int64, label int, freqs []uint32, bytes int64)
	// Checkpoint is told each of Alice's checkpoints.
	Checkpoint(cp prequential.Checkpoint)
}

// observed is the label encoder of a watched transmission: it keeps the
// frequencies of the last label coded.
type observed struct {
	*prequential.LabelEncoder
	freqs []uint32
}

func (o *observed) CodeSymbol(i int64, freqs []uint32) (int, error) {
	y, err := o.LabelEncoder.CodeSymbol(i, freqs)
	if err == nil {
		o.freqs = append(o.freqs[:0], freqs...)
	}
	return y, err
}
