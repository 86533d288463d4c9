package task

import (
	"slices"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

func formatSpec() spec.Spec {
	s := spec.Default()
	s.Task, s.Classes, s.Keys, s.Answers, s.Dim = spec.TaskFormat, 256, 64, 8, 64
	s.N, s.Test, s.Validation = 3000, 500, 200
	return s
}

func build(t *testing.T, s spec.Spec) (*Inputs, *Labels) {
	t.Helper()
	in, err := NewInputs(s)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := NewLabels(s, in)
	if err != nil {
		t.Fatal(err)
	}
	return in, labels
}

// S has Answers distinct sorted symbols of the vocabulary, depends on the
// seed, and every label of every split (noise and random labels included)
// lies in it.
func TestFormatLabelsInAnswerSet(t *testing.T) {
	s := formatSpec()
	S := FormatAnswers(s)
	if len(S) != int(s.Answers) || !slices.IsSorted(S) || len(slices.Compact(slices.Clone(S))) != len(S) {
		t.Fatalf("S = %v: want %d distinct sorted symbols", S, s.Answers)
	}
	for _, a := range S {
		if a < 0 || a >= int(s.Classes) {
			t.Fatalf("S = %v has a symbol outside [0, %d)", S, s.Classes)
		}
	}
	other := s
	other.Seed = 2
	if slices.Equal(FormatAnswers(other), S) {
		t.Errorf("S does not depend on the seed: %v", S)
	}
	for _, v := range []struct {
		name   string
		noise  float64
		random bool
	}{{"clean", 0, false}, {"noisy", 0.3, false}, {"random labels", 0, true}} {
		sp := s
		sp.Noise, sp.RandomLabels = v.noise, v.random
		_, labels := build(t, sp)
		used := map[int]bool{}
		for _, split := range [][]int{labels.Train, labels.Valid, labels.Test} {
			for i, y := range split {
				if _, ok := slices.BinarySearch(S, y); !ok {
					t.Fatalf("%s: label %d of example %d outside S = %v", v.name, y, i, S)
				}
				used[y] = true
			}
		}
		if len(used) != len(S) {
			t.Errorf("%s: labels use %d of the %d answers", v.name, len(used), len(S))
		}
	}
}

// Without noise a key always has one label (the mapping), the same in every
// split; the one-hot and the integer layouts give the same keys and labels;
// with noise about the Noise fraction of labels leave their key's answer.
func TestFormatMappingAndLayouts(t *testing.T) {
	s := formatSpec()
	in, labels := build(t, s)
	flat := s
	flat.Dim, flat.Model, flat.Alpha = 1, spec.ModelTable, 0.5 // the integer layout is the table's and the tokens model's
	inFlat, labelsFlat := build(t, flat)
	mapping := map[int]int{}
	check := func(x *Matrix, ys []int) {
		for i := 0; i < x.Rows; i++ {
			row := x.Row(i)
			ones := 0
			for _, v := range row {
				if v != 0 {
					ones++
				}
			}
			if ones != 1 {
				t.Fatalf("example %d is not one-hot: %v", i, row)
			}
			k := formatKey(row)
			if y, ok := mapping[k]; ok && y != ys[i] {
				t.Fatalf("key %d has labels %d and %d", k, y, ys[i])
			}
			mapping[k] = ys[i]
		}
	}
	check(&in.Train, labels.Train)
	check(&in.Test, labels.Test)
	check(&in.Valid, labels.Valid)
	if len(mapping) != int(s.Keys) {
		t.Errorf("%d of %d keys seen", len(mapping), s.Keys)
	}
	if !slices.Equal(labels.Train, labelsFlat.Train) {
		t.Error("the integer layout's labels differ from the one-hot layout's")
	}
	for i := 0; i < in.Train.Rows; i++ {
		if formatKey(in.Train.Row(i)) != int(inFlat.Train.Data[i]) {
			t.Fatalf("example %d: one-hot key %d, integer key %v", i, formatKey(in.Train.Row(i)), inFlat.Train.Data[i])
		}
	}
	noisy := s
	noisy.Noise = 0.2
	_, nl := build(t, noisy)
	flipped := 0
	for i := 0; i < in.Train.Rows; i++ {
		if nl.Train[i] != mapping[formatKey(in.Train.Row(i))] {
			flipped++
		}
	}
	if f := float64(flipped) / float64(s.N); f < 0.17 || f > 0.23 {
		t.Errorf("noise 0.2 replaced %.3f of the labels", f)
	}
}

// The same spec builds the same task; another seed another one.
func TestFormatDeterministic(t *testing.T) {
	s := formatSpec()
	in1, l1 := build(t, s)
	in2, l2 := build(t, s)
	if !slices.Equal(in1.Train.Data, in2.Train.Data) || !slices.Equal(l1.Train, l2.Train) || !slices.Equal(l1.Test, l2.Test) {
		t.Fatal("the same spec built two different tasks")
	}
	s.Seed = 9
	_, l3 := build(t, s)
	if slices.Equal(l1.Train, l3.Train) {
		t.Fatal("another seed built the same labels")
	}
}
