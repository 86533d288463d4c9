package task

import (
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"

	// Specs name a model too: its registration validates that part.
	_ "github.com/edlwire/edlwire/shared/model"
)

// Every built-in task is registered, in the documented order, and the
// names spec knows are the names this package builds.
func TestBuiltinTasksRegistered(t *testing.T) {
	want := []string{spec.TaskSynthetic, spec.TaskFile, spec.TaskHypothesis, spec.TaskCoupon, spec.TaskParity, spec.TaskModular, spec.TaskRare, spec.TaskFormat, spec.TaskMNIST}
	got := spec.Tasks()
	if strings.Join(got[:len(want)], ",") != strings.Join(want, ",") {
		t.Fatalf("registered tasks %q, want %q first", got, want)
	}
	for _, name := range got {
		if _, ok := Lookup(name); !ok {
			t.Errorf("spec knows task %s, package task does not build it", name)
		}
	}
}

// A task registered twice, or with a generator for inputs and none for
// labels, is a programming error caught at registration.
func TestRegisterRefusesMistakes(t *testing.T) {
	for _, c := range []struct {
		name string
		r    Registration
	}{
		{"twice", Registration{Spec: spec.Section{Name: spec.TaskSynthetic}}},
		{"half", Registration{Spec: spec.Section{Name: "half-generated"}, Inputs: NewInputs}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: registered without a panic", c.name)
				}
			}()
			Register(c.r)
		}()
	}
}
