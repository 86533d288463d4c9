package transmit

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/prequential"
)

// Locate finds where a desync began and notes it in d: the first example
// whose transcript record differs between the sides, by bisecting the
// examples between agreed, the last checkpoint both sides matched (0: the
// start), and d.Example, the first that did not (prequential.FirstDivergence).
// mine and theirs return each side's transcript after c examples (theirs
// may be a round trip to the receiver; see PROTOCOL.md rule 5a); an error
// from either leaves the example unlocated and says why. The records before
// the first differing one are equal, so the receiver decoded the same labels
// with the same frequencies up to it: that example's frequencies, its
// distribution, are the first to differ.
func Locate(d *DesyncError, agreed int64, mine, theirs func(c int64) ([32]byte, error)) {
	d.First = -1
	queries := 0
	equal := func(c int64) (bool, error) {
		a, err := mine(c)
		if err != nil {
			return false, err
		}
		queries++
		b, err := theirs(c)
		if err != nil {
			return false, err
		}
		return a == b, nil
	}
	hi := d.Example
	if agreed < 0 || agreed >= hi {
		d.Location = fmt.Sprintf("not located: the last matched checkpoint %d is not before it", agreed)
		return
	}
	same, err := equal(hi)
	if err == nil && same {
		d.Location = fmt.Sprintf("the transcripts agree through example %d: every distribution was the same, the learners' states differ after the update that ended there", hi-1)
		return
	}
	first := int64(0)
	if err == nil {
		first, err = prequential.FirstDivergence(agreed, hi, equal)
	}
	if err != nil {
		d.Location = fmt.Sprintf("the first differing example is in %d..%d, not located: %v", agreed, hi-1, err)
		return
	}
	d.First = first
	d.Location = fmt.Sprintf("the first example whose distribution differed is %d (bisected between the checkpoints at %d and %d, %d transcripts compared)", first, agreed, hi, queries)
}

// sessionTranscript is a session's TranscriptAt as Locate wants it.
func sessionTranscript(who string, s *prequential.Session) func(c int64) ([32]byte, error) {
	return func(c int64) ([32]byte, error) {
		t, ok := s.TranscriptAt(c)
		if !ok {
			return t, fmt.Errorf("the %s no longer holds the transcript after example count %d (it keeps the last %d)", who, c, s.TranscriptWindow())
		}
		return t, nil
	}
}

// Transcript is the Sender's transcript after c examples, for Locate.
func (s *Sender) Transcript(c int64) ([32]byte, error) {
	return sessionTranscript("sender", s.sess)(c)
}
