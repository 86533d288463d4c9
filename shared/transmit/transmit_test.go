package transmit

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

func mlpSpec() spec.Spec {
	s := spec.Default()
	s.Model, s.Hidden, s.Activation, s.N, s.Validation, s.Epochs, s.Patience = spec.ModelMLP, []int64{16}, spec.ActTanh, 2000, 300, 5, 2
	return s
}

func build(t testing.TB, sp spec.Spec) (*task.Inputs, *task.Labels, func() *prequential.Session) {
	t.Helper()
	in, lab, err := task.Build(sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return in, lab, func() *prequential.Session {
		s, err := prequential.NewWithOptions(sp, in, prequential.Options{HeldOut: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// send codes every label of sess.
func send(t testing.TB, sess *prequential.Session, lab *task.Labels) (*Sender, Finish) {
	t.Helper()
	snd, err := NewSender(sess, lab)
	if err != nil {
		t.Fatal(err)
	}
	fin, err := snd.Run()
	if err != nil {
		t.Fatal(err)
	}
	return snd, fin
}

// The payload bytes are frozen: these streams are the ones the drivers
// before this package produced (the default spec's is edl run's 942 bytes,
// ending at fingerprint 2d55b057…). A change here is a protocol change.
func TestSenderStreamGolden(t *testing.T) {
	for _, c := range []struct {
		name        string
		sp          spec.Spec
		bytes, mdl  int64
		sha, finger string
	}{
		{"default", spec.Default(), 942, 719, "6de6443b7fd171c2d46aee73a695d0f937d2c64eba36228c185034513c3bc6fa", "2d55b0575f295b7f"},
		{"mlp-theta", mlpSpec(), 2993, 821, "3aeed6f2ce4a80f608520e7594143852ec6bf54dbef209a441a53287c5e0172a", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, lab, newSess := build(t, c.sp)
			snd, fin := send(t, newSess(), lab)
			sum := sha256.Sum256(snd.Stream())
			if fin.PayloadBytes != c.bytes || fin.MDLBytes != c.mdl || hex.EncodeToString(sum[:]) != c.sha {
				t.Errorf("stream %d bytes (mdl %d) sha256 %x, want %d (%d) %s", fin.PayloadBytes, fin.MDLBytes, sum, c.bytes, c.mdl, c.sha)
			}
			if fp := hex.EncodeToString(fin.Final.Fingerprint[:]); c.finger != "" && fp[:16] != c.finger {
				t.Errorf("final fingerprint %s, want %s…", fp, c.finger)
			}
		})
	}
}

// The Receiver decodes the same labels, checkpoints and figures whatever
// the chunking of the bytes: one at a time, or all at once.
func TestReceiverAnyChunking(t *testing.T) {
	sp := mlpSpec()
	_, lab, newSess := build(t, sp)
	snd, fin := send(t, newSess(), lab)
	want := snd.Figures()
	for _, chunk := range []int{1, 7, 1 << 20} {
		rcv, err := NewReceiver(newSess())
		if err != nil {
			t.Fatal(err)
		}
		var cps []prequential.Checkpoint
		drain := func() {
			for {
				ex, ok, err := rcv.Step()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					return
				}
				if ex.Checkpoint != nil {
					cps = append(cps, *ex.Checkpoint)
				}
			}
		}
		for rest := snd.Stream(); len(rest) > 0; {
			n := min(chunk, len(rest))
			if err := rcv.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
			drain()
		}
		if err := rcv.CloseWrite(fin.PayloadBytes); err != nil {
			t.Fatal(err)
		}
		drain()
		got, err := rcv.Finish(fin)
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if d := want.Diff(got); len(d) > 0 {
			t.Errorf("chunk %d: figures differ: %v", chunk, d)
		}
		if len(cps) != len(snd.Checkpoints()) {
			t.Fatalf("chunk %d: %d checkpoints, sender took %d", chunk, len(cps), len(snd.Checkpoints()))
		}
		for i := range cps {
			if cps[i] != snd.Checkpoints()[i] {
				t.Errorf("chunk %d: checkpoint %d differs", chunk, i)
			}
		}
	}
}

// Pipe matches every checkpoint of an honest stream; a flipped byte never
// passes the Receiver: the decode fails, or the final state differs.
func TestPipeVerifiesAndCorruptionIsCaught(t *testing.T) {
	sp := spec.Default()
	_, lab, newSess := build(t, sp)
	p, err := Pipe(newSess(), newSess(), lab, PipeHooks{})
	if err != nil {
		t.Fatal(err)
	}
	if p.CheckpointsMatched != int64(len(p.Sender.Checkpoints())) || p.CheckpointsMatched == 0 {
		t.Fatalf("%d checkpoints matched of %d", p.CheckpointsMatched, len(p.Sender.Checkpoints()))
	}
	fin, _ := p.Sender.Finish()
	for _, pos := range []int{0, len(p.Sender.Stream()) / 2, len(p.Sender.Stream()) - 1} {
		bad := append([]byte(nil), p.Sender.Stream()...)
		bad[pos] ^= 0x40
		rcv, _ := NewReceiver(newSess())
		err := rcv.Write(bad)
		if err == nil {
			err = rcv.CloseWrite(fin.PayloadBytes)
		}
		for ok := true; ok && err == nil; {
			_, ok, err = rcv.Step()
		}
		var got Figures
		if err == nil {
			got, err = rcv.Finish(fin)
		}
		if err == nil && len(p.Figures.Diff(got)) == 0 {
			t.Errorf("byte %d flipped: accepted", pos)
		}
	}
}

// Train learns exactly what the Sender learns: the same fingerprint after
// the pass, without coding.
func TestTrainLearnsAsTheSender(t *testing.T) {
	sp := spec.Default()
	sp.Test = 0
	in, lab, _ := build(t, sp)
	a, _ := prequential.New(sp, in)
	b, _ := prequential.New(sp, in)
	send(t, a, lab)
	if err := Train(b, lab.Train, sp.N); err != nil {
		t.Fatal(err)
	}
	if a.LastCheckpoint() != b.LastCheckpoint() || a.Accounting() != b.Accounting() {
		t.Errorf("Train ends at %+v, the Sender at %+v", b.LastCheckpoint(), a.LastCheckpoint())
	}
}
