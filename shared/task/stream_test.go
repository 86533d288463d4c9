package task

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// seededSpecs is one valid spec per seeded task and input layout, with
// splits that end inside a chunk.
func seededSpecs(t *testing.T) []spec.Spec {
	t.Helper()
	var out []spec.Spec
	add := func(f func(*spec.Spec)) {
		sp := spec.Default()
		sp.N, sp.Validation, sp.Test = 3001, 257, 129
		f(&sp)
		if err := sp.Validate(); err != nil {
			t.Fatalf("spec %s: %v", sp.Task, err)
		}
		out = append(out, sp)
	}
	add(func(sp *spec.Spec) { sp.Dim, sp.Batch = 16, 10 })
	add(func(sp *spec.Spec) {
		sp.N, sp.Validation, sp.Test, sp.Dim, sp.Batch, sp.Noise = 301, 7, 5, 9000, 3, 0.1
	}) // chunks of one row
	add(func(sp *spec.Spec) {
		sp.Task, sp.Model, sp.Dim, sp.Classes, sp.Hypotheses, sp.Batch = spec.TaskHypothesis, spec.ModelHypothesis, 1, 64, 8, 1
	})
	add(func(sp *spec.Spec) {
		sp.Task, sp.Model, sp.Dim, sp.Classes, sp.Keys, sp.Alpha = spec.TaskCoupon, spec.ModelTable, 1, 8, 20, 0.5
	})
	add(func(sp *spec.Spec) {
		sp.Task, sp.Model, sp.Dim, sp.Classes, sp.Keys, sp.Alpha, sp.RareWeight = spec.TaskCoupon, spec.ModelTable, 1, 4, 11, 0.5, 0.2
	})
	add(func(sp *spec.Spec) { sp.Task, sp.Classes, sp.Dim, sp.ParityBits = spec.TaskParity, 2, 10, 3 })
	for _, nt := range []string{spec.NotationOneHot, spec.NotationPermuted, spec.NotationAnswersPermuted} {
		add(func(sp *spec.Spec) {
			sp.Task, sp.Classes, sp.Dim, sp.Op, sp.Notation = spec.TaskModular, 7, 14, spec.OpSub, nt
		})
	}
	for _, nt := range []string{spec.NotationTokens, spec.NotationTokensPermuted} {
		add(func(sp *spec.Spec) {
			sp.Task, sp.Model, sp.Classes, sp.Vocab, sp.Embed, sp.Dim, sp.Op, sp.Notation = spec.TaskModular, spec.ModelTokens, 7, 7, 4, 2, spec.OpMul, nt
		})
	}
	for _, nt := range []string{spec.NotationTagged, spec.NotationUntagged} {
		add(func(sp *spec.Spec) {
			sp.Task, sp.Classes, sp.Notations, sp.Dim, sp.Op, sp.Notation = spec.TaskModular, 15, 3, 13, spec.OpAdd, nt
		})
	}
	add(func(sp *spec.Spec) { sp.Task, sp.RareWeight = spec.TaskRare, 0.2 })
	add(func(sp *spec.Spec) {
		sp.Task, sp.Classes, sp.Keys, sp.Answers, sp.Dim = spec.TaskFormat, 256, 64, 8, 64
	})
	add(func(sp *spec.Spec) {
		sp.Task, sp.Model, sp.Classes, sp.Keys, sp.Answers, sp.Dim, sp.Alpha = spec.TaskFormat, spec.ModelTable, 256, 64, 8, 1, 0.5
	})
	return out
}

func sameRow(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// A streamed split gives the dense split's rows bit for bit, whatever the
// order they are read in: forward, a minibatch at a time, backward (the
// stream restarts), in jumps past the window, and through a fork; and the
// labels built from streamed inputs are those built from dense ones.
func TestStreamedRowsEqualDense(t *testing.T) {
	for _, sp := range seededSpecs(t) {
		name := fmt.Sprintf("%s-%s-dim%d", sp.Task, sp.Notation, sp.Dim)
		t.Run(name, func(t *testing.T) {
			dense, err := NewInputs(sp)
			if err != nil {
				t.Fatal(err)
			}
			str, err := newStreamInputs(sp, true)
			if err != nil {
				t.Fatal(err)
			}
			if !str.Train.Streamed() || str.Train.Data != nil || dense.Train.Streamed() {
				t.Fatalf("streamed %v (data %d), dense %v", str.Train.Streamed(), len(str.Train.Data), dense.Train.Streamed())
			}
			dl, err := NewLabels(sp, dense)
			if err != nil {
				t.Fatal(err)
			}
			sl, err := NewLabels(sp, str)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range [][2][]int{{dl.Train, sl.Train}, {dl.Valid, sl.Valid}, {dl.Test, sl.Test}} {
				if len(p[0]) != len(p[1]) {
					t.Fatalf("labels: %d dense, %d streamed", len(p[0]), len(p[1]))
				}
				for i := range p[0] {
					if p[0][i] != p[1][i] {
						t.Fatalf("label %d: dense %d, streamed %d", i, p[0][i], p[1][i])
					}
				}
			}
			check := func(what string, d, s *Matrix, order []int) {
				t.Helper()
				if d.Rows != s.Rows || d.Cols != s.Cols {
					t.Fatalf("%s: dense %d×%d, streamed %d×%d", what, d.Rows, d.Cols, s.Rows, s.Cols)
				}
				for _, i := range order {
					if got := s.Row(i); !sameRow(got, d.Row(i)) {
						t.Fatalf("%s: row %d differs from the dense row", what, i)
					}
				}
			}
			n := int(sp.N)
			seq := func(from, to int) []int {
				var o []int
				for i := from; i < to; i++ {
					o = append(o, i)
				}
				return o
			}
			check("valid", &dense.Valid, &str.Valid, seq(0, int(sp.Validation)))
			check("test", &dense.Test, &str.Test, seq(0, int(sp.Test)))
			check("train forward", &dense.Train, &str.Train, seq(0, n))
			check("train again", &dense.Train, &str.Train, seq(0, n))
			back := []int{n - 1, n - 2, 0, n / 2, n/2 - 1, n / 3}
			check("train backward", &dense.Train, &str.Train, back)
			jumps := []int{5, n - 3, 7, n * 5 / 6, 1, n - 1}
			fork := str.Fork()
			check("fork", &dense.Train, &fork.Train, jumps)
			// The minibatch pattern: a batch's rows held together, then the
			// rows just coded read again (events, counting models).
			b := int(sp.Batch)
			var held [][]float64
			for start := 0; start < n; start += b {
				held = held[:0]
				for j := start; j < min(start+b, n); j++ {
					held = append(held, str.Train.Row(j))
				}
				for j, r := range held {
					if !sameRow(r, dense.Train.Row(start+j)) || !sameRow(str.Train.Row(start+j), r) {
						t.Fatalf("batch at %d: row %d differs", start, start+j)
					}
				}
			}
		})
	}
}

// A row slice stays what it was after the window has moved past it (its
// chunk is never written again), and the window never holds more than
// spec.InputWindowRows rows, however far the stream has gone.
func TestStreamWindowBounded(t *testing.T) {
	sp := spec.Default()
	sp.N, sp.Test, sp.Dim, sp.Batch = 200000, 0, 16, 100
	in, err := newStreamInputs(sp, true)
	if err != nil {
		t.Fatal(err)
	}
	first := in.Train.Row(0)
	keep := append([]float64(nil), first...)
	st := in.Train.stream
	maxRows := 0
	for i := range int(sp.N) {
		in.Train.Row(i)
		rows := 0
		for _, c := range st.window {
			rows += len(c.data) / st.f.cols
		}
		maxRows = max(maxRows, rows)
	}
	if int64(maxRows) > sp.InputWindowRows() {
		t.Errorf("the window held %d rows, more than spec.InputWindowRows = %d", maxRows, sp.InputWindowRows())
	}
	// chunk 512 rows (8192/16), batch 100: one chunk plus one for the batch.
	if c, w := sp.InputChunkRows(), sp.InputWindowRows(); c != 512 || w != 1024 {
		t.Errorf("chunk %d rows, window %d rows; want 512 and 1024 for dim 16, batch 100", c, w)
	}
	if !sameRow(first, keep) {
		t.Error("row 0 changed after the window moved past it")
	}
	// The first row is the first 16 normal draws of "train-inputs".
	src := rng.New(rng.Derive(sp.Seed, "train-inputs"), 0)
	for j, v := range first {
		if w := src.Normal(); math.Float64bits(v) != math.Float64bits(w) {
			t.Fatalf("row 0 column %d: %v, the stream's draw is %v", j, v, w)
		}
	}
}

// A streamed row outside the matrix panics with the package prefix, as a
// dense one panics on its slice bounds: a programmer error.
func TestStreamRowOutOfRangePanics(t *testing.T) {
	sp := spec.Default()
	in, err := newStreamInputs(sp, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{-1, int(sp.N)} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("row %d: no panic", i)
				}
			}()
			in.Train.Row(i)
		}()
	}
}

// NewStreamInputs streams exactly the seeded specs whose inputs exceed
// spec.StreamInputsAbove: (n+validation+test)·dim·8 bytes.
func TestStreamAboveThreshold(t *testing.T) {
	sp := spec.Default()
	sp.Dim, sp.Validation, sp.Test = 16, 0, 1000
	// 16·8 = 128 bytes a row: the threshold is 2^28/2^7 = 2^21 rows.
	for _, c := range []struct {
		n      int64
		stream bool
	}{{1<<21 - 1000, false}, {1<<21 - 999, true}} {
		sp.N = c.n
		in, err := NewStreamInputs(sp)
		if err != nil {
			t.Fatal(err)
		}
		if in.Train.Streamed() != c.stream || in.Test.Streamed() != c.stream {
			t.Errorf("n=%d (%d bytes of inputs): streamed %v, want %v", c.n, (c.n+1000)*128, in.Train.Streamed(), c.stream)
		}
	}
}

// liveHeap is the heap's live bytes after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Memory that does not grow with n: after every row of a 2·10⁶-row split
// has been read (256 MB held dense), the inputs keep no more than the
// estimate's window, plus a little for the structures. (The split is
// streamed here below spec.StreamInputsAbove, as newStreamInputs allows.)
func TestStreamedInputsLiveBytesBoundedByWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 2·10⁶ generated rows")
	}
	sp := spec.Default()
	sp.N, sp.Validation, sp.Test, sp.Dim, sp.Batch = 2e6, 0, 0, 16, 10
	before := liveHeap()
	in, err := newStreamInputs(sp, true)
	if err != nil {
		t.Fatal(err)
	}
	if !in.Train.Streamed() {
		t.Fatal("not streamed")
	}
	sum := 0.0
	for i := range int(sp.N) {
		sum += in.Train.Row(i)[0]
	}
	grown := int64(liveHeap()) - int64(before)
	window := sp.InputWindowRows() * sp.Dim * 8 // the estimate's window term of a streamed split
	if grown > window+4096 {
		t.Errorf("the streamed inputs hold %d bytes after reading n=%d rows; the window is %d", grown, sp.N, window)
	}
	runtime.KeepAlive(in)
	t.Logf("live: %d bytes held (window estimate %d, dense would be %d); Σ column 0 = %v", grown, window, sp.N*sp.Dim*8, sum)
}
