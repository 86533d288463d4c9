package task

import (
	"fmt"
	"testing"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// refLabels is the reference implementation's labels of every split
// (labels_ref_test.go): the generators as they were before label rules.
func refLabels(sp spec.Spec, in *Inputs) [3][]int {
	parts := []struct {
		x    *Matrix
		name string
	}{{&in.Train, "train"}, {&in.Valid, "valid"}, {&in.Test, "test"}}
	var out [3][]int
	for p, part := range parts {
		switch {
		case sp.RandomLabels && sp.Task == spec.TaskFormat:
			out[p] = refFormatRandomLabels(sp, part.name, part.x.Rows)
		case sp.RandomLabels:
			out[p] = refRandomLabels(sp, part.name, part.x.Rows)
		case sp.Task == spec.TaskSynthetic:
			teacher := normalMatrix(rng.Derive(sp.Seed, "teacher"), int(sp.Classes), int(sp.Dim))
			out[p] = refSynthLabels(sp, &teacher, part.x, part.name)
		default:
			out[p] = refSeededLabels(sp, part.x, part.name)
		}
	}
	return out
}

// Every seeded task's labels, noiseless, noisy and random, are the
// reference's label for label: held (NewLabels) and streamed
// (NewStreamLabels) over streamed inputs, read in coding order, read
// again, backward and in jumps, and whole (All).
func TestLabelRulesEqualReference(t *testing.T) {
	for _, base := range seededSpecs(t) {
		for _, v := range []struct {
			noise  float64
			random bool
		}{{0, false}, {0.3, false}, {0, true}} {
			sp := base
			sp.Noise, sp.RandomLabels = v.noise, v.random
			name := fmt.Sprintf("%s-%s-dim%d-noise%v-random%v", sp.Task, sp.Notation, sp.Dim, v.noise, v.random)
			t.Run(name, func(t *testing.T) {
				dense, err := NewInputs(sp)
				if err != nil {
					t.Fatal(err)
				}
				want := refLabels(sp, dense)
				held, err := NewLabels(sp, dense)
				if err != nil {
					t.Fatal(err)
				}
				in, err := newStreamInputs(sp, true)
				if err != nil {
					t.Fatal(err)
				}
				str, err := NewStreamLabels(sp, in)
				if err != nil {
					t.Fatal(err)
				}
				if held.Streamed() || !str.Streamed() || str.Train != nil {
					t.Fatalf("held streamed %v, streamed streamed %v", held.Streamed(), str.Streamed())
				}
				for p := PartTrain; p <= PartTest; p++ {
					w := want[p]
					if held.Len(p) != len(w) || str.Len(p) != len(w) {
						t.Fatalf("%v: %d held, %d streamed, reference %d", p, held.Len(p), str.Len(p), len(w))
					}
					n := len(w)
					order := make([]int, 0, 2*n+8)
					for i := range n {
						order = append(order, i, i) // each read twice: the second is the kept label
					}
					if n > 0 {
						order = append(order, n-1, 0, n/2, n/3, n-1, 1)
					}
					for _, i := range order {
						if g, h := str.At(p, i), held.At(p, i); g != w[i] || h != w[i] {
							t.Fatalf("%v label %d: streamed %d, held %d, reference %d", p, i, g, h, w[i])
						}
					}
					all := str.All(p)
					for i := range w {
						if all[i] != w[i] {
							t.Fatalf("%v: All's label %d is %d, reference %d", p, i, all[i], w[i])
						}
					}
				}
			})
		}
	}
}

// Streamed labels keep nothing per example: after every label of a split
// has been read, the split holds its step and its last label, whatever n
// (held, these 5·10⁴ labels would take 400 kB, twice the bound).
func TestStreamLabelsHoldNoSlice(t *testing.T) {
	sp := spec.Default()
	sp.N, sp.Test = 50000, 0
	in, err := newStreamInputs(sp, true)
	if err != nil {
		t.Fatal(err)
	}
	before := liveHeap()
	l, err := NewStreamLabels(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range int(sp.N) {
		l.At(PartTrain, i)
	}
	// The inputs' window is the only thing that grows with reading: at
	// most spec.InputWindowRows rows of dim·8 bytes, plus 64 KiB of slack.
	bound := uint64(sp.InputWindowRows()*sp.Dim*8) + 64<<10
	if after := liveHeap(); after > before+bound {
		t.Errorf("reading %d streamed labels left %d live bytes more, bound %d", sp.N, after-before, bound)
	}
}

// A label outside its split panics with the package prefix: a programmer
// error, as a slice index out of range is.
func TestStreamLabelOutOfRangePanics(t *testing.T) {
	sp := spec.Default()
	in, err := NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewStreamLabels(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{-1, int(sp.Test)} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("label %d: no panic", i)
				}
			}()
			l.At(PartTest, i)
		}()
	}
}
