package transmit

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/edlwire/edlwire/shared/edl"
)

// The hash taken label by label, through blocks (Bob) or over the kept
// bytes (Alice), is SHA-256 of edl.LabelBytes over the whole slice, at
// each label width and at lengths around the block size; Alice's kept
// bytes are LabelBytes themselves.
func TestLabelSumEqualsHashOfLabelBytes(t *testing.T) {
	for _, k := range []int{10, 256, 257, 1 << 16, 1<<16 + 1} {
		w := edl.LabelWidth(k)
		for _, n := range []int{0, 1, labelBlock/w - 1, labelBlock / w, labelBlock/w + 1, 3*labelBlock + 7} {
			labels := make([]int, n)
			for i := range labels {
				labels[i] = (i*7919 + i/3) % k
			}
			want := sha256.Sum256(edl.LabelBytes(labels, k))
			for _, keep := range []bool{false, true} {
				l := newLabelSum(int64(k), int64(n), keep)
				for _, y := range labels {
					l.add(y)
				}
				if got := l.sum(); got != want {
					t.Errorf("k=%d n=%d keep=%v: sum %x, want %x", k, n, keep, got[:4], want[:4])
				}
				if again := l.sum(); again != want {
					t.Errorf("k=%d n=%d keep=%v: a second sum differs", k, n, keep)
				}
				if keep && !bytes.Equal(l.buf, edl.LabelBytes(labels, k)) {
					t.Errorf("k=%d n=%d: kept bytes are not LabelBytes", k, n)
				}
			}
		}
	}
}
