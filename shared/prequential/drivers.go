package prequential

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/coder"
)

// LabelEncoder is Alice's SymbolCoder: it encodes the true labels in order.
type LabelEncoder struct {
	Enc    *coder.Encoder
	Labels []int
}

// CodeSymbol encodes Labels[i] against freqs and returns it.
func (e *LabelEncoder) CodeSymbol(i int64, freqs []uint32) (int, error) {
	if i < 0 || i >= int64(len(e.Labels)) {
		return 0, fmt.Errorf("prequential: no label for example %d", i)
	}
	y := e.Labels[i]
	if err := e.Enc.Encode(freqs, y); err != nil {
		return 0, fmt.Errorf("prequential: encode example %d: %w", i, err)
	}
	return y, nil
}

// LabelDecoder is Bob's SymbolCoder: it decodes labels from the stream and
// keeps them.
type LabelDecoder struct {
	Dec    *coder.Decoder
	Labels []int
}

// CodeSymbol decodes the next label against freqs. It returns
// coder.ErrNeedInput, leaving everything unchanged, when the decoder needs
// more bytes.
func (d *LabelDecoder) CodeSymbol(i int64, freqs []uint32) (int, error) {
	if !d.Dec.Ready() {
		return 0, coder.ErrNeedInput
	}
	y, err := d.Dec.Decode(freqs)
	if err != nil {
		return 0, fmt.Errorf("prequential: decode example %d: %w", i, err)
	}
	d.Labels = append(d.Labels, y)
	return y, nil
}
