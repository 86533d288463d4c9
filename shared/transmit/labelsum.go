package transmit

import (
	"crypto/sha256"
	"hash"

	"github.com/edlwire/edlwire/shared/edl"
)

// labelSum hashes the training labels one at a time as they are coded or
// decoded, in the bytes of edl.LabelBytes (Figures.LabelsSHA256), so that
// neither side holds the labels for their hash. The Sender also keeps the
// bytes (keep): Alice's report compresses them whole (report.ZstdBits),
// one byte a label up to 256 classes.
type labelSum struct {
	h    hash.Hash
	k    int
	keep bool
	buf  []byte // bytes not yet hashed; with keep, every byte
}

// labelBlock is how many label bytes labelSum gathers before hashing them.
const labelBlock = 4096

func newLabelSum(classes, n int64, keep bool) *labelSum {
	c := labelBlock
	if keep {
		c = int(n) * edl.LabelWidth(int(classes))
	}
	return &labelSum{h: sha256.New(), k: int(classes), keep: keep, buf: make([]byte, 0, c)}
}

// add takes the next training label.
func (l *labelSum) add(y int) {
	l.buf = edl.AppendLabel(l.buf, y, l.k)
	if !l.keep && len(l.buf) > labelBlock-4 {
		l.h.Write(l.buf)
		l.buf = l.buf[:0]
	}
}

// sum is the SHA-256 of the labels added so far.
func (l *labelSum) sum() [32]byte {
	if l.keep {
		return sha256.Sum256(l.buf)
	}
	l.h.Write(l.buf)
	l.buf = l.buf[:0]
	var out [32]byte
	l.h.Sum(out[:0])
	return out
}
