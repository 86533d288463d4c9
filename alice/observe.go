package alice

import (
	"github.com/edlwire/edlwire/shared/prequential"
)

// Observer watches a transmission as Alice codes it; Example's bytes are
// the stream's length so far (after the coder's flush at a phase end).
type Observer = prequential.Observer

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
