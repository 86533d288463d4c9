package model

import "fmt"

// Ensemble is a model whose predictive distribution is the mean of its
// members' (the blockwise code's block_ensemble: members trained apart, on
// the same labels, from different seeds). The mean sums the members'
// probabilities in member order and divides by their number, so both
// sides compute the same bits. An ensemble is never trained as one: its
// members are.
//
// Canonical layout: the members' parameters, member after member; Shape is
// the number of members, then the first member's shape; Kind is "ensemble".
type Ensemble struct {
	members []Differentiable
	tmp     []float64
}

// NewEnsemble returns the ensemble of at least one member, all of one
// shape.
func NewEnsemble(members []Differentiable) *Ensemble {
	if len(members) == 0 {
		panic("model: an ensemble needs a member")
	}
	for _, m := range members[1:] {
		if m.Kind() != members[0].Kind() || len(m.Params()) != len(members[0].Params()) || m.NumClasses() != members[0].NumClasses() {
			panic(fmt.Sprintf("model: ensemble members differ: %s with %d parameters, %s with %d", members[0].Kind(), len(members[0].Params()), m.Kind(), len(m.Params())))
		}
	}
	return &Ensemble{members: members, tmp: make([]float64, members[0].NumClasses())}
}

// Members returns the members (live: read-only for callers).
func (e *Ensemble) Members() []Differentiable { return e.members }

// ensembleKind is an Ensemble's Kind.
const ensembleKind = "ensemble"

func (e *Ensemble) Kind() string { return ensembleKind }

func (e *Ensemble) Shape() []int64 {
	return append([]int64{int64(len(e.members))}, e.members[0].Shape()...)
}

func (e *Ensemble) NumClasses() int { return e.members[0].NumClasses() }

func (e *Ensemble) InputDim() int { return e.members[0].InputDim() }

// Params returns a copy of the members' parameters, concatenated in
// member order: the canonical encoding's, not a live vector.
func (e *Ensemble) Params() []float64 {
	var out []float64
	for _, m := range e.members {
		out = append(out, m.Params()...)
	}
	return out
}

// Probs writes the mean of the members' distributions: Σ_i p_i(c), summed
// in member order, divided by the number of members.
func (e *Ensemble) Probs(dst, x []float64) {
	e.members[0].Probs(dst, x)
	for _, m := range e.members[1:] {
		m.Probs(e.tmp, x)
		for c, v := range e.tmp {
			dst[c] += v
		}
	}
	n := float64(len(e.members))
	for c := range dst {
		dst[c] /= n
	}
}
