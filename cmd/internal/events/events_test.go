package events

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// Lines read back as Events: the phase and input of each index, the
// coder's probabilities, −log₂ of the label's, at most MaxProbs classes
// with the label among them, and the checkpoint's fingerprint in hex.
func TestLinesReadBack(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(nopCloser{&buf})
	sp := spec.Default()
	sp.N, sp.Validation, sp.Test, sp.Classes, sp.Dim, sp.Precision = 2, 1, 1, 20, 2, 16
	in := &task.Inputs{
		Train: task.Matrix{Rows: 2, Cols: 2, Data: []float64{1, 2, 3, 4}},
		Valid: task.Matrix{Rows: 1, Cols: 2, Data: []float64{5, 6}},
		Test:  task.Matrix{Rows: 1, Cols: 2, Data: []float64{7, 8}},
	}
	s := w.Stream("bob", "s1")
	s.Start(sp, in)
	freqs := make([]uint32, 20)
	for k := range freqs {
		freqs[k] = uint32(1000 + k) // the label, class 0, is the least probable
	}
	for i := int64(0); i < 4; i++ {
		s.Example(i, 0, freqs, 10*i)
	}
	s.Checkpoint(prequential.Checkpoint{Example: 2, Fingerprint: [32]byte{0xab}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var got []Event
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var ev Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		got = append(got, ev)
	}
	if len(got) != 6 || got[0].Event != "start" || got[0].N != 2 || got[0].Classes != 20 || got[0].Session != "s1" {
		t.Fatalf("lines %+v", got)
	}
	phases := []string{PhaseTrain, PhaseTrain, PhaseValid, PhaseTest}
	firstX := []float64{1, 3, 5, 7}
	for i, ev := range got[1:5] {
		if ev.Phase != phases[i] || ev.X[0] != firstX[i] || ev.Bytes != int64(10*i) || ev.Side != "bob" {
			t.Errorf("example %d: %+v", i, ev)
		}
		if want := 16 - math.Log2(1000); ev.Bits != want {
			t.Errorf("bits %v, want %v", ev.Bits, want)
		}
		if len(ev.Probs) != MaxProbs || len(ev.Top) != MaxProbs || ev.Top[0] != 19 || ev.Top[MaxProbs-1] != 0 {
			t.Errorf("top classes %v", ev.Top)
		}
		if p := ev.Probs[0]; math.Abs(p-1019.0/65536) > 1e-8 {
			t.Errorf("p of class 19 = %v", p)
		}
	}
	if cp := got[5]; cp.Event != "checkpoint" || cp.Example != 2 || cp.Fingerprint[:4] != "ab00" {
		t.Errorf("checkpoint %+v", cp)
	}
}
