package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/events"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Scene is one experiment the demo can run: spec flags for alice, how its
// inputs are drawn on the page, and the speed it starts at.
type Scene struct {
	Name    string        `json:"name"`
	Title   string        `json:"title"`
	Blurb   string        `json:"blurb"`   // one sentence under the title
	Picture string        `json:"picture"` // digits (8×8 image), strip (a vector), number (one integer), keys (the coupon keys seen)
	Pace    time.Duration `json:"-"`       // time per example it starts at
	PaceMS  float64       `json:"pace_ms"`
	Data    string        `json:"data,omitempty"` // a file it needs in the data folder
	// Available is false when the data file was not found.
	Available bool `json:"available"`
	args      func(dataDir string) []string
	// pictures, if set, returns the inputs as they should be drawn, by
	// example index, for a run that started as start says (the digits
	// are coded standardized, and drawn from their raw pixels).
	pictures func(dataDir string, start *events.Event) (func(i int64) []float64, error)
}

// Args returns alice's spec flags for the scene.
func (s Scene) Args(dataDir string) []string { return s.args(dataDir) }

// scenes are the built-in scenes, in the order the page lists them.
func scenes() []Scene {
	return []Scene{
		{
			Name:    "digits",
			Title:   "Handwritten digits",
			Blurb:   "UCI 8×8 digits (1797 images), softmax regression learning online, one label at a time.",
			Picture: "digits",
			Pace:    10 * time.Millisecond,
			Data:    "digits.csv.gz",
			args: func(dir string) []string {
				return []string{"--data", filepath.Join(dir, "digits.csv.gz"), "--shuffle", "1", "--standardize",
					"--lr", "0.01", "--batch", "1", "--checkpoint-every", "100"}
			},
			pictures: rawRows("digits.csv.gz", 1),
		},
		{
			Name:    "teacher",
			Title:   "Linear teacher",
			Blurb:   "16 random numbers per example, labelled by a hidden linear rule over 10 classes; softmax regression.",
			Picture: "strip",
			Pace:    5 * time.Millisecond,
			args: func(string) []string {
				return []string{"--n", "2000", "--test", "1000", "--checkpoint-every", "200"}
			},
		},
		{
			Name:    "hypothesis",
			Title:   "Hypothesis collapse",
			Blurb:   "y = (x + j) mod 64 for one hidden j of 64: the first label costs log₂64 = 6 bits and names the rule; the rest cost almost nothing (so little that the coder's closing bytes show in the coded total).",
			Picture: "number",
			Pace:    120 * time.Millisecond,
			args: func(string) []string {
				return []string{"--task", "hypothesis", "--model", "hypothesis", "--classes", "64", "--hypotheses", "64",
					"--model-noise", "0.01", "--batch", "1", "--n", "100", "--test", "50", "--checkpoint-every", "10"}
			},
		},
		{
			Name:    "coupon",
			Title:   "Coupon collector",
			Blurb:   "50 keys, each with a hidden value among 16: a key costs about 4 bits the first time it is seen and little after.",
			Picture: "keys",
			Pace:    30 * time.Millisecond,
			args: func(string) []string {
				return []string{"--task", "coupon", "--model", "table", "--alpha", "0.1", "--keys", "50", "--classes", "16",
					"--batch", "1", "--n", "300", "--test", "300", "--checkpoint-every", "30"}
			},
		},
	}
}

// sceneList returns the scenes with Available set for dataDir.
func sceneList(dataDir string) []Scene {
	list := scenes()
	for i := range list {
		s := &list[i]
		s.PaceMS = float64(s.Pace) / float64(time.Millisecond)
		s.Available = s.Data == ""
		if s.Data != "" && dataDir != "" {
			if _, err := os.Stat(filepath.Join(dataDir, s.Data)); err == nil {
				s.Available = true
			}
		}
	}
	return list
}

func findScene(list []Scene, name string) (Scene, bool) {
	for _, s := range list {
		if s.Name == name {
			return s, true
		}
	}
	return Scene{}, false
}

// rawRows returns the rows of a file scene's dataset as written (before
// --standardize), in the order the spec codes them: the order comes from
// the task package itself, so the pictures are exactly the coded examples.
func rawRows(name string, shuffleSeed uint64) func(string, *events.Event) (func(int64) []float64, error) {
	return func(dir string, start *events.Event) (func(int64) []float64, error) {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		t, err := task.ReadTable(f, name, "", false)
		if err != nil {
			return nil, err
		}
		sp := spec.Default()
		sp.Task, sp.DataName, sp.DataSHA256, sp.Dim = spec.TaskFile, name, t.InputsSHA256(), int64(t.Features)
		sp.Shuffle, sp.ShuffleSeed = true, shuffleSeed
		sp.N, sp.Validation, sp.Test = start.N, start.Validation, start.Test
		in, err := task.NewFileInputs(sp, t)
		if err != nil {
			return nil, fmt.Errorf("pictures of %s: %w", name, err)
		}
		n, v := start.N, start.Validation
		return func(i int64) []float64 {
			switch {
			case i < 0:
				return nil
			case i < n:
				return in.Train.Row(int(i))
			case i < n+v:
				return in.Valid.Row(int(i - n))
			case i-n-v < int64(in.Test.Rows):
				return in.Test.Row(int(i - n - v))
			}
			return nil
		}, nil
	}
}
