// Package specflag registers the experiment-spec flags shared by alice and
// edl, so both accept the same spec the same way.
//
// Some flags bring defaults for others: --optimizer adamw sets β1, β2, ε
// and the weight decay to AdamW's usual values, --task coupon sets --dim 1,
// and so on. A flag the user gave explicitly is never overwritten, whatever
// the order on the command line, so the spec always records resolved values
// and its hash means one thing.
package specflag

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/edlwire/edlwire/shared/spec"
)

// tracked marks its flag as given when it is set on the command line.
type tracked struct {
	flag.Value
	name string
	set  map[string]bool
	then func() // runs after a successful Set
}

// String guards the zero tracked the flag package builds to find out
// whether a default is the zero value (for --help); it has no Value.
func (t *tracked) String() string {
	if t == nil || t.Value == nil {
		return ""
	}
	return t.Value.String()
}

// Unwrap gives the wrapped value (cliusage names the kind of value a flag
// takes from it).
func (t *tracked) Unwrap() flag.Value { return t.Value }

func (t *tracked) Set(v string) error {
	if err := t.Value.Set(v); err != nil {
		return err
	}
	t.set[t.name] = true
	if t.then != nil {
		t.then()
	}
	return nil
}

// zeroDefault reports whether a flag's default is its type's zero value,
// which --help leaves unprinted.
func zeroDefault(v string) bool { return v == "" || v == "0" || v == "false" }

// Default hyperparameters the optimizer, model and task flags bring.
const (
	defaultMomentumBeta = 0.9
	defaultBeta1        = 0.9
	defaultBeta2        = 0.999
	defaultAdamEps      = 1e-8
	defaultWeightDecay  = 0.01
	defaultAlpha        = 0.5 // the table model: KT per key
	defaultPatience     = 5
	defaultEmbed        = 16  // the tokens model
	defaultNotations    = 4   // the tagged and untagged notations
	defaultRank         = 4   // the lora adapter
	defaultFormatVocab  = 256 // the format task: --classes
	defaultFormatKeys   = 64  // the format task: --keys
	defaultAnswers      = 8   // the format task: --answers
)

// defaultConv and defaultKernel are the cnn's LeNet-like default layers.
var defaultConv = []int64{8, 16}

const defaultKernel = 5

// The blockwise code's defaults once --blocks is given.
const (
	defaultBlockEpochs   = 10
	defaultBlockPatience = 3
	defaultBlockValid    = 10
)

// baseFlag is --base FILE: it reads the checkpoint to fill base_sha256 and
// base_name; the command reads the file again through BasePath (and the
// session checks that the bytes still hash to the spec's value).
type baseFlag struct {
	path string
	s    *spec.Spec
}

func (b *baseFlag) String() string { return b.path }

func (b *baseFlag) Set(v string) error {
	data, err := os.ReadFile(v)
	if err != nil {
		return fmt.Errorf("base checkpoint: %w", err)
	}
	h := sha256.Sum256(data)
	b.path, b.s.Base, b.s.BaseName = v, hex.EncodeToString(h[:]), filepath.Base(v)
	return nil
}

// BasePath is the file given with --base ("" if none), for the command to
// read the base checkpoint the spec names.
func BasePath(fs *flag.FlagSet) string {
	if f := fs.Lookup("base"); f != nil {
		return f.Value.String()
	}
	return ""
}

// Register adds the spec flags to fs, with defaults from spec.Default, and
// returns the spec they fill in when fs is parsed.
func Register(fs *flag.FlagSet) *spec.Spec {
	s := spec.Default()
	set := map[string]bool{}
	// wrap makes setting the flag just defined tracked. Bool flags are not
	// wrapped: the wrapper would hide IsBoolFlag, and no default follows one.
	wrap := func(name string, then func()) {
		f := fs.Lookup(name)
		f.Value = &tracked{Value: f.Value, name: name, set: set, then: then}
		// A usage text that states its own default (one that depends on
		// other flags) gets no "(default …)" from --help. The others keep
		// theirs, except a zero one: the flag package cannot tell the
		// wrapped value's zero, so it is blanked here as --help would.
		if strings.Contains(f.Usage, "(default") || zeroDefault(f.DefValue) {
			f.DefValue = ""
		}
	}
	def := func(name string, dst *float64, v float64) {
		if !set[name] {
			*dst = v
		}
	}
	defInt := func(name string, dst *int64, v int64) {
		if !set[name] {
			*dst = v
		}
	}
	defStr := func(name string, dst *string, v string) {
		if !set[name] {
			*dst = v
		}
	}

	fs.StringVar(&s.Task, "task", s.Task, "task: "+strings.Join(spec.Tasks[:1], ", ")+", "+strings.Join(spec.Tasks[2:], ", ")+" (the file task comes with --data)")
	wrap("task", func() {
		switch s.Task {
		case spec.TaskHypothesis:
			defInt("dim", &s.Dim, 1)
		case spec.TaskCoupon:
			defInt("dim", &s.Dim, 1)
			defInt("keys", &s.Keys, 100)
		case spec.TaskParity:
			defInt("classes", &s.Classes, 2)
			defInt("parity-bits", &s.ParityBits, 3)
		case spec.TaskModular:
			defStr("op", &s.Op, spec.OpAdd)
			defStr("notation", &s.Notation, spec.NotationOneHot)
		case spec.TaskRare:
			def("rare-weight", &s.RareWeight, 0.1)
		case spec.TaskMNIST:
			defInt("classes", &s.Classes, 10)
			defInt("dim", &s.Dim, spec.MNISTSide*spec.MNISTSide)
		case spec.TaskFormat:
			defInt("classes", &s.Classes, defaultFormatVocab)
			defInt("keys", &s.Keys, defaultFormatKeys)
			defInt("answers", &s.Answers, defaultAnswers)
		}
	})
	fs.Uint64Var(&s.Seed, "seed", s.Seed, "root seed of every random stream (inputs, teacher, noise, init)")
	fs.Int64Var(&s.N, "n", s.N, "training examples, coded in order")
	fs.Int64Var(&s.Test, "test", s.Test, "held-out test examples for the test loss")
	fs.Int64Var(&s.Validation, "validation", s.Validation, "held-out validation examples for early stopping θ* (never coded nor tested)")
	fs.Int64Var(&s.Classes, "classes", s.Classes, "number of classes K (the modular task: the modulus p, or notations·p for the tagged and untagged notations; M of the hypothesis task)")
	fs.Int64Var(&s.Dim, "dim", s.Dim, "input dimension (the modular task, set for you: 2p for the onehot, permuted and answers-permuted notations, 2 for tokens and tokens-permuted, 2p + notations for tagged and untagged)")
	fs.Float64Var(&s.Noise, "noise", s.Noise, "label noise: probability that a label is replaced (synthetic: by a uniform draw; format: by one of the other answers in S; other tasks: by one of the other labels)")
	fs.BoolVar(&s.RandomLabels, "random-labels", s.RandomLabels, "draw every label uniformly (control: nothing to learn), for any task")
	fs.Int64Var(&s.Keys, "keys", s.Keys, "coupon and format tasks, table model: number of integer keys")
	fs.Int64Var(&s.Hypotheses, "hypotheses", s.Hypotheses, "hypothesis task and model: number m of hypotheses (≤ classes)")
	fs.Int64Var(&s.ParityBits, "parity-bits", s.ParityBits, "parity task: size of the hidden subset of the dim input bits")
	fs.StringVar(&s.Op, "op", s.Op, "modular task: add, sub or mul")
	fs.StringVar(&s.Notation, "notation", s.Notation, "modular task: onehot, permuted (the same skill, input symbols relabelled), tokens, tokens-permuted, answers-permuted (onehot inputs, answers in a fixed permuted alphabet), tagged (--classes = notations·p answers in --notations scripts of p symbols; onehot a, b and a tag naming the script, or no tag and any script) or untagged (no tag, answers in the last script)")
	fs.Int64Var(&s.Notations, "notations", s.Notations, "modular task, tagged and untagged notations: the number of answer scripts (default 4)")
	fs.Int64Var(&s.Answers, "answers", s.Answers, "format task: |S|, how many of the --classes symbols answers use (default 8; the task's defaults: classes 256, keys 64, dim keys one-hot, or 1 for the table model)")
	fs.Func("score", "what the scored figures count: all (default) or answers (format task: each label costs −log₂ p(y | y ∈ S), reported beside the full-code MDL and verified by Bob)", func(v string) error {
		switch v {
		case "all", "":
			s.Score = spec.ScoreAll
		case spec.ScoreAnswers:
			s.Score = spec.ScoreAnswers
		default:
			return fmt.Errorf("unknown scoring %q (known: all, answers)", v)
		}
		return nil
	})
	fs.Float64Var(&s.RareWeight, "rare-weight", s.RareWeight, "rare task: probability π of the rare region with its own rule; coupon task: total weight of keys 1..keys-1 (key 0 takes the rest; 0: uniform keys)")

	fs.StringVar(&s.Model, "model", s.Model, "model: "+strings.Join(spec.Models, ", "))
	wrap("model", func() {
		if s.Model == spec.ModelTable {
			def("alpha", &s.Alpha, defaultAlpha)
		}
		if s.Model == spec.ModelExternal {
			defInt("test", &s.Test, 0) // it codes the pass only
		}
		if s.Model == spec.ModelCNN {
			defInt("kernel", &s.Kernel, defaultKernel)
			if !set["conv"] {
				s.Conv = append([]int64(nil), defaultConv...)
			}
		} else {
			defInt("kernel", &s.Kernel, 0)
			if !set["conv"] {
				s.Conv = nil
			}
		}
	})
	fs.StringVar(&s.Predictor, "predictor-spec", "", "model external: the plugin's own model description, passed to its Init and part of the spec (JSON for the torch plugin)")
	fs.Func("hidden", "mlp hidden layer widths, comma-separated (e.g. 64 or 512,512)", func(v string) error {
		h, err := spec.ParseInts(v)
		s.Hidden = h
		return err
	})
	fs.Func("conv", "cnn model: output channels of each convolutional layer (each kernel×kernel, same padding, relu, 2×2 max-pool), comma-separated (default 8,16)", func(v string) error {
		c, err := spec.ParseInts(v)
		s.Conv = c
		set["conv"] = true
		return err
	})
	fs.Int64Var(&s.Kernel, "kernel", s.Kernel, "cnn model: the odd side of the square convolution kernels (default 5)")
	fs.StringVar(&s.Activation, "activation", s.Activation, "mlp and tokens hidden activation: relu, tanh or gelu (the tanh form)")
	fs.Int64Var(&s.Vocab, "vocab", s.Vocab, "tokens model: token alphabet size, ids in [0, vocab) (default: classes)")
	fs.Int64Var(&s.Embed, "embed", s.Embed, "tokens model: embedding width (default 16)")
	fs.StringVar(&s.Adapter, "adapter", s.Adapter, "parameter-efficient training: lora (rank --rank adapters on every dense layer of a frozen base) or sparse (--sparse-params seeded parameters train); empty: every parameter trains")
	wrap("adapter", func() {
		if s.Adapter == spec.AdapterLoRA {
			defInt("rank", &s.Rank, defaultRank)
		} else {
			defInt("rank", &s.Rank, 0)
		}
	})
	fs.Int64Var(&s.Rank, "rank", s.Rank, "lora: adapter rank r (default 4)")
	fs.Int64Var(&s.SparseParams, "sparse-params", s.SparseParams, "sparse: how many parameters train (chosen by seed)")
	fs.BoolVar(&s.ResetHead, "reset-head", false, "with --base: set the base's last dense layer (weights and bias) to zero, so the run starts uniform and learns a new output layer")
	fs.Var(&baseFlag{s: &s}, "base", "start from this pre-trained checkpoint FILE (its SHA-256 and file name go into the spec; bob finds his copy under --data-dir)")
	fs.StringVar(&s.Init, "init", s.Init, "initialization: zeros or normal")
	fs.Float64Var(&s.InitScale, "init-scale", s.InitScale, "standard deviation of --init normal")
	fs.Float64Var(&s.ModelNoise, "model-noise", s.ModelNoise, "hypothesis model: the label noise ε it assumes")
	fs.Float64Var(&s.Alpha, "alpha", s.Alpha, "table model: Dirichlet concentration per class (default 0.5)")

	fs.StringVar(&s.Optimizer, "optimizer", s.Optimizer, "optimizer: "+strings.Join(spec.Optimizers, ", "))
	wrap("optimizer", func() {
		zero := func(names ...string) {
			for _, n := range names {
				switch n {
				case "beta":
					def(n, &s.Beta, 0)
				case "beta1":
					def(n, &s.Beta1, 0)
				case "beta2":
					def(n, &s.Beta2, 0)
				case "adam-eps":
					def(n, &s.AdamEps, 0)
				case "weight-decay":
					def(n, &s.WeightDecay, 0)
				}
			}
		}
		switch s.Optimizer {
		case spec.OptimizerSGD:
			zero("beta", "beta1", "beta2", "adam-eps", "weight-decay")
		case spec.OptimizerMomentum:
			def("beta", &s.Beta, defaultMomentumBeta)
			zero("beta1", "beta2", "adam-eps", "weight-decay")
		case spec.OptimizerAdam, spec.OptimizerAdamW:
			zero("beta")
			def("beta1", &s.Beta1, defaultBeta1)
			def("beta2", &s.Beta2, defaultBeta2)
			def("adam-eps", &s.AdamEps, defaultAdamEps)
			if s.Optimizer == spec.OptimizerAdamW {
				def("weight-decay", &s.WeightDecay, defaultWeightDecay)
			} else {
				zero("weight-decay")
			}
		}
	})
	fs.Float64Var(&s.LR, "lr", s.LR, "constant learning rate")
	fs.Float64Var(&s.Beta, "beta", s.Beta, "momentum: β (default 0.9)")
	fs.Float64Var(&s.Beta1, "beta1", s.Beta1, "adam, adamw: β1 (default 0.9)")
	fs.Float64Var(&s.Beta2, "beta2", s.Beta2, "adam, adamw: β2 (default 0.999)")
	fs.Float64Var(&s.AdamEps, "adam-eps", s.AdamEps, "adam, adamw: ε (default 1e-8)")
	fs.Float64Var(&s.WeightDecay, "weight-decay", s.WeightDecay, "adamw: decoupled weight decay (default 0.01)")
	fs.Int64Var(&s.Batch, "batch", s.Batch, "minibatch size (every example of a batch is coded before its update)")
	fs.Int64Var(&s.Epochs, "epochs", s.Epochs, "θ*: further epochs over the coded examples after the pass, early-stopped on --validation (0: θ* is the model after the pass)")
	wrap("epochs", func() { defInt("patience", &s.Patience, min(defaultPatience, s.Epochs)) })
	fs.Int64Var(&s.Patience, "patience", s.Patience, "θ*: stop after this many epochs without a better validation loss (default min(5, epochs))")
	// The blockwise code (spec blocks, block_*): off unless --blocks is given.
	fs.Func("blocks", "blockwise code: the block ends t₁ < t₂ < … (each < n and a multiple of --batch), comma-separated, e.g. 64,128,256: labels before t₁ are coded with the uniform code, each later block with a model trained on every label before it (default: the per-example code)", func(v string) error {
		b, err := spec.ParseInts(v)
		s.Blocks = b
		if len(b) > 0 {
			defInt("block-epochs", &s.BlockEpochs, defaultBlockEpochs)
			defInt("block-patience", &s.BlockPatience, defaultBlockPatience)
			defInt("block-valid", &s.BlockValid, defaultBlockValid)
		}
		return err
	})
	fs.Int64Var(&s.BlockEpochs, "block-epochs", 0, "blockwise code: epochs per block's training, at most (default 10)")
	fs.Int64Var(&s.BlockPatience, "block-patience", 0, "blockwise code: a block's training stops after this many epochs without a better validation loss (default 3)")
	fs.Int64Var(&s.BlockValid, "block-valid", 0, "blockwise code: every this-many-th decoded example validates instead of training (default 10)")
	fs.BoolVar(&s.BlockWarm, "block-warm", false, "blockwise code: start each block's training from the previous block's model instead of the initialization")
	fs.BoolVar(&s.BlockCalibrate, "block-calibrate", false, "blockwise code: temper each block model, p ∝ p^(1/T), with the temperature of a fixed grid that minimizes its validation loss")
	fs.BoolVar(&s.BlockMix, "block-mix", false, "blockwise code: code each block with the Bayesian mixture (prior ½ each) of its model and the previous block's (the uniform code before the first trained block)")
	for _, name := range []string{"block-epochs", "block-patience", "block-valid"} {
		wrap(name, nil)
	}

	fs.Int64Var(&s.CheckpointEvery, "checkpoint-every", s.CheckpointEvery, "Bob proves sync with a fingerprint every this many examples")
	fs.Int64Var(&s.Precision, "precision", s.Precision, "coder frequency precision in bits (8..24)")

	for _, name := range []string{"seed", "n", "test", "validation", "classes", "dim", "noise",
		"keys", "hypotheses", "parity-bits", "op", "notation", "notations", "answers", "rare-weight", "hidden", "activation", "init",
		"init-scale", "model-noise", "alpha", "kernel", "vocab", "embed", "rank", "sparse-params", "lr", "beta", "beta1", "beta2", "adam-eps", "weight-decay",
		"batch", "patience", "checkpoint-every", "precision"} {
		wrap(name, nil)
	}
	// The modular task's dimension follows its modulus, whichever flag
	// comes last.
	modDim := func() {
		if s.Task == spec.TaskModular {
			if !spec.TaggedNotation(s.Notation) {
				// A tagged notation given earlier brought its scripts;
				// no other notation reads them.
				defInt("notations", &s.Notations, 0)
			}
			if s.Notation == spec.NotationTokens || s.Notation == spec.NotationTokensPermuted {
				defInt("dim", &s.Dim, 2)
			} else if spec.TaggedNotation(s.Notation) {
				defInt("notations", &s.Notations, defaultNotations)
				if s.Notations > 0 {
					defInt("dim", &s.Dim, 2*(s.Classes/s.Notations)+s.Notations)
				}
			} else {
				defInt("dim", &s.Dim, 2*s.Classes)
			}
		}
	}
	// The tokens model reads the modular task in its token notation (two
	// ids, vocab = p) unless --notation, --dim or --vocab say otherwise.
	tokens := func() {
		if s.Model != spec.ModelTokens {
			return
		}
		defInt("vocab", &s.Vocab, s.Classes)
		defInt("embed", &s.Embed, defaultEmbed)
		if s.Task == spec.TaskModular {
			defStr("notation", &s.Notation, spec.NotationTokens)
		}
		if s.Notation == spec.NotationTokens || s.Notation == spec.NotationTokensPermuted {
			defInt("dim", &s.Dim, 2)
		}
	}
	// The format task writes its key one-hot (dim = keys), or as one
	// integer for the table and tokens models, whichever flag comes last.
	formatDim := func() {
		if s.Task != spec.TaskFormat {
			return
		}
		if s.Model == spec.ModelTable || s.Model == spec.ModelTokens {
			defInt("dim", &s.Dim, 1)
		} else {
			defInt("dim", &s.Dim, s.Keys)
		}
	}
	fs.Lookup("keys").Value.(*tracked).then = formatDim
	fs.Lookup("classes").Value.(*tracked).then = func() { modDim(); tokens() }
	prev := fs.Lookup("task").Value.(*tracked).then
	fs.Lookup("task").Value.(*tracked).then = func() { prev(); modDim(); tokens(); formatDim() }
	prevModel := fs.Lookup("model").Value.(*tracked).then
	fs.Lookup("model").Value.(*tracked).then = func() { prevModel(); tokens(); formatDim() }
	fs.Lookup("notation").Value.(*tracked).then = func() { modDim(); tokens() }
	fs.Lookup("notations").Value.(*tracked).then = modDim
	return &s
}
