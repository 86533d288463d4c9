package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/edlwire/edlwire/shared/experiment"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/report"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// Blier & Ollivier (2018), MNIST, 60 000 training labels: their published
// code lengths in bits.
const (
	paperPrequentialBits = 4100
	paperVariationalBits = 22200
)

// mnistRange is the code length of one range of training labels.
type mnistRange struct {
	From          int64   `json:"from"` // first label, 0-based
	To            int64   `json:"to"`   // one past the last
	QuantizedBits float64 `json:"quantized_bits"`
	BitsPerLabel  float64 `json:"bits_per_label"`
}

// mnistBlock is one block of the blockwise code as edl mnist reports it:
// the figures both sides compute (report.Block), Alice's stream bytes
// across the block, her training time and the block model's test
// accuracy.
type mnistBlock struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
	// CodedBits is 8 × the stream bytes Alice produced while coding the
	// block (the coder's few bytes of lag move bits between neighbours).
	CodedBits     int64   `json:"coded_bits"`
	IdealBits     float64 `json:"ideal_bits"`
	QuantizedBits float64 `json:"quantized_ideal_bits"`
	TrainSeconds  float64 `json:"train_seconds"` // Alice's wall time to train the block's model (0: the uniform first block)
	TrainExamples int64   `json:"train_examples"`
	ValidExamples int64   `json:"valid_examples"`
	Epochs        int64   `json:"epochs"`
	BestEpoch     int64   `json:"best_epoch"`
	LRDrops       int64   `json:"lr_drops"` // --block-lr-drop: times the rate dropped on a plateau
	ValidLossBits float64 `json:"valid_loss_bits"`
	ValidAccuracy float64 `json:"valid_accuracy"`
	Temperature   float64 `json:"temperature"`   // 1 without --block-calibrate, 0 for the uniform block
	MixWeight     float64 `json:"mix_weight"`    // --block-mix: the block model's posterior weight at the block's end
	TestAccuracy  float64 `json:"test_accuracy"` // of the block's model on the test images (0.1-ish for the uniform block: its argmax is class 0)
}

// mnistResult is edl mnist's JSON line.
type mnistResult struct {
	Event     string `json:"event"`
	Transport string `json:"transport"` // "grpc" (a separate bob process on loopback) or "in-process"
	Code      string `json:"code"`      // "blockwise" or "per-example"
	SpecHash  string `json:"spec_hash"`
	N         int64  `json:"n"`
	Test      int64  `json:"test"`
	Params    int64  `json:"params"`
	CodedBits int64  `json:"coded_bits"` // the training pass's payload bytes × 8, decoded by Bob
	// HeldOutBits are the test labels' bytes × 8, coded after the pass
	// against the final model so Bob verifies its test loss; not the MDL.
	HeldOutBits     int64        `json:"heldout_bits"`
	IdealBits       float64      `json:"ideal_bits"`
	QuantizedBits   float64      `json:"quantized_ideal_bits"`
	UniformBits     float64      `json:"uniform_bits"`
	WireBytes       int64        `json:"wire_bytes,omitempty"` // gRPC message bytes, both ways (grpc transport)
	TCPBytes        int64        `json:"tcp_bytes,omitempty"`
	PayloadBytes    int64        `json:"payload_bytes"`
	TestAccuracy    float64      `json:"test_accuracy"`
	TestLossBits    float64      `json:"test_loss_bits"`
	Blocks          []mnistBlock `json:"blocks,omitempty"`
	Ranges          []mnistRange `json:"ranges"`
	BobVerified     bool         `json:"bob_verified"`
	BobFingerprint  string       `json:"bob_fingerprint,omitempty"`
	Checkpoints     int64        `json:"checkpoints_matched"`
	ElapsedSeconds  float64      `json:"elapsed_seconds"`
	PaperPreqBits   float64      `json:"paper_prequential_bits_60000"`
	PaperVarBits    float64      `json:"paper_variational_bits_60000"`
	PaperUniformBit float64      `json:"paper_uniform_bits_60000"`
	Plot            []string     `json:"plot,omitempty"`

	figBlocks []report.Block // the per-block figures both sides computed
}

// mnistBounds are the ends of the reported label ranges: powers of ten,
// then thousands.
var mnistBounds = []int64{10, 100, 1000, 2000, 5000, 10000, 20000, 30000, 40000, 50000, 60000}

// cmdMnist codes MNIST training labels with a small cnn and reports the
// code length beside Blier & Ollivier's published figures: by default
// with their blockwise code (blocks doubling from --blocks), Alice in this
// process and Bob as a separate bob process over gRPC on loopback.
func cmdMnist(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edl mnist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "the first 10 000 labels (sets --n 10000)")
	n := fs.Int64("n", spec.MNISTTrain, "training labels to code, in canonical order")
	test := fs.Int64("test", spec.MNISTTest, "test images for the final model's accuracy and loss")
	lr := fs.Float64("lr", 0.001, "adam learning rate")
	batch := fs.Int64("batch", 0, "minibatch size (0: 16 with --blocks, 1 without)")
	conv := fs.String("conv", "16,32", "cnn: output channels of each convolution")
	kernel := fs.Int64("kernel", 3, "cnn: odd kernel side")
	hidden := fs.String("hidden", "128", "cnn: dense hidden widths after the convolutions (\"\" for none)")
	first := fs.Int64("blocks", 64, "blockwise code: the first block end; the others double it up to n (0: the per-example code)")
	epochs := fs.Int64("block-epochs", 30, "blockwise code: epochs per block, at most")
	patience := fs.Int64("block-patience", 5, "blockwise code: epochs without a validation improvement before a block stops")
	valid := fs.Int64("block-valid", 10, "blockwise code: every this-many-th decoded example validates")
	warm := fs.Bool("block-warm", false, "blockwise code: start each block from the previous block's model")
	calibrate := fs.Bool("block-calibrate", false, "blockwise code: temper each block model with the temperature that minimizes its validation loss")
	mix := fs.Bool("block-mix", false, "blockwise code: code each block with the Bayesian mixture of its model and the previous block's")
	augment := fs.Int64("block-augment", 2, "blockwise code: shift each training image of a block by up to this many pixels in each direction (seeded)")
	decay := fs.Float64("block-lr-decay", 0, "blockwise code: multiply the learning rate by this factor after each epoch (0: constant)")
	drop := fs.Float64("block-lr-drop", 0.1, "blockwise code: on a plateau, go back to the best epoch and on at the rate times this factor while the last rate still improved (0: stop)")
	ensemble := fs.Int64("block-ensemble", 2, "blockwise code: models per block, each from its own seed, coding with the mean of their distributions (0 or 1: one)")
	ends := fs.String("block-ends", "", "blockwise code: the block ends, comma-separated, instead of doubling from --blocks")
	shuffle := fs.Int64("shuffle", -1, "code the training images in the order seeded by this number (default: canonical order)")
	inProcess := fs.Bool("in-process", false, "Bob in this process, through the verified in-memory pipe, instead of a bob process over gRPC")
	bin := fs.String("bin", "", "folder holding the bob binary (default: beside edl, else built from the source, else PATH)")
	segment := fs.Int("segment-bytes", 32, "gRPC transport: coded bytes per segment (small: Bob decodes, and trains, while Alice codes)")
	outDir := fs.String("out", "", "folder for mnist.json and the cumulative code-length plot (PNG and SVG)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines per side (changes speed, never results)")
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
	if *first > 0 {
		if s.Batch == 0 {
			s.Batch = 16
		}
		s.Blocks = spec.DoublingBlocks(*first, s.N)
		if *ends != "" {
			if s.Blocks, err = spec.ParseInts(*ends); err != nil {
				fmt.Fprintln(stderr, "edl mnist: --block-ends:", err)
				return 2
			}
		}
		s.BlockEpochs, s.BlockPatience, s.BlockValid, s.BlockWarm, s.BlockCalibrate = *epochs, *patience, *valid, *warm, *calibrate
		s.BlockMix, s.BlockAugment, s.BlockLRDecay, s.BlockEnsemble, s.BlockLRDrop = *mix, *augment, *decay, *ensemble, *drop
		if (*warm || *calibrate || *mix) && !flagSet(fs, "block-ensemble") {
			s.BlockEnsemble = 0 // they act on one model; the default ensemble gives way
		}
	} else if s.Batch == 0 {
		s.Batch = 1
	}
	if *shuffle >= 0 {
		s.Shuffle, s.ShuffleSeed = true, uint64(*shuffle)
	}
	if err := s.Validate(); err != nil {
		fmt.Fprintln(stderr, "edl mnist:", err)
		return 2
	}
	start := time.Now()
	in, labels, err := task.Build(s, nil, nil)
	if err != nil {
		fmt.Fprintln(stderr, "edl mnist:", err)
		return 1
	}
	obs := newMnistObserver(s, labels, max(1, *workers))
	prog := newProgress(io.Discard, "edl mnist")
	if !*quiet {
		prog = newProgress(stderr, "edl mnist")
	}
	var res *mnistResult
	if *inProcess {
		res, err = mnistInProcess(s, in, labels, obs, max(1, *workers), prog)
	} else {
		res, err = mnistOverGRPC(s, obs, mnistGRPC{bin: *bin, segment: *segment, workers: max(1, *workers), quiet: *quiet}, prog, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "edl mnist:", err)
		return 1
	}
	res.ElapsedSeconds = time.Since(start).Seconds()
	obs.finish(res)
	if *outDir != "" {
		if res.Plot, err = mnistPlot(res, obs.cumulative(), *outDir); err == nil {
			err = writeJSON(filepath.Join(*outDir, "mnist.json"), res)
		}
		if err != nil {
			fmt.Fprintln(stderr, "edl mnist:", err)
			return 1
		}
	}
	printMnist(stderr, res)
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintln(stderr, "edl mnist:", err)
		return 1
	}
	return 0
}

// mnistInProcess runs Bob in this process, through transmit.Pipe.
func mnistInProcess(s spec.Spec, in *task.Inputs, labels *task.Labels, obs *mnistObserver, workers int, prog *progress) (*mnistResult, error) {
	opts := prequential.Options{Workers: workers, HeldOut: true}
	a, err := prequential.NewWithOptions(s, in, opts)
	if err != nil {
		return nil, err
	}
	b, err := prequential.NewWithOptions(s, in, opts)
	if err != nil {
		return nil, err
	}
	obs.Start(s, in)
	hooks := transmit.PipeHooks{
		Progress: func(done, total int64) { prog.Update(int(done), int(total)) },
		Example: func(ex transmit.Example) {
			obs.Example(ex.Index, ex.Label, ex.Freqs, ex.Bytes)
			if blk, m, ok := a.BlockBegun(); ok {
				obs.Block(blk, m)
			}
		},
	}
	p, err := transmit.Pipe(a, b, labels, hooks)
	if err != nil {
		return nil, err
	}
	f := p.Figures
	h := s.Hash()
	res := &mnistResult{
		Transport: "in-process", SpecHash: fmt.Sprintf("%x", h[:]),
		CodedBits: 8 * f.MDLBytes, HeldOutBits: f.HeldOutBits(), PayloadBytes: f.PayloadBytes,
		IdealBits: f.IdealBits, QuantizedBits: f.QuantizedIdealBits, TestLossBits: f.TestLossBits,
		// Pipe returns only once Bob decoded every label and his figures
		// (per-block ones included) and checkpoints equal Alice's to the bit.
		BobVerified: true, BobFingerprint: fmt.Sprintf("%x", f.Final.Fingerprint[:]), Checkpoints: p.CheckpointsMatched,
		figBlocks: report.Blocks(f.Blocks),
	}
	res.TestAccuracy = accuracy(a.Model(), &in.Test, labels.Test, workers)
	return res, nil
}

// accuracy is m's share of rows of x whose label has the largest
// probability (the first, on ties).
func accuracy(m model.Model, x *task.Matrix, labels []int, workers int) float64 {
	if x.Rows == 0 {
		return 0
	}
	const batch = 100
	probs := make([][]float64, batch)
	xs := make([][]float64, batch)
	for i := range probs {
		probs[i] = make([]float64, m.NumClasses())
	}
	d, diff := m.(model.Differentiable)
	if diff {
		d.SetWorkers(workers)
	}
	right := 0
	for start := 0; start < x.Rows; start += batch {
		rows := min(batch, x.Rows-start)
		for j := range rows {
			xs[j] = x.Row(start + j)
			if !diff {
				m.Probs(probs[j], xs[j])
			}
		}
		if diff {
			d.Forward(probs[:rows], xs[:rows])
		}
		for j := range rows {
			p := probs[j]
			top := 0
			for k, v := range p {
				if v > p[top] {
					top = k
				}
			}
			if top == labels[start+j] {
				right++
			}
		}
	}
	return float64(right) / float64(x.Rows)
}

// mnistObserver collects what edl mnist reports as Alice codes: the code
// length by ranges and by blocks, Alice's stream bytes at block ends, her
// training time per block and each block model's test accuracy.
type mnistObserver struct {
	sp        spec.Spec
	labels    *task.Labels
	in        *task.Inputs
	workers   int
	precision float64
	ranges    []mnistRange
	cur       mnistRange
	cum       []float64 // cumulative quantized bits after each training label
	total     float64
	blocks    []mnistBlock  // Alice's side of each block, in order
	lastBytes int64         // stream bytes at the end of the previous block
	last      time.Time     // when the previous example was coded
	step      time.Duration // the last example's step, from the one before
	prog      *progress     // told every 1024 labels (the gRPC transport; the pipe has its own)
}

func newMnistObserver(sp spec.Spec, labels *task.Labels, workers int) *mnistObserver {
	o := &mnistObserver{sp: sp, labels: labels, workers: workers, precision: float64(int64(1) << sp.Precision)}
	if len(sp.Blocks) > 0 {
		o.blocks = []mnistBlock{{From: 0, To: sp.Blocks[0], TestAccuracy: 0}}
	}
	return o
}

func (o *mnistObserver) Start(sp spec.Spec, in *task.Inputs) {
	o.in, o.last = in, time.Now()
	if len(o.blocks) > 0 {
		// The uniform block's "model" predicts class 0 (the first of
		// equal probabilities) for every image.
		right := 0
		for _, y := range o.labels.Test[:in.Test.Rows] {
			if y == 0 {
				right++
			}
		}
		o.blocks[0].TestAccuracy = float64(right) / float64(max(1, in.Test.Rows))
	}
}

func (o *mnistObserver) Example(i int64, label int, freqs []uint32, bytes int64) {
	if o.prog != nil && (i%1024 == 0 || i+1 == o.sp.N+o.sp.Test) {
		o.prog.Update(int(i+1), int(o.sp.N+o.sp.Test))
	}
	if i >= o.sp.N {
		return
	}
	bits := -math.Log2(float64(freqs[label]) / o.precision)
	o.total += bits
	o.cum = append(o.cum, o.total)
	o.cur.QuantizedBits += bits
	end := i + 1
	if end == o.sp.N || isBound(end) {
		o.cur.To = end
		o.cur.BitsPerLabel = o.cur.QuantizedBits / float64(o.cur.To-o.cur.From)
		o.ranges = append(o.ranges, o.cur)
		o.cur = mnistRange{From: end}
	}
	if k := len(o.blocks) - 1; k >= 0 && o.blocks[k].To == end {
		o.blocks[k].CodedBits = 8 * (bytes - o.lastBytes)
		o.lastBytes = bytes
	}
	// A step's wall time: the one that ends a block also trains the next
	// block's model (Block reads it).
	now := time.Now()
	o.step, o.last = now.Sub(o.last), now
}

func (o *mnistObserver) Checkpoint(prequential.Checkpoint) {}

// Block is told each block model right after it is trained (before the
// Example call of the label that ended the previous block returns).
func (o *mnistObserver) Block(b prequential.Block, m model.Model) {
	o.blocks = append(o.blocks, mnistBlock{From: b.From, To: b.To, TrainSeconds: o.step.Seconds(),
		TestAccuracy: accuracy(m, &o.in.Test, o.labels.Test, o.workers)})
	o.last = time.Now() // the evaluation is not the next step's
}

// finish merges the observer's figures into res, with the per-block
// figures both sides computed (blocks, in order).
func (o *mnistObserver) finish(res *mnistResult) {
	h := o.sp.Hash()
	res.Event, res.Code, res.SpecHash, res.N, res.Test, res.Params = "mnist", "per-example", fmt.Sprintf("%x", h[:]), o.sp.N, o.sp.Test, o.sp.NumParams()
	res.UniformBits = float64(o.sp.N) * math.Log2(10)
	res.PaperPreqBits, res.PaperVarBits, res.PaperUniformBit = paperPrequentialBits, paperVariationalBits, spec.MNISTTrain*math.Log2(10)
	res.Ranges = o.ranges
	if len(o.sp.Blocks) > 0 {
		res.Code = "blockwise"
		res.Blocks = o.blocks
		for i := range min(len(res.Blocks), len(res.figBlocks)) {
			b, f := &res.Blocks[i], res.figBlocks[i]
			b.IdealBits, b.QuantizedBits, b.TrainExamples, b.ValidExamples = f.IdealBits, f.QuantizedBits, f.TrainExamples, f.ValidExamples
			b.Epochs, b.BestEpoch, b.ValidLossBits, b.ValidAccuracy, b.Temperature = f.Epochs, f.BestEpoch, f.ValidLossBits, f.ValidAccuracy, f.Temperature
			b.MixWeight, b.LRDrops = f.MixWeight, f.LRDrops
		}
	}
}

// cumulative is the cumulative quantized code length after each label.
func (o *mnistObserver) cumulative() []float64 { return o.cum }

func printMnist(w io.Writer, res *mnistResult) {
	fmt.Fprintf(w, "edl mnist: %s code, %s: n=%d coded %d bits (ideal %.1f, quantized %.1f; uniform %.0f), test accuracy %.4f, bob verified %v, %.0fs\n",
		res.Code, res.Transport, res.N, res.CodedBits, res.IdealBits, res.QuantizedBits, res.UniformBits, res.TestAccuracy, res.BobVerified, res.ElapsedSeconds)
	if res.WireBytes > 0 {
		fmt.Fprintf(w, "  wire: %d payload bytes (%d of them held-out test labels), %d gRPC bytes, %d TCP bytes\n", res.PayloadBytes, res.HeldOutBits/8, res.WireBytes, res.TCPBytes)
	}
	if len(res.Blocks) > 0 {
		fmt.Fprintf(w, "  %-15s %8s %9s %9s %7s %6s %4s %9s %7s %5s %7s\n", "block", "coded", "ideal", "bits/lab", "train s", "epoch", "drop", "valid b", "v acc", "T", "t acc")
		for _, b := range res.Blocks {
			fmt.Fprintf(w, "  [%5d, %5d) %8d %9.1f %9.4f %7.1f %3d/%-2d %4d %9.4f %7.4f %5.2f %7.4f\n", b.From, b.To, b.CodedBits, b.IdealBits,
				b.QuantizedBits/float64(b.To-b.From), b.TrainSeconds, b.BestEpoch, b.Epochs, b.LRDrops, b.ValidLossBits, b.ValidAccuracy, b.Temperature, b.TestAccuracy)
		}
	}
	for _, r := range res.Ranges {
		fmt.Fprintf(w, "  labels [%6d, %6d): %9.1f bits, %.4f bits/label\n", r.From, r.To, r.QuantizedBits, r.BitsPerLabel)
	}
}

func isBound(end int64) bool {
	for _, b := range mnistBounds {
		if b == end {
			return true
		}
	}
	return false
}

// mnistPlot draws the cumulative code length against the number of labels
// (both axes logarithmic): ours label by label (quantized ideal), the coded
// bytes at each block end, the uniform code, and Blier & Ollivier's
// published totals for the 60 000 labels.
func mnistPlot(res *mnistResult, cum []float64, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("edl mnist: %w", err)
	}
	var x, y []float64
	for i, v := range cum {
		// Every label up to 100, then about 400 points per decade.
		if i < 100 || i%max(1, (i+1)/400) == 0 || i == len(cum)-1 {
			x, y = append(x, float64(i+1)), append(y, v)
		}
	}
	ss := []experiment.Series{{Name: fmt.Sprintf("edlwire, %s cnn (quantized ideal)", res.Code), X: x, Y: y}}
	if len(res.Blocks) > 0 {
		var bx, by []float64
		var total float64
		for _, b := range res.Blocks {
			total += float64(b.CodedBits)
			bx, by = append(bx, float64(b.To)), append(by, total)
		}
		ss = append(ss, experiment.Series{Name: "coded on the wire, at block ends", Key: ss[0].Name, X: bx, Y: by, Points: true, Dashed: true})
	}
	n := float64(max(res.N, spec.MNISTTrain))
	ss = append(ss,
		experiment.Series{Name: "uniform, n·log₂10", X: []float64{1, n}, Y: []float64{math.Log2(10), n * math.Log2(10)}, Dashed: true, Reference: true},
		experiment.Series{Name: "Blier & Ollivier: prequential 4.10 kbits", X: []float64{spec.MNISTTrain}, Y: []float64{paperPrequentialBits}, Points: true},
		experiment.Series{Name: "Blier & Ollivier: variational 22.2 kbits", X: []float64{spec.MNISTTrain}, Y: []float64{paperVariationalBits}, Points: true},
	)
	return drawFigure(experiment.Figure{Name: "mnist_cumulative", Title: "MNIST labels: cumulative code length",
		XLabel: "labels coded", YLabel: "bits", LogX: true, LogY: true, Series: ss}, dir)
}

// flagSet reports whether the command line set the flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
