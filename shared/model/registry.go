package model

import (
	"fmt"
	"sync"

	"github.com/edlwire/edlwire/shared/spec"
)

// Registration is everything the program knows about one model family:
// its part of the spec (fields, flags, validation, parameter count: the
// Section, registered into package spec) and how to build it. Adding a
// family is one file that calls Register from an init function, plus its
// test; spec validation, the spec flags and the session construction find
// it through the registries.
type Registration struct {
	Spec spec.Section
	// New builds the family's model from a validated spec, with zero
	// parameters where it has any: New (and NewFromBase) then apply the
	// spec's initialization, base checkpoint and adapter to differentiable
	// models. A model must be Differentiable (trained by the spec's
	// optimizer: set Spec.Gradient) or Counting.
	New func(s spec.Spec) (Model, error)
	// External families have no New: the caller supplies the learner (a
	// predictor plugin, see prequential.Options.External).
	External bool
}

var (
	regMu sync.RWMutex
	regs  = map[string]Registration{} // looked up by name only, never iterated
)

// Register adds a model family. Two families of one name, a family with
// neither New nor External, or a Section that package spec refuses are
// programming errors and panic, at program start.
func Register(r Registration) {
	if (r.New == nil) != r.External {
		panic(fmt.Sprintf("model: register %q: exactly one of New and External", r.Spec.Name))
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := regs[r.Spec.Name]; dup {
		panic(fmt.Sprintf("model: register %q: registered twice", r.Spec.Name))
	}
	spec.RegisterModel(r.Spec)
	regs[r.Spec.Name] = r
}

// Lookup returns the registration of a model family.
func Lookup(name string) (Registration, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	r, ok := regs[name]
	return r, ok
}
