package bob

import (
	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/prequential"
)

// Observer watches one transmission as Bob decodes it; Example's bytes are
// the stream bytes consumed so far. Calls come from the transmission's
// goroutine and must not block for long, since Bob decodes no further
// meanwhile. After a resume the replayed examples are told again.
type Observer = prequential.Observer

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
