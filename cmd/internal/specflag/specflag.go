// Package specflag registers the experiment-spec flags shared by alice and
// edl, so both accept the same spec the same way.
package specflag

import (
	"flag"

	"github.com/edlwire/edlwire/shared/spec"
)

// Register adds the spec flags to fs, with defaults from spec.Default, and
// returns the spec they fill in when fs is parsed.
func Register(fs *flag.FlagSet) *spec.Spec {
	s := spec.Default()
	fs.StringVar(&s.Task, "task", s.Task, "built-in task: synthetic")
	fs.Uint64Var(&s.Seed, "seed", s.Seed, "root seed of every random stream (inputs, teacher, noise, init)")
	fs.Int64Var(&s.N, "n", s.N, "training examples, coded in order")
	fs.Int64Var(&s.Test, "test", s.Test, "held-out test examples for the test loss")
	fs.Int64Var(&s.Classes, "classes", s.Classes, "number of classes K")
	fs.Int64Var(&s.Dim, "dim", s.Dim, "input dimension")
	fs.Float64Var(&s.Noise, "noise", s.Noise, "probability that a label is replaced by a uniform draw")
	fs.BoolVar(&s.RandomLabels, "random-labels", s.RandomLabels, "draw every label uniformly (control: nothing to learn)")
	fs.StringVar(&s.Model, "model", s.Model, "model: softmax, mlp, kt or laplace")
	fs.Func("hidden", "mlp hidden layer widths, comma-separated (e.g. 64 or 512,512)", func(v string) error {
		h, err := spec.ParseInts(v)
		s.Hidden = h
		return err
	})
	fs.StringVar(&s.Activation, "activation", s.Activation, "mlp hidden activation: relu or tanh")
	fs.StringVar(&s.Init, "init", s.Init, "initialization: zeros or normal")
	fs.Float64Var(&s.InitScale, "init-scale", s.InitScale, "standard deviation of --init normal")
	fs.StringVar(&s.Optimizer, "optimizer", s.Optimizer, "optimizer: sgd")
	fs.Float64Var(&s.LR, "lr", s.LR, "constant learning rate")
	fs.Int64Var(&s.Batch, "batch", s.Batch, "minibatch size (every example of a batch is coded before its update)")
	fs.Int64Var(&s.CheckpointEvery, "checkpoint-every", s.CheckpointEvery, "Bob proves sync with a fingerprint every this many examples")
	fs.Int64Var(&s.Precision, "precision", s.Precision, "coder frequency precision in bits (8..24)")
	return &s
}
