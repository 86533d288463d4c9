package spec

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Version tags the canonical encoding; a change in the meaning of any field is
// a new version.
const Version = "edlwire-spec-v2"

// Task names: the built-in tasks, registered by package task (Tasks lists
// the registered ones).
const (
	TaskSynthetic = "synthetic"
	TaskFile      = "file" // a CSV dataset both sides hold, named by DataName and checked by DataSHA256

	// The seeded tasks with a known answer (see package task).
	TaskHypothesis = "hypothesis" // y = (x + j*) mod M for a hidden j* < m, x ∈ [0, M): hypothesis collapse
	TaskCoupon     = "coupon"     // Keys concepts, each a hidden value in [0, Classes): the coupon collector (RareWeight π > 0: key 0 has probability 1−π, the others share π)
	TaskParity     = "parity"     // y = XOR of a hidden subset of ParityBits of Dim input bits
	TaskModular    = "modular"    // y = a Op b mod p (p = Classes), inputs in one Notation
	TaskRare       = "rare"       // linear teacher, plus a rare region of weight RareWeight with its own teacher
	TaskFormat     = "format"     // Keys keys, each mapped to one of Answers seeded symbols of a Classes-symbol vocabulary (see package task)
	TaskMNIST      = "mnist"      // the MNIST digits: the 60 000 training images in canonical (or a seeded shuffled) order, the 10 000 test images as the test set
)

// Scorings: which part of every label's code the scored figures count.
const (
	// ScoreAll scores the whole label: the scored figures are the MDL's.
	ScoreAll = ""
	// ScoreAnswers (format task) scores the capability alone: each label
	// costs −log₂ p(y | y ∈ S) = −log₂ p(y) + log₂ Σ_{s∈S} p(s), S the
	// task's answer set, so the bits that say "the answer is in S" (the
	// format) are not counted. The coded stream stays the full label code.
	ScoreAnswers = "answers"
)

// Operations of the modular task.
const (
	OpAdd = "add"
	OpSub = "sub"
	OpMul = "mul"
)

// Notations of the modular task's inputs: the same skill written two ways.
const (
	NotationOneHot   = "onehot"   // one-hot a, then one-hot b (Dim = 2p)
	NotationPermuted = "permuted" // the same one-hot layout under a seeded relabelling of the p symbols

	NotationTokens         = "tokens"          // two token ids a and b (Dim = 2), for the tokens model (vocab ≥ p)
	NotationTokensPermuted = "tokens-permuted" // the same ids under the permuted notation's relabelling

	// NotationAnswersPermuted writes the inputs as onehot does and the
	// answers in another alphabet: the label is σ(a ∘ b) with σ the permuted
	// notation's fixed permutation of the p symbols (it depends on p only,
	// never on the seed). The skill (a ∘ b) is the same as onehot's; only the
	// notation of the answer differs, so a network pre-trained on onehot
	// holds the skill in its hidden layers and needs only a new output layer
	// (reset_head) to write it in this notation: the elicitation arm of
	// edl elicit.
	NotationAnswersPermuted = "answers-permuted"

	// NotationTagged is the skill written in several scripts, the script
	// named in the input: Classes = Notations·p answer symbols, Notations
	// scripts of p symbols each (script t writes the answer y as t·p + y,
	// as digits can be written in several scripts), and the input one-hot
	// a, one-hot b, then a one-hot tag naming the script (Dim = 2p +
	// Notations). One prompt in Notations + 1 shows no tag; its answer is in
	// a script drawn uniformly. A network trained on it holds the skill in
	// every script and, without a tag, spreads its prediction over them.
	NotationTagged = "tagged"
	// NotationUntagged is the same layout with the tag block always zero
	// and every answer in the last script (Notations − 1): a network
	// pre-trained on tagged holds the answer already, and about
	// log₂ Notations bits point to it. The elicitation arm of edl elicit.
	NotationUntagged = "untagged"
)

// Notations lists the modular task's notations.
var Notations = []string{NotationOneHot, NotationPermuted, NotationTokens, NotationTokensPermuted, NotationAnswersPermuted, NotationTagged, NotationUntagged}

// TaggedNotation reports whether the modular task's notation carries the
// tag block of the tagged and untagged notations.
func TaggedNotation(n string) bool { return n == NotationTagged || n == NotationUntagged }

// Model names: the built-in families, registered by package model (Models
// lists the registered ones).
const (
	ModelSoftmax = "softmax"
	ModelMLP     = "mlp"     // multilayer perceptron: Hidden layers with Activation, then softmax
	ModelTokens  = "tokens"  // Dim integer token ids in [0, Vocab), a shared Vocab×Embed embedding, concatenated, then the mlp
	ModelKT      = "kt"      // Krichevsky–Trofimov estimator: Dirichlet(½) label counts, ignores inputs
	ModelLaplace = "laplace" // Laplace estimator: Dirichlet(1) label counts, ignores inputs

	ModelHypothesis = "hypothesis" // exact posterior over h_j(x) = (x + j) mod Classes, j < Hypotheses, noise ModelNoise
	ModelTable      = "table"      // per-key Dirichlet(Alpha) memorizer over Keys integer keys
	ModelCNN        = "cnn"        // square one-channel images: Conv layers (Kernel×Kernel, same padding, relu, 2×2 max-pool), then the mlp's Hidden layers

	// ModelExternal is a predictor plugin (proto/predictor.proto) that both
	// sides start themselves; Predictor is its own model description. The
	// spec's optimizer fields do not apply: the plugin trains itself.
	ModelExternal = "external"
)

// Adapters: which parameters of a gradient-trained model train.
const (
	AdapterNone   = ""       // every parameter trains
	AdapterLoRA   = "lora"   // a frozen base plus rank-Rank adapters W + B·A on every dense layer
	AdapterSparse = "sparse" // a seeded random subset of exactly SparseParams parameters trains
)

// Activations of the MLP's hidden layers.
const (
	ActReLU = "relu"
	ActTanh = "tanh"
	ActGELU = "gelu" // the tanh form, ½z(1 + tanh(√(2/π)(z + 0.044715z³))): no erf needed
)

// Initializations.
const (
	InitZeros  = "zeros"
	InitNormal = "normal"
)

// Optimizers.
const (
	OptimizerSGD      = "sgd"
	OptimizerMomentum = "momentum" // heavy ball: v ← βv + g, θ ← θ − ηv
	OptimizerAdam     = "adam"
	OptimizerAdamW    = "adamw" // Adam with decoupled weight decay
)

// Optimizers lists every optimizer name.
var Optimizers = []string{OptimizerSGD, OptimizerMomentum, OptimizerAdam, OptimizerAdamW}

// Spec is everything both sides need to build the same learner and inputs.
// Labels are not part of it: Bob learns them only by decoding.
type Spec struct {
	Task           string  // built-in task name
	Seed           uint64  // root seed; every random stream is derived from it
	N              int64   // training examples, coded in order
	Test           int64   // held-out examples for the test loss
	DataName       string  // file task: the dataset's file name (no directories)
	DataSHA256     string  // file task: hex SHA-256 of the canonical inputs (labels excluded)
	TestDataName   string  // file task: a separate file holding the test examples (all its rows); "" = the last Test rows of DataName
	TestDataSHA256 string  // file task: hex SHA-256 of that file's canonical inputs
	LabelColumn    string  // file task: the label column, by 0-based index or header name; "" = last
	Standardize    bool    // file task: scale each feature to mean 0, variance 1 over the file
	Shuffle        bool    // file and mnist tasks: code rows in a seeded order instead of file order
	ShuffleSeed    uint64  // file and mnist tasks: the seed of that order
	Classes        int64   // K, the label alphabet size
	Dim            int64   // input dimension
	Noise          float64 // probability that a label is replaced by a uniform draw
	RandomLabels   bool    // labels drawn uniformly, independent of inputs (control)
	Keys           int64   // coupon task, table model: number of integer keys
	Hypotheses     int64   // hypothesis task and model: m, the number of hypotheses
	ParityBits     int64   // parity task: size of the hidden subset
	Op             string  // modular task: add, sub or mul
	Notation       string  // modular task: onehot, permuted, tokens, tokens-permuted, answers-permuted, tagged or untagged (Notations)
	Notations      int64   // modular task, tagged and untagged notations: the number of answer scripts (Classes = Notations·p)
	RareWeight     float64 // rare task: π, the probability of the rare region; coupon task: the weight of keys 1..Keys−1 (0: all keys uniform)
	Answers        int64   // format task: |S|, the size of the seeded answer subset S of the Classes symbols
	Score          string  // ScoreAll ("") or ScoreAnswers (format task): what the scored code length, test loss and EDL count

	Model      string  // model family
	Hidden     []int64 // mlp, tokens: hidden layer widths, input to output
	Activation string  // mlp, tokens: hidden activation
	Vocab      int64   // tokens: the token alphabet size (ids in [0, Vocab))
	Embed      int64   // tokens: the embedding width
	Init       string  // parameter initialization
	InitScale  float64 // standard deviation for Init == "normal"
	ModelNoise float64 // hypothesis model: the label noise ε it assumes
	Alpha      float64 // table model: Dirichlet concentration per class
	Conv       []int64 // cnn: output channels of each convolutional layer, input side first
	Kernel     int64   // cnn: the odd side of every convolution's square kernel
	Predictor  string  // external model: the plugin's model description (JSON for predictors/torch), passed to its Init

	// Parameter-efficient training and pre-trained bases (softmax, mlp, tokens).
	Adapter      string // "" (every parameter trains), lora or sparse
	Rank         int64  // lora: the adapters' rank r
	SparseParams int64  // sparse: how many parameters train
	Base         string // hex SHA-256 of a checkpoint file both sides hold, whose model is the starting point ("" = initialize from Init)
	BaseName     string // that checkpoint's file name (no directories)
	// ResetHead (with a base) sets the base's last dense layer, weights and
	// bias, to zero before training: the run starts from the uniform
	// distribution with the base's hidden layers, and learns a new output
	// layer (a new answer notation) on top of them. With lora the head
	// trains through its adapter B·A (B = 0 and W = 0 give a zero head whose
	// gradient reaches B through A); with sparse through the chosen subset.
	ResetHead bool

	Optimizer string  // update rule
	LR        float64 // constant learning rate
	Batch     int64   // minibatch size; each batch is coded with the parameters from before its update
	// Optimizer hyperparameters, resolved (the flags fill a rule's defaults):
	// each is set for the rules that use it and zero for the others.
	Beta        float64 // momentum: β
	Beta1       float64 // adam, adamw: β1
	Beta2       float64 // adam, adamw: β2
	AdamEps     float64 // adam, adamw: ε
	WeightDecay float64 // adamw: decoupled weight decay

	// θ*: after the coded pass, up to Epochs more epochs over the n coded
	// examples, stopping when the loss on Validation held-out examples (never
	// coded nor tested) has not improved for Patience epochs. Epochs = 0 means
	// θ* is the model after the pass.
	Epochs     int64
	Patience   int64
	Validation int64

	CheckpointEvery int64 // Bob reports his fingerprint every this many examples
	Precision       int64 // coder frequency precision in bits

	// The blockwise (online) code of Blier & Ollivier (2018): with Blocks
	// set, the pass is cut at the block ends t₁ < t₂ < … < n. Labels
	// [0, t₁) are coded with the uniform distribution; labels [t_k, t_{k+1})
	// with a model trained, once both sides hold labels [0, t_k), for up to
	// BlockEpochs epochs (minibatches of Batch, the spec's optimizer fresh
	// for each block, a seeded order per epoch) on those labels except
	// every BlockValid-th, which measure the validation loss after every
	// epoch; the epoch with the lowest loss is kept, and training stops
	// after BlockPatience epochs without a strict improvement. BlockWarm
	// starts each block's training from the previous block's model instead
	// of the spec's initialization. Nothing is learned between block ends.
	// Optional fields (see optionalFields): encoded only when set.
	Blocks        []int64 // block ends t₁ < t₂ < …, each < n and a multiple of Batch
	BlockEpochs   int64   // epochs per block, at most
	BlockPatience int64   // epochs without a validation improvement before a block's training stops
	BlockValid    int64   // every BlockValid-th decoded example (index i with i mod BlockValid = BlockValid−1) is held out for validation
	BlockWarm     bool    // each block starts from the previous block's model
	// BlockCalibrate tempers each block model's distribution, p_c ∝ p_c^(1/T),
	// with the temperature T of a fixed grid (BlockTemperatures) whose
	// validation loss is lowest (T = 1 on ties and without validation
	// examples): both sides choose it from the labels they hold.
	BlockCalibrate bool
	// BlockMix codes each block with the Bayesian mixture of the new block
	// model and the one before it (the uniform distribution before the
	// first trained block), prior ½ each, the weights updated by every
	// label of the block: a block costs at most 1 bit more than the better
	// of the two, and never much more than the uniform code.
	BlockMix bool
	// BlockAugment shifts every training example of a block's epochs by
	// (dx, dy), each drawn uniformly from [−BlockAugment, BlockAugment]
	// (one seeded stream per block, two draws per example in minibatch
	// order), the vacated pixels zero: the cnn's square images only. Both
	// sides draw the same shifts, and a shift copies pixels, so no
	// arithmetic differs. Validation examples are never shifted.
	BlockAugment int64
	// BlockLRDecay multiplies the learning rate by itself after each epoch
	// of a block's training: epoch e (from 1) steps with LR·BlockLRDecay^(e−1),
	// the power a product of e−1 factors in order (0: a constant rate).
	BlockLRDecay float64
	// BlockLRDrop, in (0, 1), turns the stop on a plateau into a drop of the
	// rate while the last rate still helped: when BlockPatience epochs pass
	// without an improvement, training returns to the best epoch's
	// parameters and goes on with the rate multiplied by BlockLRDrop and a
	// fresh optimizer state; it stops when the epochs at one rate brought
	// no improvement (or at BlockEpochs, which counts every epoch). 0: stop
	// on the first plateau.
	BlockLRDrop float64
	// BlockEnsemble trains this many models per block (0 or 1: one), each
	// as a block's model is trained but from its own seed (the first from
	// the spec's, member i from rng.Derive(seed, "block_ensemble member i")),
	// and codes the block with the mean of their distributions.
	BlockEnsemble int64

	// Extra holds the values of the fields that registered sections declare
	// for themselves (FieldDef), sorted by name: the fields of a model or
	// task added without a field here. See SetExtra and ExtraInt & co.
	Extra []ExtraValue
}

// BlockTemperatures is the grid BlockCalibrate chooses from, in the order
// it is searched (a strictly lower loss replaces the choice so far).
var BlockTemperatures = []float64{1, 0.5, 0.6, 0.7, 0.8, 0.9, 1.1, 1.2, 1.35, 1.5, 1.7, 2, 2.5, 3}

// Default returns the demo spec: a 10-class linear-teacher task that softmax
// regression learns well, so the coded MDL is far below the uniform code.
func Default() Spec {
	return Spec{
		Task:            TaskSynthetic,
		Seed:            1,
		N:               10000,
		Test:            5000,
		Classes:         10,
		Dim:             16,
		Noise:           0,
		Model:           ModelSoftmax,
		Activation:      ActReLU,
		Init:            InitZeros,
		InitScale:       0.01,
		Optimizer:       OptimizerSGD,
		LR:              0.5,
		Batch:           10,
		CheckpointEvery: 1000,
		Precision:       24,
	}
}

// field is one named entry of the canonical encoding, in a fixed order:
// ptr is a *string, *int64, *uint64, *float64, *bool or *[]int64.
type field struct {
	name string
	ptr  any
}

// optionalFields were added after specs were in use: they are encoded only
// when their spec uses them (encodes), so every spec that does not keeps its
// canonical bytes and its hash. Only looked up, never iterated.
var optionalFields = map[string]bool{"conv": true, "kernel": true, "predictor": true,
	// The blockwise code.
	"blocks": true, "block_epochs": true, "block_patience": true, "block_valid": true, "block_warm": true, "block_calibrate": true, "block_mix": true, "block_augment": true, "block_lr_decay": true, "block_ensemble": true, "block_lr_drop": true}

// optional reports whether the field name is optional.
func optional(name string) bool { return optionalFields[name] }

// zero reports whether the field holds its type's zero value.
func (f field) zero() bool {
	switch p := f.ptr.(type) {
	case *string:
		return *p == ""
	case *int64:
		return *p == 0
	case *uint64:
		return *p == 0
	case *float64:
		return *p == 0 && !math.Signbit(*p)
	case *bool:
		return !*p
	case *[]int64:
		return len(*p) == 0
	}
	panic(fmt.Sprintf("spec: field %s of type %T", f.name, f.ptr))
}

// kind is the field's kind, as sections' own fields name them.
func (f field) kind() string {
	switch f.ptr.(type) {
	case *int64, *uint64:
		return KindInt
	case *float64:
		return KindFloat
	case *bool:
		return KindBool
	case *[]int64:
		return KindInts
	}
	return KindString
}

// value is the field's canonical text.
func (f field) value() string {
	switch p := f.ptr.(type) {
	case *string:
		return *p
	case *int64:
		return strconv.FormatInt(*p, 10)
	case *uint64:
		return strconv.FormatUint(*p, 10)
	case *float64:
		return fmtFloat(*p)
	case *bool:
		return strconv.FormatBool(*p)
	case *[]int64:
		return joinInts(*p)
	}
	panic(fmt.Sprintf("spec: field %s of type %T", f.name, f.ptr))
}

// set parses the field's canonical text into it.
func (f field) set(v string) error {
	var err error
	switch p := f.ptr.(type) {
	case *string:
		*p = v
	case *int64:
		*p, err = strconv.ParseInt(v, 10, 64)
	case *uint64:
		*p, err = strconv.ParseUint(v, 10, 64)
	case *float64:
		*p, err = strconv.ParseFloat(v, 64)
	case *bool:
		*p, err = strconv.ParseBool(v)
	case *[]int64:
		*p, err = ParseInts(v)
	default:
		panic(fmt.Sprintf("spec: field %s of type %T", f.name, f.ptr))
	}
	return err
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// fields lists the core of the canonical encoding, in order, each entry
// with a pointer to its value: one table both encodes (Canonical) and
// decodes (Parse), so a field cannot be added to one and missed by the
// other. An optional field is encoded only when its spec uses it (encodes),
// so that every spec without it keeps its canonical encoding and hash. A
// new field appended here must be optional; a model's or task's own field
// is better declared by its section (FieldDef), with no edit here.
func (s *Spec) fields() []field {
	return []field{
		{"task", &s.Task},
		{"seed", &s.Seed},
		{"n", &s.N},
		{"test", &s.Test},
		{"data_name", &s.DataName},
		{"data_sha256", &s.DataSHA256},
		{"test_data_name", &s.TestDataName},
		{"test_data_sha256", &s.TestDataSHA256},
		{"label_column", &s.LabelColumn},
		{"standardize", &s.Standardize},
		{"shuffle", &s.Shuffle},
		{"shuffle_seed", &s.ShuffleSeed},
		{"classes", &s.Classes},
		{"dim", &s.Dim},
		{"noise", &s.Noise},
		{"random_labels", &s.RandomLabels},
		{"keys", &s.Keys},
		{"hypotheses", &s.Hypotheses},
		{"parity_bits", &s.ParityBits},
		{"op", &s.Op},
		{"notation", &s.Notation},
		{"notations", &s.Notations},
		{"rare_weight", &s.RareWeight},
		{"answers", &s.Answers},
		{"score", &s.Score},
		{"model", &s.Model},
		{"hidden", &s.Hidden},
		{"activation", &s.Activation},
		{"vocab", &s.Vocab},
		{"embed", &s.Embed},
		{"init", &s.Init},
		{"init_scale", &s.InitScale},
		{"model_noise", &s.ModelNoise},
		{"alpha", &s.Alpha},
		{"conv", &s.Conv},
		{"kernel", &s.Kernel},
		{"adapter", &s.Adapter},
		{"rank", &s.Rank},
		{"sparse_params", &s.SparseParams},
		{"base_sha256", &s.Base},
		{"base_name", &s.BaseName},
		{"reset_head", &s.ResetHead},
		{"optimizer", &s.Optimizer},
		{"lr", &s.LR},
		{"batch", &s.Batch},
		{"beta", &s.Beta},
		{"beta1", &s.Beta1},
		{"beta2", &s.Beta2},
		{"adam_eps", &s.AdamEps},
		{"weight_decay", &s.WeightDecay},
		{"epochs", &s.Epochs},
		{"patience", &s.Patience},
		{"validation", &s.Validation},
		{"checkpoint_every", &s.CheckpointEvery},
		{"precision", &s.Precision},
		{"predictor", &s.Predictor}, // optional
		// The blockwise code, all optional.
		{"blocks", &s.Blocks},
		{"block_epochs", &s.BlockEpochs},
		{"block_patience", &s.BlockPatience},
		{"block_valid", &s.BlockValid},
		{"block_warm", &s.BlockWarm},
		{"block_calibrate", &s.BlockCalibrate},
		{"block_mix", &s.BlockMix},
		{"block_augment", &s.BlockAugment},
		{"block_lr_decay", &s.BlockLRDecay},
		{"block_ensemble", &s.BlockEnsemble},
		{"block_lr_drop", &s.BlockLRDrop},
	}
}

// encodes reports whether the canonical encoding of s has the field f:
// every field but an optional one, which is there when its spec uses it
// (the predictor with the external model, even empty; conv, kernel and
// the blockwise code's fields when set).
func (s *Spec) encodes(f field) bool {
	switch {
	case !optional(f.name):
		return true
	case f.name == "predictor":
		return s.Model == ModelExternal || s.Predictor != ""
	}
	return !f.zero()
}

// FieldPtr returns a pointer to the core field of that canonical name (a
// *string, *int64, *uint64, *float64, *bool or *[]int64), or nil when the
// core table has no such field: flag packages set fields through it.
func (s *Spec) FieldPtr(name string) any {
	for _, f := range s.fields() {
		if f.name == name {
			return f.ptr
		}
	}
	return nil
}

// ClearField sets the core field of that canonical name to its type's zero
// value (nothing for an unknown name).
func (s *Spec) ClearField(name string) {
	for _, f := range s.fields() {
		if f.name == name {
			if err := f.set(zeroText(f.kind())); err != nil {
				panic(err) // every kind parses its own zero
			}
		}
	}
}

func joinInts(v []int64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(parts, ",")
}

// ParseInts parses a comma-separated list such as "64,64"; empty gives nil.
func ParseInts(s string) ([]int64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("spec: %q is not a list of integers: %w", s, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Canonical returns the canonical encoding: the version line, then one
// "name=value" line per field of the core table in its fixed order, then
// one per Extra value, in name order. It depends on the spec's values
// alone, never on which sections a program registered.
func (s Spec) Canonical() []byte {
	var b strings.Builder
	b.WriteString(Version)
	b.WriteByte('\n')
	for _, f := range s.fields() {
		if !s.encodes(f) {
			continue
		}
		b.WriteString(f.name)
		b.WriteByte('=')
		b.WriteString(f.value())
		b.WriteByte('\n')
	}
	for _, e := range s.Extra {
		b.WriteString(e.Name)
		b.WriteByte('=')
		b.WriteString(e.Value)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Parse decodes a canonical encoding (Canonical): the version line, then
// every field in order. It refuses anything that Canonical would not
// produce byte for byte (another version, a missing, extra or reordered
// field, a value not in its canonical form), so the hash of the bytes
// received is the hash of the spec parsed. It does not validate the spec:
// see Validate.
func Parse(b []byte) (Spec, error) {
	var s Spec
	rest, ok := strings.CutPrefix(string(b), Version+"\n")
	if !ok {
		line, _, _ := strings.Cut(string(b), "\n")
		return Spec{}, fmt.Errorf("spec: encoding %.40q, want %s", line, Version)
	}
	for _, f := range s.fields() {
		next, after, found := strings.Cut(rest, "\n")
		if optional(f.name) {
			if name, _, _ := strings.Cut(next, "="); !found || name != f.name {
				continue // absent: checked against encodes below
			}
		}
		var line string
		line, rest, ok = next, after, found
		if !ok {
			return Spec{}, fmt.Errorf("spec: encoding ends before %s", f.name)
		}
		name, v, _ := strings.Cut(line, "=")
		if name != f.name {
			return Spec{}, fmt.Errorf("spec: encoding has %.40q where %s belongs", name, f.name)
		}
		if err := f.set(v); err != nil {
			return Spec{}, fmt.Errorf("spec: %s: %w", f.name, err)
		}
		if f.value() != v {
			return Spec{}, fmt.Errorf("spec: %s: %.40q is not canonical (%q)", f.name, v, f.value())
		}
	}
	extra, err := parseExtra(rest)
	if err != nil {
		return Spec{}, err
	}
	s.Extra = extra
	for _, f := range s.fields() {
		if !optional(f.name) {
			continue
		}
		switch present := strings.Contains(string(b), "\n"+f.name+"="); {
		case present && !s.encodes(f):
			return Spec{}, fmt.Errorf("spec: %s is encoded only when used (model %s)", f.name, s.Model)
		case !present && s.encodes(f):
			return Spec{}, fmt.Errorf("spec: encoding lacks %s (model %s)", f.name, s.Model)
		}
	}
	return s, nil
}

// Hash is the SHA-256 of the canonical encoding.
func (s Spec) Hash() [32]byte { return sha256.Sum256(s.Canonical()) }

// Diff lists "name: a != b" for every field in which s and o differ, in the
// canonical order; it is empty when the specs are equal.
func (s Spec) Diff(o Spec) []string {
	a, b := s.fields(), o.fields()
	var out []string
	for i := range a {
		if av, bv := a[i].value(), b[i].value(); av != bv {
			out = append(out, fmt.Sprintf("%s: %q != %q", a[i].name, av, bv))
		}
	}
	var extra []string
	for _, e := range append(slices.Clone(s.Extra), o.Extra...) {
		if !slices.Contains(extra, e.Name) {
			extra = append(extra, e.Name)
		}
	}
	slices.Sort(extra)
	show := func(sp Spec, name string) string {
		if v, ok := sp.ExtraText(name); ok {
			return strconv.Quote(v)
		}
		return "(none)"
	}
	for _, name := range extra {
		if av, bv := show(s, name), show(o, name); av != bv {
			out = append(out, fmt.Sprintf("%s: %s != %s", name, av, bv))
		}
	}
	return out
}

// Absolute bounds, far above any limit a receiver would set, so that sizes
// and their products can never overflow an int64 (a hostile spec must not
// wrap a limit check around).
const (
	MaxCount = 1 << 40 // n, test
	MaxWidth = 1 << 30 // classes, dim, hidden widths
)

// SatMul and SatAdd saturate at math.MaxInt64 instead of wrapping.
func SatMul(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

func SatAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// DenseSizes lists the widths of the model's dense stack, input first,
// classes last, for the models that are one (softmax, mlp, tokens: their
// section's Dense); nil for the others. Sizes saturate at math.MaxInt64.
func (s Spec) DenseSizes() []int64 {
	if sec := sections.model(s.Model); sec != nil && sec.Dense != nil {
		return sec.Dense(s)
	}
	return nil
}

// loraParams is Σ_l r·(in_l + out_l) over the dense layers.
func (s Spec) loraParams() int64 {
	var p int64
	sizes := s.DenseSizes()
	for l := 1; l < len(sizes); l++ {
		p = SatAdd(p, SatMul(s.Rank, SatAdd(sizes[l-1], sizes[l])))
	}
	return p
}

// NumParams is the total number of model parameters the spec builds (with
// an adapter: the frozen base's plus the adapter's own), saturating at
// math.MaxInt64.
func (s Spec) NumParams() int64 {
	p := s.baseParams()
	if s.Adapter == AdapterLoRA {
		p = SatAdd(p, s.loraParams())
	}
	return p
}

// TrainableParams is the number of parameters that train: NumParams without
// an adapter, Σ r·(in + out) over the dense layers with lora (the base's
// weights and biases are frozen), SparseParams with sparse.
func (s Spec) TrainableParams() int64 {
	switch s.Adapter {
	case AdapterLoRA:
		return s.loraParams()
	case AdapterSparse:
		return s.SparseParams
	}
	return s.NumParams()
}

// baseParams counts the model's own parameters, without adapters (its
// section's Params).
func (s Spec) baseParams() int64 {
	if sec := sections.model(s.Model); sec != nil && sec.Params != nil {
		return sec.Params(s)
	}
	return 0
}

// DenseParams counts the weights and biases of a dense stack of the given
// widths (input first), saturating.
func DenseParams(sizes []int64) int64 {
	var p int64
	for l := 1; l < len(sizes); l++ {
		p = SatAdd(p, SatAdd(SatMul(sizes[l], sizes[l-1]), sizes[l]))
	}
	return p
}

// MNIST's fixed sizes: 28×28 images, 60 000 training and 10 000 test.
const (
	MNISTSide  = 28
	MNISTTrain = 60000
	MNISTTest  = 10000
)

// Finite reports whether f is neither NaN nor infinite.
func Finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// PlainFileName reports whether name is a file name without directories.
func PlainFileName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "/\\") && name != "." && name != ".."
}

// Hex256 reports whether h is a SHA-256 in 64 lowercase hex digits.
func Hex256(h string) bool { return len(h) == 64 && strings.Trim(h, "0123456789abcdef") == "" }

// Validate reports every invalid field at once, each naming its field. The
// spec's task and model are checked by their registered sections (package
// task and package model register the built-in ones); the rest here: the
// sizes, the fields no selected section owns, adapters, bases, the
// optimizer, θ*, the coder.
func (s Spec) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("spec: %s: "+format, append([]any{name}, args...)...))
	}
	task, model := sections.task(s.Task), sections.model(s.Model)
	if task == nil {
		bad("task", "unknown task %q (known: %s)", s.Task, known(TaskSections(), "task"))
	} else if task.Validate != nil {
		task.Validate(s, bad)
	}
	if s.N < 1 || s.N > MaxCount {
		bad("n", "must be in [1, 2^40], got %d", s.N)
	}
	if s.Test < 0 || s.Test > MaxCount {
		bad("test", "must be in [0, 2^40], got %d", s.Test)
	}
	if s.Classes < 2 || s.Classes > MaxWidth {
		bad("classes", "must be in [2, 2^30], got %d", s.Classes)
	}
	if s.Dim > MaxWidth {
		bad("dim", "must be at most 2^30, got %d", s.Dim)
	}
	if !Finite(s.Noise) || s.Noise < 0 || s.Noise > 1 {
		bad("noise", "must be in [0, 1], got %v", s.Noise)
	}
	switch s.Score {
	case ScoreAll:
	case ScoreAnswers:
		if s.Task != TaskFormat {
			bad("score", "only the format task has an answer set to score (task %s)", s.Task)
		}
	default:
		bad("score", "unknown scoring %q (known: \"\" for all, %s)", s.Score, ScoreAnswers)
	}
	if model == nil {
		bad("model", "unknown model %q (known: %s)", s.Model, known(ModelSections(), "model"))
	} else if model.Validate != nil {
		model.Validate(s, bad)
	}
	// A field set for a task and model that do not read it is an error, not
	// silently ignored: it would change the spec hash and nothing else.
	var probe Spec = s
	for _, f := range probe.fields() {
		if f.zero() || !owned(f.name) || (task != nil && slices.Contains(task.Owns, f.name)) || (model != nil && slices.Contains(model.Owns, f.name)) {
			continue
		}
		bad(f.name, "the %s task and the %s model do not use it (used by %s)", s.Task, s.Model, owners(f.name))
	}
	s.validateExtra(model, task, bad)
	dense := model != nil && model.Dense != nil
	var denseModels, gradientModels []string
	for _, m := range ModelSections() {
		if m.Dense != nil {
			denseModels = append(denseModels, m.Name)
		}
		if m.Gradient {
			gradientModels = append(gradientModels, m.Name)
		}
	}
	switch s.Adapter {
	case AdapterNone:
		if s.Rank != 0 {
			bad("rank", "only the lora adapter has a rank, got %d", s.Rank)
		}
		if s.SparseParams != 0 {
			bad("sparse_params", "only the sparse adapter has it, got %d", s.SparseParams)
		}
	case AdapterLoRA, AdapterSparse:
		if !dense {
			bad("adapter", "the %s model is not a dense stack: adapters need one of %s", s.Model, strings.Join(denseModels, ", "))
		}
		if s.Adapter == AdapterLoRA {
			if s.Rank < 1 || s.Rank > MaxWidth {
				bad("rank", "must be in [1, 2^30] for lora, got %d", s.Rank)
			}
			if s.SparseParams != 0 {
				bad("sparse_params", "only the sparse adapter has it, got %d", s.SparseParams)
			}
		} else {
			if s.Rank != 0 {
				bad("rank", "only the lora adapter has a rank, got %d", s.Rank)
			}
			if total := s.baseParams(); s.SparseParams < 1 || s.SparseParams > total {
				bad("sparse_params", "must be in [1, params=%d] for the sparse adapter, got %d", total, s.SparseParams)
			}
		}
	default:
		bad("adapter", "unknown adapter %q (known: \"\" for none, %s, %s)", s.Adapter, AdapterLoRA, AdapterSparse)
	}
	if s.Base != "" || s.BaseName != "" {
		if !dense {
			bad("base_sha256", "only the %s models start from a checkpoint (model %s)", strings.Join(denseModels, ", "), s.Model)
		}
		if !Hex256(s.Base) {
			bad("base_sha256", "must be 64 lowercase hex digits, got %q", s.Base)
		}
		if !PlainFileName(s.BaseName) {
			bad("base_name", "must be a plain file name, got %q", s.BaseName)
		}
	}
	if s.ResetHead && s.Base == "" {
		bad("reset_head", "only a run that starts from a base checkpoint (base_sha256) resets its head")
	}
	if s.Init != InitZeros && s.Init != InitNormal {
		bad("init", "unknown initialization %q (known: %s, %s)", s.Init, InitZeros, InitNormal)
	}
	if !Finite(s.InitScale) || s.InitScale < 0 {
		bad("init_scale", "must be finite and non-negative, got %v", s.InitScale)
	}
	unit := func(name string, v float64) {
		if !(v > 0 && v < 1) {
			bad(name, "must be in (0, 1) for the %s optimizer, got %v", s.Optimizer, v)
		}
	}
	zero := func(name string, v float64) {
		if v != 0 {
			bad(name, "the %s optimizer does not use it, got %v", s.Optimizer, v)
		}
	}
	switch s.Optimizer {
	case OptimizerSGD:
		zero("beta", s.Beta)
		zero("beta1", s.Beta1)
		zero("beta2", s.Beta2)
		zero("adam_eps", s.AdamEps)
		zero("weight_decay", s.WeightDecay)
	case OptimizerMomentum:
		unit("beta", s.Beta)
		zero("beta1", s.Beta1)
		zero("beta2", s.Beta2)
		zero("adam_eps", s.AdamEps)
		zero("weight_decay", s.WeightDecay)
	case OptimizerAdam, OptimizerAdamW:
		zero("beta", s.Beta)
		unit("beta1", s.Beta1)
		unit("beta2", s.Beta2)
		if !Finite(s.AdamEps) || s.AdamEps <= 0 {
			bad("adam_eps", "must be finite and positive, got %v", s.AdamEps)
		}
		if s.Optimizer == OptimizerAdam {
			zero("weight_decay", s.WeightDecay)
		} else if !Finite(s.WeightDecay) || s.WeightDecay < 0 {
			bad("weight_decay", "must be finite and non-negative, got %v", s.WeightDecay)
		}
	default:
		bad("optimizer", "unknown optimizer %q (known: %s)", s.Optimizer, strings.Join(Optimizers, ", "))
	}
	if s.Epochs < 0 || s.Epochs > 1<<20 {
		bad("epochs", "must be in [0, 2^20], got %d", s.Epochs)
	}
	if s.Validation < 0 || s.Validation > MaxCount {
		bad("validation", "must be in [0, 2^40], got %d", s.Validation)
	}
	if s.Epochs > 0 {
		if s.Patience < 1 || s.Patience > s.Epochs {
			bad("patience", "must be in [1, epochs=%d] when epochs > 0, got %d", s.Epochs, s.Patience)
		}
		if s.Validation < 1 {
			bad("validation", "early stopping needs at least one validation example when epochs > 0")
		}
		if model != nil && !model.Gradient {
			bad("epochs", "only gradient-trained models (%s) train further (model %s is exact after the pass)", strings.Join(gradientModels, ", "), s.Model)
		}
	} else if s.Patience != 0 {
		bad("patience", "only used when epochs > 0, got %d", s.Patience)
	}
	if !Finite(s.LR) || s.LR <= 0 {
		bad("lr", "must be finite and positive, got %v", s.LR)
	}
	if s.Batch < 1 {
		bad("batch", "must be at least 1, got %d", s.Batch)
	}
	s.validateBlocks(bad)
	if s.CheckpointEvery < 1 {
		bad("checkpoint_every", "must be at least 1, got %d", s.CheckpointEvery)
	}
	if s.Precision < 8 || s.Precision > 24 {
		bad("precision", "must be in [8, 24] bits, got %d", s.Precision)
	} else if s.Classes > 1<<s.Precision {
		bad("classes", "%d classes cannot each get a frequency at precision %d", s.Classes, s.Precision)
	}
	return errors.Join(errs...)
}

// validateBlocks checks the blockwise code's fields (see Spec.Blocks).
func (s Spec) validateBlocks(bad func(field, format string, args ...any)) {
	if len(s.Blocks) == 0 {
		if s.BlockEpochs != 0 || s.BlockPatience != 0 || s.BlockValid != 0 || s.BlockWarm || s.BlockCalibrate || s.BlockMix || s.BlockAugment != 0 || s.BlockLRDecay != 0 || s.BlockEnsemble != 0 || s.BlockLRDrop != 0 {
			bad("blocks", "block_epochs, block_patience, block_valid, block_warm, block_calibrate, block_mix, block_augment, block_lr_decay, block_ensemble and block_lr_drop belong to the blockwise code: set blocks")
		}
		return
	}
	if m, ok := ModelSection(s.Model); ok && !m.Gradient {
		// An unknown model is reported by Validate itself.
		var gradient []string
		for _, m := range ModelSections() {
			if m.Gradient {
				gradient = append(gradient, m.Name)
			}
		}
		bad("blocks", "the blockwise code trains a gradient-trained model per block (%s), not model %s", strings.Join(gradient, ", "), s.Model)
	}
	if s.Base != "" {
		bad("blocks", "the blockwise code starts every block from the spec's initialization, not from a base checkpoint")
	}
	if s.Epochs > 0 {
		bad("epochs", "with the blockwise code θ* is the last block's model (epochs 0)")
	}
	if len(s.Blocks) > 1<<16 {
		bad("blocks", "at most 65536 block ends, got %d", len(s.Blocks))
	}
	for i, t := range s.Blocks {
		switch {
		case t < 1 || t >= s.N:
			bad("blocks", "block end %d is %d, want it in [1, n=%d)", i+1, t, s.N)
		case i > 0 && t <= s.Blocks[i-1]:
			bad("blocks", "block ends must increase: %d after %d", t, s.Blocks[i-1])
		case s.Batch >= 1 && t%s.Batch != 0:
			bad("blocks", "block end %d is not a multiple of batch %d (a minibatch never straddles two blocks)", t, s.Batch)
		default:
			continue
		}
		break
	}
	if s.BlockEpochs < 1 || s.BlockEpochs > 1<<20 {
		bad("block_epochs", "must be in [1, 2^20] with blocks, got %d", s.BlockEpochs)
	}
	if s.BlockPatience < 1 || s.BlockPatience > max(s.BlockEpochs, 1) {
		bad("block_patience", "must be in [1, block_epochs=%d] with blocks, got %d", s.BlockEpochs, s.BlockPatience)
	}
	if s.BlockValid < 2 || s.BlockValid > MaxCount {
		bad("block_valid", "must be in [2, 2^40] with blocks (every block_valid-th example validates), got %d", s.BlockValid)
	}
	if s.BlockEnsemble < 0 || s.BlockEnsemble > 16 {
		bad("block_ensemble", "must be in [0, 16] (models per block; 0 or 1: one), got %d", s.BlockEnsemble)
	} else if s.BlockEnsemble > 1 && (s.BlockWarm || s.BlockCalibrate || s.BlockMix) {
		bad("block_ensemble", "an ensemble's members start fresh and are neither tempered nor mixed: not with block_warm, block_calibrate or block_mix")
	}
	if s.BlockLRDecay != 0 && !(s.BlockLRDecay > 0 && s.BlockLRDecay <= 1) {
		bad("block_lr_decay", "must be in (0, 1] (0: a constant rate), got %v", s.BlockLRDecay)
	}
	if s.BlockLRDrop != 0 && !(s.BlockLRDrop > 0 && s.BlockLRDrop < 1) {
		bad("block_lr_drop", "must be in (0, 1) (0: stop on the first plateau), got %v", s.BlockLRDrop)
	}
	if s.BlockAugment != 0 {
		side := ImageSide(s.Dim)
		switch {
		case s.Model != ModelCNN:
			bad("block_augment", "shifts the cnn's square images, not model %s's inputs", s.Model)
		case s.BlockAugment < 0 || s.BlockAugment >= side:
			bad("block_augment", "must be in [0, %d) for %d×%d images, got %d", side, side, side, s.BlockAugment)
		}
	}
}

// ImageSide is the side of a square one-channel image of dim pixels: the
// least side whose square holds them (the cnn's images; dim is a square in
// a valid cnn spec).
func ImageSide(dim int64) int64 {
	side := int64(0)
	for side*side < dim && side < 1<<15 {
		side++
	}
	return side
}

// DoublingBlocks returns the block ends first, 2·first, 4·first, … below n.
func DoublingBlocks(first, n int64) []int64 {
	var out []int64
	for t := first; t > 0 && t < n; t *= 2 {
		out = append(out, t)
	}
	return out
}

// Limits bound what a receiver agrees to build. Zero fields mean no limit.
type Limits struct {
	MaxExamples int64 // training plus test examples
	MaxClasses  int64
	MaxParams   int64
	MaxDim      int64
	// MaxMemory bounds the spec's estimated memory (MemoryEstimate), in
	// bytes; MemoryFlag names the setting in messages ("" = max-memory).
	MaxMemory  int64
	MemoryFlag string
	// Sessions is how many sessions of the spec one process holds over
	// shared inputs (edl run holds Alice's and Bob's: 2); 0 means 1.
	Sessions int64
	// MaxTrainingPasses bounds TrainingPasses: the examples a receiver may
	// be asked to train on, which θ*'s epochs and the blockwise code
	// multiply far beyond n.
	MaxTrainingPasses int64
}

// TrainingPasses is the most examples a session of s trains on, each
// counted once per time it is trained on: the pass's own updates (n,
// without the blockwise code, whose pass trains nothing), θ*'s epochs
// (epochs·n) and every block's epochs over the labels before it
// (block_epochs·t for each block end t, times block_ensemble's members).
// Saturates at MaxInt64.
func (s Spec) TrainingPasses() int64 {
	n := max(s.N, 0)
	var total int64
	if len(s.Blocks) == 0 {
		total = n
	}
	total = SatAdd(total, SatMul(max(s.Epochs, 0), n))
	members := max(s.BlockEnsemble, 1)
	for _, t := range s.Blocks {
		total = SatAdd(total, SatMul(SatMul(max(s.BlockEpochs, 0), max(t, 0)), members))
	}
	return total
}

// Check reports every limit the spec exceeds, naming the spec field and the limit.
func (l Limits) Check(s Spec) error {
	var errs []error
	over := func(field string, got, max int64, flag string) {
		if max > 0 && got > max {
			errs = append(errs, fmt.Errorf("spec: %s: %d exceeds the limit %d (%s)", field, got, max, flag))
		}
	}
	over("n+test+validation", SatAdd(SatAdd(max(s.N, 0), max(s.Test, 0)), max(s.Validation, 0)), l.MaxExamples, "max-examples")
	over("classes", s.Classes, l.MaxClasses, "max-classes")
	over("dim", s.Dim, l.MaxDim, "max-dim")
	over("params", s.NumParams(), l.MaxParams, "max-params")
	over("training passes (n, epochs·n, block_epochs·Σ block ends)", s.TrainingPasses(), l.MaxTrainingPasses, "max-training-passes")
	flag := l.MemoryFlag
	if flag == "" {
		flag = "max-memory"
	}
	if err := s.checkMemory(l.MaxMemory, max(l.Sessions, 1), flag); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
