package mnistfiles

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"

	// A spec names a model too: its registration validates that part.
	_ "github.com/edlwire/edlwire/shared/model"
)

// The version in the code must be the one go.mod pins, or Dir would look
// for a folder that no build downloads.
func TestVersionMatchesGoMod(t *testing.T) {
	b, err := os.ReadFile("../../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), Module+" "+Version) {
		t.Fatalf("go.mod does not require %s %s", Module, Version)
	}
}

func mnistSpec() spec.Spec {
	s := spec.Default()
	s.Task, s.Dim, s.Classes, s.N, s.Test, s.Validation = spec.TaskMNIST, 784, 10, 100, 50, 10
	return s
}

// The canonical order starts with the digits every MNIST user knows
// (5 0 4 1 9 2 1 3 1 4), pixels are bytes over 255, and Bob's view
// (inputs alone) matches Alice's.
func TestMNISTTask(t *testing.T) {
	Register()
	s := mnistSpec()
	in, labels, err := task.Build(s, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}
	for i, y := range want {
		if labels.Train[i] != y {
			t.Fatalf("train labels start %v, want %v", labels.Train[:10], want)
		}
	}
	if got := labels.Test[:3]; got[0] != 7 || got[1] != 2 || got[2] != 1 {
		t.Fatalf("test labels start %v, want [7 2 1]", got)
	}
	if in.Train.Rows != 100 || in.Valid.Rows != 10 || in.Test.Rows != 50 || in.Train.Cols != 784 {
		t.Fatalf("shapes %d/%d/%d × %d", in.Train.Rows, in.Valid.Rows, in.Test.Rows, in.Train.Cols)
	}
	lo, hi := 1.0, 0.0
	for _, v := range in.Train.Data {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Fatalf("pixels in [%v, %v], want [0, 1]", lo, hi)
	}
	bob, err := task.NewInputs(s)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range bob.Train.Data {
		if v != in.Train.Data[i] {
			t.Fatalf("Bob's input %d differs", i)
		}
	}
	// The seeded order is a permutation of the same images.
	s.Shuffle, s.ShuffleSeed = true, 7
	sh, shl, err := task.Build(s, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if shl.Train[0] == labels.Train[0] && sh.Train.Data[300] == in.Train.Data[300] && shl.Train[1] == labels.Train[1] {
		t.Fatalf("shuffle changed nothing")
	}
}

// A file that is not the canonical one is refused with a clear error.
func TestMNISTChecksum(t *testing.T) {
	task.SetMNISTSource(func(name string) ([]byte, error) { return []byte("not mnist"), nil })
	defer Register()
	_, err := task.NewInputs(mnistSpec())
	if !errors.Is(err, task.ErrMNISTMismatch) || !strings.Contains(err.Error(), task.MNISTTrainImages) {
		t.Fatalf("got %v, want a checksum mismatch naming the file", err)
	}
}
