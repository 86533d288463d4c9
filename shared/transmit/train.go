package transmit

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/prequential"
)

// Train hands sess its training labels without coding them, until it has
// learned the first n examples (or all it codes, if fewer): the θ*ₙ runs,
// pre-training and learning-rate trials, whose code lengths, if wanted, are
// the session's Accounting.
func Train(sess *prequential.Session, labels []int, n int64) error {
	for sess.Index() < n {
		off, err := sess.Next()
		if err != nil {
			return fmt.Errorf("transmit: %w", err)
		}
		switch off.Kind {
		case prequential.OfferDone:
			return nil
		case prequential.OfferCode:
			if off.Index >= int64(len(labels)) {
				return fmt.Errorf("transmit: no label for example %d", off.Index)
			}
			if err := sess.Apply(labels[off.Index]); err != nil {
				return fmt.Errorf("transmit: %w", err)
			}
		}
	}
	return nil
}
