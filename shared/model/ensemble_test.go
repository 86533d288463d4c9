package model

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// An ensemble's distribution is the mean of its members' (summed in member
// order, divided by their number), its encoding the members' parameters
// in order under its own kind and shape, and one member is that member.
func TestEnsembleIsTheMean(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var members []Differentiable
	for range 3 {
		m := NewMLP([]int{5, 4, 3}, spec.ActReLU)
		for i := range m.Params() {
			m.Params()[i] = r.NormFloat64()
		}
		members = append(members, m)
	}
	x := []float64{0.5, -1, 2, 0.25, -0.75}
	e := NewEnsemble(members)
	got := make([]float64, 3)
	e.Probs(got, x)
	want := make([]float64, 3)
	p := make([]float64, 3)
	for _, m := range members {
		m.Probs(p, x)
		for c := range want {
			want[c] += p[c]
		}
	}
	for c := range want {
		want[c] /= 3
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ensemble %v, mean of the members %v", got, want)
	}
	one := NewEnsemble(members[:1])
	one.Probs(got, x)
	members[0].Probs(want, x)
	if !slices.Equal(got, want) {
		t.Fatalf("one member: %v, the member %v", got, want)
	}

	if s := e.Shape(); !slices.Equal(s, append([]int64{3}, members[0].Shape()...)) || e.Kind() != "ensemble" {
		t.Fatalf("kind %s, shape %v", e.Kind(), s)
	}
	var all []float64
	for _, m := range members {
		all = append(all, m.Params()...)
	}
	if !slices.Equal(e.Params(), all) {
		t.Fatal("the parameters are not the members' in order")
	}
	enc, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	// Changing a weight of the last member changes the encoding.
	members[2].Params()[0]++
	enc2, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(enc, enc2) {
		t.Fatal("the encoding does not cover the last member")
	}
}

// NewFromBase rebuilds a block ensemble from its encoding (the final model
// edl mnist reads back): the same bytes, the same distributions; a spec
// with another member count is refused by name.
func TestEnsembleFromEncoding(t *testing.T) {
	sp := spec.Default()
	sp.Blocks, sp.BlockEpochs, sp.BlockPatience, sp.BlockValid, sp.BlockEnsemble = []int64{100}, 1, 1, 2, 2
	var members []Differentiable
	for i := range 2 {
		si := sp
		si.Seed += uint64(i) + 1
		m, err := New(si)
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, m.(Differentiable))
	}
	e := NewEnsemble(members)
	enc, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	back, err := NewFromBase(sp, enc)
	if err != nil {
		t.Fatal(err)
	}
	enc2, err := Encode(back)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(enc, enc2) {
		t.Fatal("the rebuilt ensemble encodes differently")
	}
	x := make([]float64, sp.Dim)
	x[0], x[3] = 1, -2
	p, q := make([]float64, sp.Classes), make([]float64, sp.Classes)
	e.Probs(p, x)
	back.Probs(q, x)
	if !slices.Equal(p, q) {
		t.Fatalf("rebuilt %v, original %v", q, p)
	}
	sp.BlockEnsemble = 3
	if _, err := NewFromBase(sp, enc); err == nil || !strings.Contains(err.Error(), "block_ensemble is 3") {
		t.Fatalf("3 members from a 2-member encoding: %v", err)
	}
}
