package prequential

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// heldOutRun codes a spec with held-out coding on both sides, flushing at
// every phase end, and returns Alice's and Bob's sessions, the stream and
// the byte offset at which the pass ends.
func heldOutRun(t *testing.T, sp spec.Spec, chunk int) (a, b *Session, stream []byte, passBytes int, lab *task.Labels) {
	t.Helper()
	in, err := task.NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	lab, err = task.NewLabels(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	all := append(append(append([]int(nil), lab.Train...), lab.Valid...), lab.Test...)
	a, err = NewWithOptions(sp, in, Options{HeldOut: true})
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := coder.NewEncoder(uint(sp.Precision))
	le := &LabelEncoder{Enc: enc, Labels: all}
	passBytes = -1
	for !a.Done() {
		r, err := a.Step(le)
		if err != nil {
			t.Fatal(err)
		}
		stream = append(stream, enc.Take()...)
		if r.PhaseEnd {
			stream = append(stream, enc.Flush()...)
			if passBytes < 0 {
				passBytes = len(stream)
			}
		}
	}
	stream = append(stream, enc.Finish()...)

	// Bob receives the stream in chunks and decodes as far as he can.
	b, _ = NewWithOptions(sp, in, Options{HeldOut: true})
	dec, _ := coder.NewDecoder(uint(sp.Precision))
	ld := &LabelDecoder{Dec: dec}
	flushDue := false
	for off := 0; ; {
		end := min(off+chunk, len(stream))
		dec.Write(stream[off:end])
		off = end
		if off == len(stream) {
			dec.CloseWrite()
		}
		for !b.Done() || flushDue {
			if flushDue {
				if err := dec.Flush(); errors.Is(err, coder.ErrNeedInput) {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				flushDue = false
				continue
			}
			r, err := b.Step(ld)
			if errors.Is(err, coder.ErrNeedInput) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			flushDue = r.PhaseEnd
		}
		if off == len(stream) {
			break
		}
	}
	if !b.Done() {
		t.Fatalf("bob stopped at %d of %d", b.Index(), b.Total())
	}
	if err := dec.Finish(); err != nil {
		t.Fatal(err)
	}
	for i, y := range all {
		if ld.Labels[i] != y {
			t.Fatalf("label %d: bob %d, alice %d", i, ld.Labels[i], y)
		}
	}
	return a, b, stream, passBytes, lab
}

// With held-out coding Bob learns the validation and test labels, reaches
// the same θ* as Alice, and verifies the test loss bit for bit; the pass's
// bytes are exactly those of a plain session, so the MDL is unchanged.
func TestHeldOutCodingVerifiesThetaStarAndTestLoss(t *testing.T) {
	sp := convergeSpec()
	for _, chunk := range []int{1, 7, 1 << 20} {
		a, b, stream, passBytes, lab := heldOutRun(t, sp, chunk)
		if a.LastCheckpoint() != b.LastCheckpoint() {
			t.Fatal("final checkpoints differ")
		}
		ha, hb := a.HeldOut(), b.HeldOut()
		if ha != hb {
			t.Fatalf("held-out accounting differs:\n alice %+v\n bob   %+v", ha, hb)
		}
		fp, _ := b.Fingerprint()
		if got := hex.EncodeToString(fp[:]); got != goldenConverged {
			t.Fatalf("bob's θ* %s, the plain Converge golden %s", got, goldenConverged)
		}
		want, _ := edl.TestLossBits(b.Model(), &b.Inputs().Test, lab.Test)
		if hb.TestLossBits != want {
			t.Fatalf("verified test loss %v, edl.TestLossBits %v", hb.TestLossBits, want)
		}
		// The pass's bytes are a plain session's stream plus the flush.
		plain := transmit(t, sp, func() int { return 1 << 20 })
		if passBytes < len(plain.bytes)-4 || passBytes > len(plain.bytes)+2 {
			t.Fatalf("pass bytes %d, plain stream %d", passBytes, len(plain.bytes))
		}
		if chunk == 1 {
			t.Logf("pass %d bytes, held-out %d bytes; θ* after %d epochs; test loss %.4f bits/example (%.1f bits coded for %d labels)",
				passBytes, len(stream)-passBytes, hb.Converged.Epochs, hb.TestLossBits, 8*float64(len(stream)-passBytes), sp.Validation+sp.Test)
		}
	}
}

// Without epochs the pass model is θ*, and the exact learners work too.
func TestHeldOutCodingWithoutEpochs(t *testing.T) {
	sp := hypothesisSpec(16, 8, 0.1)
	sp.Validation = 50
	a, b, _, _, lab := heldOutRun(t, sp, 5)
	if a.HeldOut() != b.HeldOut() || a.LastCheckpoint() != b.LastCheckpoint() {
		t.Fatal("alice and bob differ")
	}
	want, _ := edl.TestLossBits(a.Model(), &a.Inputs().Test, lab.Test)
	if got := b.HeldOut().TestLossBits; got != want {
		t.Fatalf("test loss %v, want %v", got, want)
	}
}
