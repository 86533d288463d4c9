package alice

import (
	"github.com/edlwire/edlwire/shared/prequential"
)

// Observer watches a transmission as Alice codes it; Example's bytes are
// the stream's length so far (after the coder's flush at a phase end).
type Observer = prequential.Observer
