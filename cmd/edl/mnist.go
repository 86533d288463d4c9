package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"time"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// mnistRange is the code length of one range of training labels.
type mnistRange struct {
	From          int64   `json:"from"` // first label, 0-based
	To            int64   `json:"to"`   // one past the last
	QuantizedBits float64 `json:"quantized_bits"`
	BitsPerLabel  float64 `json:"bits_per_label"`
}

// mnistResult is edl mnist's JSON line.
type mnistResult struct {
	Event           string       `json:"event"`
	SpecHash        string       `json:"spec_hash"`
	N               int64        `json:"n"`
	Test            int64        `json:"test"`
	Params          int64        `json:"params"`
	CodedBits       int64        `json:"coded_bits"` // the training pass's payload bytes × 8
	IdealBits       float64      `json:"ideal_bits"`
	QuantizedBits   float64      `json:"quantized_ideal_bits"`
	UniformBits     float64      `json:"uniform_bits"`
	TestAccuracy    float64      `json:"test_accuracy"`
	TestLossBits    float64      `json:"test_loss_bits"`
	Ranges          []mnistRange `json:"ranges"`
	BobVerified     bool         `json:"bob_verified"`
	Checkpoints     int64        `json:"checkpoints_matched"`
	ElapsedSeconds  float64      `json:"elapsed_seconds"`
	PaperPreqBits   float64      `json:"paper_prequential_bits_60000"`
	PaperVarBits    float64      `json:"paper_variational_bits_60000"`
	PaperUniformBit float64      `json:"paper_uniform_bits_60000"`
}

// mnistBounds are the ends of the reported label ranges: the first block
// boundaries of Blier & Ollivier's blockwise code, then thousands.
var mnistBounds = []int64{10, 100, 1000, 2000, 5000, 10000, 20000, 30000, 40000, 50000, 60000}

// cmdMnist codes MNIST training labels with a small cnn, trained online
// one minibatch at a time (the per-example prequential code), through the
// in-memory Sender→Receiver pipe, and reports the code length by ranges,
// test accuracy and wall time beside Blier & Ollivier's published figures.
// It is not their blockwise code: see docs/experiments/mnist.md.
func cmdMnist(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edl mnist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "the first 10 000 labels (sets --n 10000)")
	n := fs.Int64("n", spec.MNISTTrain, "training labels to code, in canonical order")
	test := fs.Int64("test", spec.MNISTTest, "test images for θ*'s accuracy and loss")
	lr := fs.Float64("lr", 0.001, "adam learning rate")
	batch := fs.Int64("batch", 1, "minibatch size")
	conv := fs.String("conv", "8,16", "cnn: output channels of each convolution")
	kernel := fs.Int64("kernel", 5, "cnn: odd kernel side")
	hidden := fs.String("hidden", "64", "cnn: dense hidden widths after the convolutions (\"\" for none)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines (changes speed, never results)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "edl mnist: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *quick {
		*n = 10000
	}
	s := spec.Default()
	s.Task, s.Dim, s.Classes, s.N, s.Test = spec.TaskMNIST, spec.MNISTSide*spec.MNISTSide, 10, *n, *test
	s.Model, s.Kernel, s.Activation = spec.ModelCNN, *kernel, spec.ActReLU
	var err error
	if s.Conv, err = spec.ParseInts(*conv); err == nil {
		s.Hidden, err = spec.ParseInts(*hidden)
	}
	if err != nil {
		fmt.Fprintln(stderr, "edl mnist:", err)
		return 2
	}
	s.Init, s.InitScale = spec.InitNormal, 1
	s.Optimizer, s.LR, s.Batch = spec.OptimizerAdam, *lr, *batch
	s.Beta1, s.Beta2, s.AdamEps = 0.9, 0.999, 1e-8
	if err := s.Validate(); err != nil {
		fmt.Fprintln(stderr, "edl mnist:", err)
		return 2
	}
	res, err := runMnist(s, *workers, *quiet, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "edl mnist:", err)
		return 1
	}
	fmt.Fprintf(stderr, "edl mnist: n=%d coded %d bits (ideal %.1f, quantized %.1f; uniform %.0f), test accuracy %.4f, bob verified %v, %.0fs\n",
		res.N, res.CodedBits, res.IdealBits, res.QuantizedBits, res.UniformBits, res.TestAccuracy, res.BobVerified, res.ElapsedSeconds)
	for _, r := range res.Ranges {
		fmt.Fprintf(stderr, "  labels [%6d, %6d): %9.1f bits, %.4f bits/label\n", r.From, r.To, r.QuantizedBits, r.BitsPerLabel)
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintln(stderr, "edl mnist:", err)
		return 1
	}
	return 0
}

func runMnist(s spec.Spec, workers int, quiet bool, stderr io.Writer) (*mnistResult, error) {
	start := time.Now()
	in, labels, err := task.Build(s, nil, nil)
	if err != nil {
		return nil, err
	}
	opts := prequential.Options{Workers: max(1, workers), HeldOut: true}
	a, err := prequential.NewWithOptions(s, in, opts)
	if err != nil {
		return nil, err
	}
	b, err := prequential.NewWithOptions(s, in, opts)
	if err != nil {
		return nil, err
	}
	prog := newProgress(io.Discard, "edl mnist")
	if !quiet {
		prog = newProgress(stderr, "edl mnist")
	}
	// Per-range quantized code lengths from the frequencies each training
	// label was coded against.
	var ranges []mnistRange
	var cur mnistRange
	precision := float64(int64(1) << s.Precision)
	hooks := transmit.PipeHooks{
		Progress: func(done, total int64) { prog.Update(int(done), int(total)) },
		Example: func(ex transmit.Example) {
			if ex.Index >= s.N {
				return
			}
			cur.QuantizedBits -= math.Log2(float64(ex.Freqs[ex.Label]) / precision)
			if end := ex.Index + 1; end == s.N || isBound(end) {
				cur.To = end
				cur.BitsPerLabel = cur.QuantizedBits / float64(cur.To-cur.From)
				ranges = append(ranges, cur)
				cur = mnistRange{From: end}
			}
		},
	}
	p, err := transmit.Pipe(a, b, labels, hooks)
	if err != nil {
		return nil, err
	}
	// θ* is the model after the pass (no epochs): its test accuracy.
	m := a.Model()
	probs := make([]float64, m.NumClasses())
	right := 0
	for i := 0; i < in.Test.Rows; i++ {
		m.Probs(probs, in.Test.Row(i))
		best := 0
		for k, v := range probs {
			if v > probs[best] {
				best = k
			}
		}
		if best == labels.Test[i] {
			right++
		}
	}
	h := s.Hash()
	f := p.Figures
	return &mnistResult{
		Event: "mnist", SpecHash: fmt.Sprintf("%x", h[:]), N: s.N, Test: s.Test, Params: s.NumParams(),
		CodedBits: 8 * f.MDLBytes, IdealBits: f.IdealBits, QuantizedBits: f.QuantizedIdealBits,
		UniformBits:  float64(s.N) * math.Log2(10),
		TestAccuracy: float64(right) / float64(max(1, in.Test.Rows)), TestLossBits: f.TestLossBits,
		// Pipe returns only once Bob decoded every label and his figures
		// and checkpoints equal Alice's to the bit.
		Ranges: ranges, BobVerified: true, Checkpoints: p.CheckpointsMatched,
		ElapsedSeconds: time.Since(start).Seconds(),
		PaperPreqBits:  4100, PaperVarBits: 22200, PaperUniformBit: 60000 * math.Log2(10),
	}, nil
}

func isBound(end int64) bool {
	for _, b := range mnistBounds {
		if b == end {
			return true
		}
	}
	return false
}
