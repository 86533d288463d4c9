package bob

import (
	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Observer watches one transmission as Bob decodes it (the teaching demo's
// live view: cmd/internal/events writes bob --events lines). Its calls come
// from the transmission's goroutine, in order; they must not block for
// long, since Bob decodes no further meanwhile. After a resume the replayed
// examples are told again.
type Observer interface {
	// Start is told the spec and inputs once the transmission is accepted.
	Start(sp spec.Spec, in *task.Inputs)
	// Example is told each decoded label with the coder frequencies it was
	// decoded against and the stream bytes consumed so far.
	Example(i int64, label int, freqs []uint32, bytes int64)
	// Checkpoint is told each checkpoint as Bob sends it to Alice.
	Checkpoint(cp prequential.Checkpoint)
}

// observed is the label decoder of a watched transmission.
type observed struct {
	*prequential.LabelDecoder
	obs Observer
	dec *coder.Decoder
}

func (o observed) CodeSymbol(i int64, freqs []uint32) (int, error) {
	y, err := o.LabelDecoder.CodeSymbol(i, freqs)
	if err == nil {
		o.obs.Example(i, y, freqs, o.dec.Consumed())
	}
	return y, err
}
