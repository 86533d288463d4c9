// Package specflag registers the experiment-spec flags shared by alice and
// edl, so both accept the same spec the same way.
//
// The flags of the core fields are listed here; the task and model names,
// the flags of the fields a single model or task owns or declares, and the
// defaults a --task or --model brings come from the sections registered by
// packages task and model (spec.Section), so a new model or task needs no
// edit here.
//
// Some flags bring defaults for others: --optimizer adamw sets β1, β2, ε
// and the weight decay to AdamW's usual values, --task coupon sets --dim 1,
// and so on. A flag the user gave explicitly is never overwritten, whatever
// the order on the command line, so the spec always records resolved values
// and its hash means one thing. Fields a --task or --model brought go back
// to zero when another is chosen, unless given.
package specflag

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edlwire/edlwire/shared/spec"

	// The built-in models and tasks register their sections (names,
	// flags, defaults) when these packages initialize.
	_ "github.com/edlwire/edlwire/shared/model"
	_ "github.com/edlwire/edlwire/shared/task"
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

// Default hyperparameters the optimizer, adapter and θ* flags bring (the
// models' and tasks' own defaults come with their registrations).
const (
	defaultMomentumBeta = 0.9
	defaultBeta1        = 0.9
	defaultBeta2        = 0.999
	defaultAdamEps      = 1e-8
	defaultWeightDecay  = 0.01
	defaultPatience     = 5
	defaultRank         = 4 // the lora adapter
)

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

// coreFlags are the flags of the spec's core fields that no single model or
// task owns: the fields every spec has, and those several sections share
// (keys, hypotheses, hidden, activation, rare_weight). A section's own
// flags come with its registration (spec.Section.Flags and Fields).
var coreFlags = []spec.Flag{
	{Field: "seed", Name: "seed", Usage: "root seed of every random stream (inputs, teacher, noise, init)"},
	{Field: "n", Name: "n", Usage: "training examples, coded in order"},
	{Field: "test", Name: "test", Usage: "held-out test examples for the test loss"},
	{Field: "validation", Name: "validation", Usage: "held-out validation examples for early stopping θ* (never coded nor tested)"},
	{Field: "classes", Name: "classes", Usage: "number of classes K (the modular task: the modulus p, or notations·p for the tagged and untagged notations; M of the hypothesis task)"},
	{Field: "dim", Name: "dim", Usage: "input dimension (the modular task, set for you: 2p for the onehot, permuted and answers-permuted notations, 2 for tokens and tokens-permuted, 2p + notations for tagged and untagged)"},
	{Field: "noise", Name: "noise", Usage: "label noise: probability that a label is replaced (synthetic: by a uniform draw; format: by one of the other answers in S; other tasks: by one of the other labels)"},
	{Field: "random_labels", Name: "random-labels", Usage: "draw every label uniformly (control: nothing to learn), for any task"},
	{Field: "keys", Name: "keys", Usage: "coupon and format tasks, table model: number of integer keys"},
	{Field: "hypotheses", Name: "hypotheses", Usage: "hypothesis task and model: number m of hypotheses (≤ classes)"},
	{Field: "rare_weight", Name: "rare-weight", Usage: "rare task: probability π of the rare region with its own rule; coupon task: total weight of keys 1..keys-1 (key 0 takes the rest; 0: uniform keys)"},
	{Field: "hidden", Name: "hidden", Usage: "mlp hidden layer widths, comma-separated (e.g. 64 or 512,512)"},
	{Field: "activation", Name: "activation", Usage: "mlp and tokens hidden activation: relu, tanh or gelu (the tanh form)"},
	{Field: "adapter", Name: "adapter", Usage: "parameter-efficient training: lora (rank --rank adapters on every dense layer of a frozen base) or sparse (--sparse-params seeded parameters train); empty: every parameter trains"},
	{Field: "rank", Name: "rank", Usage: "lora: adapter rank r (default 4)"},
	{Field: "sparse_params", Name: "sparse-params", Usage: "sparse: how many parameters train (chosen by seed)"},
	{Field: "reset_head", Name: "reset-head", Usage: "with --base: set the base's last dense layer (weights and bias) to zero, so the run starts uniform and learns a new output layer"},
	{Field: "init", Name: "init", Usage: "initialization: zeros or normal"},
	{Field: "init_scale", Name: "init-scale", Usage: "standard deviation of --init normal"},
	{Field: "optimizer", Name: "optimizer", Usage: "optimizer: " + strings.Join(spec.Optimizers, ", ")},
	{Field: "lr", Name: "lr", Usage: "constant learning rate"},
	{Field: "beta", Name: "beta", Usage: "momentum: β (default 0.9)"},
	{Field: "beta1", Name: "beta1", Usage: "adam, adamw: β1 (default 0.9)"},
	{Field: "beta2", Name: "beta2", Usage: "adam, adamw: β2 (default 0.999)"},
	{Field: "adam_eps", Name: "adam-eps", Usage: "adam, adamw: ε (default 1e-8)"},
	{Field: "weight_decay", Name: "weight-decay", Usage: "adamw: decoupled weight decay (default 0.01)"},
	{Field: "batch", Name: "batch", Usage: "minibatch size (every example of a batch is coded before its update)"},
	{Field: "epochs", Name: "epochs", Usage: "θ*: further epochs over the coded examples after the pass, early-stopped on --validation (0: θ* is the model after the pass)"},
	{Field: "patience", Name: "patience", Usage: "θ*: stop after this many epochs without a better validation loss (default min(5, epochs))"},
	// The blockwise code (spec blocks, block_*): off unless --blocks is given.
	{Field: "blocks", Name: "blocks", Usage: "blockwise code: the block ends t₁ < t₂ < … (each < n and a multiple of --batch), comma-separated, e.g. 64,128,256: labels before t₁ are coded with the uniform code, each later block with a model trained on every label before it (default: the per-example code)"},
	{Field: "block_epochs", Name: "block-epochs", Usage: "blockwise code: epochs per block's training, at most (default 10)"},
	{Field: "block_patience", Name: "block-patience", Usage: "blockwise code: a block's training stops after this many epochs without a better validation loss (default 3)"},
	{Field: "block_valid", Name: "block-valid", Usage: "blockwise code: every this-many-th decoded example validates instead of training (default 10)"},
	{Field: "block_warm", Name: "block-warm", Usage: "blockwise code: start each block's training from the previous block's model instead of the initialization"},
	{Field: "block_calibrate", Name: "block-calibrate", Usage: "blockwise code: temper each block model, p ∝ p^(1/T), with the temperature of a fixed grid that minimizes its validation loss"},
	{Field: "block_mix", Name: "block-mix", Usage: "blockwise code: code each block with the Bayesian mixture (prior ½ each) of its model and the previous block's (the uniform code before the first trained block)"},
	{Field: "block_augment", Name: "block-augment", Usage: "blockwise code: shift each training example of a block's epochs by up to this many pixels in each direction (seeded; cnn images only; 0: none)"},
	{Field: "block_lr_decay", Name: "block-lr-decay", Usage: "blockwise code: multiply the learning rate by this factor after each epoch of a block's training (0: constant)"},
	{Field: "block_lr_drop", Name: "block-lr-drop", Usage: "blockwise code: on a plateau of --block-patience epochs, go back to the best epoch and on at the rate times this factor (fresh optimizer state) while the last rate still improved (0: stop on the first plateau)"},
	{Field: "block_ensemble", Name: "block-ensemble", Usage: "blockwise code: train this many models per block, each from its own seed, and code the block with the mean of their distributions (0 or 1: one)"},
	{Field: "checkpoint_every", Name: "checkpoint-every", Usage: "Bob proves sync with a fingerprint every this many examples"},
	{Field: "precision", Name: "precision", Usage: "coder frequency precision in bits (8..24)"},
}

// define adds a flag for the core field at ptr, typed as the field is (so
// --help names the kind of value), with its current value as default.
func define(fs *flag.FlagSet, ptr any, name, usage string) {
	switch p := ptr.(type) {
	case *string:
		fs.StringVar(p, name, *p, usage)
	case *int64:
		fs.Int64Var(p, name, *p, usage)
	case *uint64:
		fs.Uint64Var(p, name, *p, usage)
	case *float64:
		fs.Float64Var(p, name, *p, usage)
	case *bool:
		fs.BoolVar(p, name, *p, usage)
	case *[]int64:
		fs.Func(name, usage, func(v string) error {
			h, err := spec.ParseInts(v)
			*p = h
			return err
		})
	default:
		panic(fmt.Sprintf("specflag: --%s: field of type %T", name, ptr))
	}
}

// extraValue is the flag of a section's own field (spec.FieldDef): it sets
// the spec's Extra value and, like tracked, marks the flag as given and
// brings the defaults that follow.
type extraValue struct {
	s    *spec.Spec
	def  spec.FieldDef
	set  map[string]bool
	then func()
}

func (v *extraValue) String() string {
	if v == nil || v.s == nil {
		return ""
	}
	t, _ := v.s.ExtraText(v.def.Name)
	return t
}

func (v *extraValue) Set(t string) error {
	if err := v.s.SetExtra(v.def.Name, t); err != nil {
		return err
	}
	v.set[v.def.Flag] = true
	v.then()
	return nil
}

func (v *extraValue) IsBoolFlag() bool { return v != nil && v.def.Kind == spec.KindBool }

// Register adds the spec flags to fs, with defaults from spec.Default, and
// returns the spec they fill in when fs is parsed. The task and model
// names, their own flags and the defaults a --task or --model brings come
// from the registered sections (packages task and model), so a model or
// task added there needs no change here.
func Register(fs *flag.FlagSet) *spec.Spec {
	sp := spec.Default()
	s := &sp
	set := map[string]bool{}      // flags given on the command line, by flag name
	flagOf := map[string]string{} // canonical field name → its flag
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
	// given reports whether the field's flag was on the command line:
	// tracked, or (bool flags, which are not wrapped) already parsed.
	given := func(field string) bool {
		name := flagOf[field]
		seen := set[name]
		fs.Visit(func(f *flag.Flag) { seen = seen || f.Name == name })
		return seen && name != ""
	}
	tasks, models := spec.TaskSections(), spec.ModelSections()

	// resolve brings the defaults of the selected task and model, after
	// every flag that sets a field: a field the user gave is never
	// overwritten, whatever the order on the command line. Fields that
	// only unselected sections read, brought by an earlier --task or
	// --model, go back to zero (and own fields away), unless given.
	resolve := func() {
		task, _ := spec.TaskSection(s.Task)
		model, _ := spec.ModelSection(s.Model)
		var others []spec.Section
		for _, t := range tasks {
			if t.Name != s.Task {
				others = append(others, t)
			}
		}
		for _, m := range models {
			if m.Name != s.Model {
				others = append(others, m)
			}
		}
		for _, sec := range others {
			for _, fl := range sec.Flags {
				if !given(fl.Field) && !slices.Contains(task.Owns, fl.Field) && !slices.Contains(model.Owns, fl.Field) {
					s.ClearField(fl.Field)
				}
			}
			for _, f := range sec.Fields {
				if !given(f.Name) {
					s.DropExtra(f.Name)
				}
			}
		}
		for _, sec := range []spec.Section{task, model} {
			for _, f := range sec.Fields {
				if _, ok := s.ExtraText(f.Name); !ok && !given(f.Name) {
					if err := s.SetExtra(f.Name, f.DefaultText()); err != nil {
						panic(err) // the registration checked the default
					}
				}
			}
		}
		if task.Defaults != nil {
			task.Defaults(s, given)
		}
		if model.Defaults != nil {
			model.Defaults(s, given)
		}
	}

	var taskNames, implicit []string
	for _, t := range tasks {
		if t.Implicit {
			implicit = append(implicit, t.Name)
		} else {
			taskNames = append(taskNames, t.Name)
		}
	}
	taskUsage := "task: " + strings.Join(taskNames, ", ")
	for _, name := range implicit {
		taskUsage += " (the " + name + " task comes with --data)"
	}
	flags := append([]spec.Flag{
		{Field: "task", Name: "task", Usage: taskUsage},
		{Field: "model", Name: "model", Usage: "model: " + strings.Join(spec.Models(), ", ")},
	}, coreFlags...)
	for _, sec := range append(append([]spec.Section(nil), tasks...), models...) {
		flags = append(flags, sec.Flags...)
	}
	for _, fl := range flags {
		flagOf[fl.Field] = fl.Name
		ptr := s.FieldPtr(fl.Field)
		define(fs, ptr, fl.Name, fl.Usage)
		if _, isBool := ptr.(*bool); !isBool {
			wrap(fl.Name, resolve)
		}
	}
	for _, sec := range append(append([]spec.Section(nil), tasks...), models...) {
		for _, f := range sec.Fields {
			if f.Flag == "" {
				continue
			}
			flagOf[f.Name] = f.Flag
			fs.Var(&extraValue{s: s, def: f, set: set, then: resolve}, f.Flag, f.Usage)
			// --help states the default the section's selection brings,
			// unless the usage text does.
			if d := f.DefaultText(); !zeroDefault(d) && !strings.Contains(f.Usage, "(default") {
				fs.Lookup(f.Flag).DefValue = d
			}
		}
	}
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
	fs.Var(&baseFlag{s: s}, "base", "start from this pre-trained checkpoint FILE (its SHA-256 and file name go into the spec; bob finds his copy under --data-dir)")

	// The optimizer, adapter and θ* flags bring their rules' defaults.
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
	fs.Lookup("optimizer").Value.(*tracked).then = func() {
		switch s.Optimizer {
		case spec.OptimizerSGD:
			def("beta", &s.Beta, 0)
			def("beta1", &s.Beta1, 0)
			def("beta2", &s.Beta2, 0)
			def("adam-eps", &s.AdamEps, 0)
			def("weight-decay", &s.WeightDecay, 0)
		case spec.OptimizerMomentum:
			def("beta", &s.Beta, defaultMomentumBeta)
			def("beta1", &s.Beta1, 0)
			def("beta2", &s.Beta2, 0)
			def("adam-eps", &s.AdamEps, 0)
			def("weight-decay", &s.WeightDecay, 0)
		case spec.OptimizerAdam, spec.OptimizerAdamW:
			def("beta", &s.Beta, 0)
			def("beta1", &s.Beta1, defaultBeta1)
			def("beta2", &s.Beta2, defaultBeta2)
			def("adam-eps", &s.AdamEps, defaultAdamEps)
			if s.Optimizer == spec.OptimizerAdamW {
				def("weight-decay", &s.WeightDecay, defaultWeightDecay)
			} else {
				def("weight-decay", &s.WeightDecay, 0)
			}
		}
		resolve()
	}
	fs.Lookup("adapter").Value.(*tracked).then = func() {
		if s.Adapter == spec.AdapterLoRA {
			defInt("rank", &s.Rank, defaultRank)
		} else {
			defInt("rank", &s.Rank, 0)
		}
		resolve()
	}
	fs.Lookup("epochs").Value.(*tracked).then = func() {
		defInt("patience", &s.Patience, min(defaultPatience, s.Epochs))
		resolve()
	}
	fs.Lookup("blocks").Value.(*tracked).then = func() {
		if len(s.Blocks) > 0 {
			defInt("block-epochs", &s.BlockEpochs, defaultBlockEpochs)
			defInt("block-patience", &s.BlockPatience, defaultBlockPatience)
			defInt("block-valid", &s.BlockValid, defaultBlockValid)
		}
		resolve()
	}
	return s
}
