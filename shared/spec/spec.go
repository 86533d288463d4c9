package spec

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Version tags the canonical encoding; a change in the meaning of any field is
// a new version.
const Version = "edlwire-spec-v2"

// Task names.
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

// Tasks lists every task name, for messages and flag help.
var Tasks = []string{TaskSynthetic, TaskFile, TaskHypothesis, TaskCoupon, TaskParity, TaskModular, TaskRare, TaskFormat, TaskMNIST}

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

// Model names.
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

// Models lists every model name.
var Models = []string{ModelSoftmax, ModelMLP, ModelTokens, ModelKT, ModelLaplace, ModelHypothesis, ModelTable, ModelCNN, ModelExternal}

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
	"blocks": true, "block_epochs": true, "block_patience": true, "block_valid": true, "block_warm": true, "block_calibrate": true, "block_mix": true}

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

// fields lists the canonical encoding's entries, in order, each with a
// pointer to its value: one table both encodes (Canonical) and decodes
// (Parse), so a field cannot be added to one and missed by the other. An
// optional field is encoded only when its spec uses it (usedOptional), so
// that every spec without it keeps its canonical encoding and hash.
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
// "name=value" line per field in a fixed order.
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
	if rest != "" {
		return Spec{}, fmt.Errorf("spec: %d bytes after the last field", len(rest))
	}
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
	return out
}

// Absolute bounds, far above any limit a receiver would set, so that sizes
// and their products can never overflow an int64 (a hostile spec must not
// wrap a limit check around).
const (
	maxCount = 1 << 40 // n, test
	maxWidth = 1 << 30 // classes, dim, hidden widths
)

// satMul and satAdd saturate at math.MaxInt64 instead of wrapping.
func satMul(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// DenseSizes lists the widths of the dense stack of a softmax, mlp or tokens
// model, input first, classes last (the tokens model's input width is
// Dim·Embed); nil for the other models. Sizes saturate at math.MaxInt64.
func (s Spec) DenseSizes() []int64 {
	var in int64
	switch s.Model {
	case ModelSoftmax:
		return []int64{s.Dim, s.Classes}
	case ModelMLP:
		in = s.Dim
	case ModelTokens:
		in = satMul(s.Dim, s.Embed)
	default:
		return nil
	}
	out := append([]int64{in}, s.Hidden...)
	return append(out, s.Classes)
}

// loraParams is Σ_l r·(in_l + out_l) over the dense layers.
func (s Spec) loraParams() int64 {
	var p int64
	sizes := s.DenseSizes()
	for l := 1; l < len(sizes); l++ {
		p = satAdd(p, satMul(s.Rank, satAdd(sizes[l-1], sizes[l])))
	}
	return p
}

// NumParams is the total number of model parameters the spec builds (with
// an adapter: the frozen base's plus the adapter's own), saturating at
// math.MaxInt64.
func (s Spec) NumParams() int64 {
	p := s.baseParams()
	if s.Adapter == AdapterLoRA {
		p = satAdd(p, s.loraParams())
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

// baseParams counts the model's own parameters, without adapters.
func (s Spec) baseParams() int64 {
	switch s.Model {
	case ModelSoftmax:
		return satAdd(satMul(s.Classes, s.Dim), s.Classes)
	case ModelKT, ModelLaplace:
		return s.Classes
	case ModelHypothesis:
		return satAdd(s.Hypotheses, 1)
	case ModelTable:
		return satMul(s.Keys, s.Classes)
	case ModelCNN:
		return s.cnnParams()
	case ModelMLP, ModelTokens:
		var p int64
		if s.Model == ModelTokens {
			p = satMul(s.Vocab, s.Embed)
		}
		sizes := s.DenseSizes()
		for l := 1; l < len(sizes); l++ {
			p = satAdd(p, satAdd(satMul(sizes[l], sizes[l-1]), sizes[l]))
		}
		return p
	}
	return 0
}

// MNIST's fixed sizes: 28×28 images, 60 000 training and 10 000 test.
const (
	MNISTSide  = 28
	MNISTTrain = 60000
	MNISTTest  = 10000
)

// CNNFeatures is the width of the cnn's flattened feature map, the input of
// its dense head: every 2×2 max-pool halves the side (rounding down) and the
// last convolution's channels are kept; 0 for a spec that is not a valid cnn.
func (s Spec) CNNFeatures() int64 {
	side := int64(0)
	for side*side < s.Dim && side < 1<<15 {
		side++
	}
	if len(s.Conv) == 0 || side*side != s.Dim {
		return 0
	}
	return satMul(satMul(side>>len(s.Conv), side>>len(s.Conv)), s.Conv[len(s.Conv)-1])
}

// cnnParams counts the convolutions' kernels and biases and the dense head's.
func (s Spec) cnnParams() int64 {
	var p int64
	in := int64(1)
	for _, c := range s.Conv {
		p = satAdd(p, satAdd(satMul(c, satMul(in, satMul(s.Kernel, s.Kernel))), c))
		in = c
	}
	sizes := append(append([]int64{s.CNNFeatures()}, s.Hidden...), s.Classes)
	for l := 1; l < len(sizes); l++ {
		p = satAdd(p, satAdd(satMul(sizes[l], sizes[l-1]), sizes[l]))
	}
	return p
}

// Validate reports every invalid field at once, each naming its field.
func (s Spec) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("spec: %s: "+format, append([]any{name}, args...)...))
	}
	finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
	// The mnist task shares the file task's seeded order (shuffle,
	// shuffle_seed) and nothing else of it.
	fileOnly := s.DataName != "" || s.DataSHA256 != "" || s.LabelColumn != "" || s.Standardize ||
		(s.Task != TaskMNIST && (s.Shuffle || s.ShuffleSeed != 0)) ||
		s.TestDataName != "" || s.TestDataSHA256 != ""
	// A task parameter set for a task that does not read it is an error, not
	// silently ignored: it would change the spec hash and nothing else.
	unused := func(task string, uses ...string) {
		set := map[string]bool{
			"keys": s.Keys != 0, "hypotheses": s.Hypotheses != 0, "parity_bits": s.ParityBits != 0,
			"op": s.Op != "", "notation": s.Notation != "", "rare_weight": s.RareWeight != 0,
			"notations": s.Notations != 0,
			"answers":   s.Answers != 0,
		}
		for _, u := range uses {
			delete(set, u)
		}
		if s.Model == ModelTable {
			delete(set, "keys")
		}
		if s.Model == ModelHypothesis {
			delete(set, "hypotheses")
		}
		for _, name := range []string{"keys", "hypotheses", "parity_bits", "op", "notation", "notations", "rare_weight", "answers"} {
			if set[name] {
				bad(name, "the %s task does not use it", task)
			}
		}
		if task != TaskFile && fileOnly {
			bad("data_name", "only the file task reads a dataset (data_name, data_sha256, label_column, standardize, shuffle)")
		}
	}
	wantDim := func(task string, d int64) {
		if s.Dim != d {
			bad("dim", "the %s task has %d input columns, got %d", task, d, s.Dim)
		}
	}
	switch s.Task {
	case TaskSynthetic:
		if s.Dim < 1 {
			bad("dim", "must be at least 1 for the synthetic task, got %d", s.Dim)
		}
		unused(s.Task)
	case TaskFile:
		if s.Dim < 0 {
			bad("dim", "must not be negative, got %d", s.Dim)
		}
		if s.DataName == "" || strings.ContainsAny(s.DataName, "/\\") || s.DataName == "." || s.DataName == ".." {
			bad("data_name", "must be a plain file name, got %q", s.DataName)
		}
		if len(s.DataSHA256) != 64 || strings.Trim(s.DataSHA256, "0123456789abcdef") != "" {
			bad("data_sha256", "must be 64 lowercase hex digits, got %q", s.DataSHA256)
		}
		if s.TestDataName != "" || s.TestDataSHA256 != "" {
			if strings.ContainsAny(s.TestDataName, "/\\") || s.TestDataName == "" || s.TestDataName == "." || s.TestDataName == ".." {
				bad("test_data_name", "must be a plain file name, got %q", s.TestDataName)
			}
			if len(s.TestDataSHA256) != 64 || strings.Trim(s.TestDataSHA256, "0123456789abcdef") != "" {
				bad("test_data_sha256", "must be 64 lowercase hex digits, got %q", s.TestDataSHA256)
			}
		}
		unused(s.Task)
	case TaskHypothesis:
		wantDim(s.Task, 1)
		if s.Hypotheses < 1 || s.Hypotheses > s.Classes {
			bad("hypotheses", "must be in [1, classes=%d], got %d", s.Classes, s.Hypotheses)
		}
		unused(s.Task, "hypotheses")
	case TaskCoupon:
		wantDim(s.Task, 1)
		if s.Keys < 1 || s.Keys > maxWidth {
			bad("keys", "must be in [1, 2^30], got %d", s.Keys)
		}
		// RareWeight > 0 splits the keys: key 0 is common (1 − π), keys
		// 1..Keys−1 share π (the rare-inputs and format toys).
		if !finite(s.RareWeight) || s.RareWeight < 0 || s.RareWeight > 1 || (s.RareWeight > 0 && s.Keys < 2) {
			bad("rare_weight", "must be in [0, 1] (and keys >= 2 when positive) for the coupon task, got %v", s.RareWeight)
		}
		unused(s.Task, "keys", "rare_weight")
	case TaskParity:
		if s.Dim < 1 || s.Dim > 64 {
			bad("dim", "the parity task needs 1 to 64 input bits, got %d", s.Dim)
		}
		if s.ParityBits < 1 || s.ParityBits > s.Dim {
			bad("parity_bits", "must be in [1, dim=%d], got %d", s.Dim, s.ParityBits)
		}
		if s.Classes != 2 {
			bad("classes", "parity has 2 classes, got %d", s.Classes)
		}
		unused(s.Task, "parity_bits")
	case TaskModular:
		tokens := s.Notation == NotationTokens || s.Notation == NotationTokensPermuted
		if tokens {
			wantDim(s.Task, 2)
			if s.Model == ModelTokens && s.Vocab < s.Classes {
				bad("vocab", "the %s notation writes ids up to p-1 = %d, vocab %d is too small", s.Notation, s.Classes-1, s.Vocab)
			}
		} else if TaggedNotation(s.Notation) {
			if s.Model == ModelTokens {
				bad("model", "the %s notation writes one-hot blocks (a, b and the tag), not token ids: use an mlp or softmax model", s.Notation)
			}
			if s.Notations < 2 || s.Notations > 64 {
				bad("notations", "the %s notation needs 2 to 64 scripts, got %d", s.Notation, s.Notations)
			} else if s.Classes%s.Notations != 0 || s.Classes/s.Notations < 2 {
				bad("classes", "the %s notation writes p symbols in each of notations = %d scripts: classes must be notations·p with p ≥ 2, got %d", s.Notation, s.Notations, s.Classes)
			} else if s.Classes <= maxWidth/2 {
				wantDim(s.Task, 2*(s.Classes/s.Notations)+s.Notations)
			}
		} else if s.Classes <= maxWidth/2 {
			wantDim(s.Task, 2*s.Classes)
		}
		if s.Op != OpAdd && s.Op != OpSub && s.Op != OpMul {
			bad("op", "unknown operation %q (known: %s, %s, %s)", s.Op, OpAdd, OpSub, OpMul)
		}
		if s.Notation != NotationOneHot && s.Notation != NotationPermuted && s.Notation != NotationAnswersPermuted && !tokens && !TaggedNotation(s.Notation) {
			bad("notation", "unknown notation %q (known: %s)", s.Notation, strings.Join(Notations, ", "))
		}
		if TaggedNotation(s.Notation) {
			unused(s.Task, "op", "notation", "notations")
		} else {
			unused(s.Task, "op", "notation")
		}
	case TaskRare:
		if s.Dim < 1 {
			bad("dim", "must be at least 1 for the rare task, got %d", s.Dim)
		}
		if !finite(s.RareWeight) || s.RareWeight < 0 || s.RareWeight > 1 {
			bad("rare_weight", "must be in [0, 1], got %v", s.RareWeight)
		}
		unused(s.Task, "rare_weight")
	case TaskFormat:
		if s.Keys < 1 || s.Keys > maxWidth {
			bad("keys", "must be in [1, 2^30], got %d", s.Keys)
		} else if s.Dim != 1 && s.Dim != s.Keys {
			bad("dim", "the format task writes the key as one integer (dim 1) or one-hot (dim = keys = %d), got %d", s.Keys, s.Dim)
		} else if s.Model == ModelTokens && (s.Dim != 1 || s.Vocab < s.Keys) {
			bad("vocab", "the tokens model reads the format task's key as one token id (dim 1) in [0, vocab), keys = %d: got dim %d, vocab %d", s.Keys, s.Dim, s.Vocab)
		} else if s.Dim == 1 && s.Keys > 1 && (s.Model == ModelSoftmax || s.Model == ModelMLP) {
			bad("dim", "the %s model reads the format task's key one-hot (dim = keys = %d); dim 1 writes it as one integer, for the table and tokens models", s.Model, s.Keys)
		}
		if s.Answers < 2 || s.Answers > s.Classes {
			bad("answers", "must be in [2, classes=%d] for the format task, got %d", s.Classes, s.Answers)
		}
		unused(s.Task, "keys", "answers")
	case TaskMNIST:
		wantDim(s.Task, MNISTSide*MNISTSide)
		if s.Classes != 10 {
			bad("classes", "mnist has 10 classes, got %d", s.Classes)
		}
		if s.N+max(s.Validation, 0) > MNISTTrain {
			bad("n", "n + validation must be at most the %d mnist training images, got %d + %d", MNISTTrain, s.N, s.Validation)
		}
		if s.Test > MNISTTest {
			bad("test", "must be at most the %d mnist test images, got %d", MNISTTest, s.Test)
		}
		unused(s.Task)
	default:
		bad("task", "unknown task %q (known: %s)", s.Task, strings.Join(Tasks, ", "))
	}
	if s.N < 1 || s.N > maxCount {
		bad("n", "must be in [1, 2^40], got %d", s.N)
	}
	if s.Test < 0 || s.Test > maxCount {
		bad("test", "must be in [0, 2^40], got %d", s.Test)
	}
	if s.Classes < 2 || s.Classes > maxWidth {
		bad("classes", "must be in [2, 2^30], got %d", s.Classes)
	}
	if s.Dim > maxWidth {
		bad("dim", "must be at most 2^30, got %d", s.Dim)
	}
	if !finite(s.Noise) || s.Noise < 0 || s.Noise > 1 {
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
	switch s.Model {
	case ModelMLP, ModelTokens:
		if s.Model == ModelMLP && len(s.Hidden) == 0 {
			bad("hidden", "an mlp needs at least one hidden layer")
		}
		for i, h := range s.Hidden {
			if h < 1 || h > maxWidth {
				bad("hidden", "layer %d has width %d, want [1, 2^30]", i+1, h)
			}
		}
		if s.Activation != ActReLU && s.Activation != ActTanh && s.Activation != ActGELU {
			bad("activation", "unknown activation %q (known: %s, %s, %s)", s.Activation, ActReLU, ActTanh, ActGELU)
		}
	case ModelCNN:
		for i, h := range s.Hidden {
			if h < 1 || h > maxWidth {
				bad("hidden", "layer %d has width %d, want [1, 2^30]", i+1, h)
			}
		}
		if s.Activation != ActReLU {
			bad("activation", "the cnn's hidden layers use relu, got %q", s.Activation)
		}
		side := int64(0)
		for side*side < s.Dim && side < 1<<15 {
			side++
		}
		if s.Dim < 1 || side*side != s.Dim {
			bad("dim", "the cnn reads a square one-channel image: dim must be a square, got %d", s.Dim)
		}
		if len(s.Conv) == 0 || len(s.Conv) > 8 {
			bad("conv", "the cnn needs 1 to 8 convolutional layers, got %d", len(s.Conv))
		}
		for i, c := range s.Conv {
			if c < 1 || c > 1<<12 {
				bad("conv", "layer %d has %d channels, want [1, 4096]", i+1, c)
			}
		}
		if s.Kernel < 1 || s.Kernel%2 == 0 || s.Kernel > 15 {
			bad("kernel", "must be odd, in [1, 15], got %d", s.Kernel)
		}
		if side>>len(s.Conv) < 1 {
			bad("conv", "%d 2×2 poolings shrink a %d-pixel side to nothing", len(s.Conv), side)
		}
	case ModelSoftmax, ModelKT, ModelLaplace, ModelHypothesis, ModelTable, ModelExternal:
		if len(s.Hidden) > 0 {
			bad("hidden", "only the mlp, tokens and cnn models have hidden layers")
		}
	default:
		bad("model", "unknown model %q (known: %s)", s.Model, strings.Join(Models, ", "))
	}
	switch s.Model {
	case ModelHypothesis:
		if s.Dim != 1 {
			bad("dim", "the hypothesis model reads one integer input, got dim %d", s.Dim)
		}
		if s.Hypotheses < 1 || s.Hypotheses > s.Classes {
			bad("hypotheses", "must be in [1, classes=%d], got %d", s.Classes, s.Hypotheses)
		}
		if !finite(s.ModelNoise) || s.ModelNoise < 0 || s.ModelNoise > float64(s.Classes-1)/float64(s.Classes) {
			bad("model_noise", "must be in [0, (classes-1)/classes], got %v", s.ModelNoise)
		}
	case ModelTable:
		if s.Dim != 1 {
			bad("dim", "the table model reads one integer key, got dim %d", s.Dim)
		}
		if s.Keys < 1 || s.Keys > maxWidth {
			bad("keys", "must be in [1, 2^30], got %d", s.Keys)
		}
		if !finite(s.Alpha) || s.Alpha <= 0 {
			bad("alpha", "must be finite and positive, got %v", s.Alpha)
		}
	}
	if s.Model != ModelExternal && s.Predictor != "" {
		bad("predictor", "only the external model has a predictor description (model %s)", s.Model)
	}
	if s.Model == ModelExternal && (s.Test > 0 || s.Validation > 0) {
		// Held-out labels are coded against the model (the verified test
		// loss): not in the plugin protocol (v1), whose plugin learns from
		// every example it predicts.
		bad("test", "the external model codes the pass only (test %d and validation %d, want 0)", s.Test, s.Validation)
	}
	if s.Model == ModelExternal && s.Epochs > 0 {
		// θ* would need the plugin to train on past examples again: not in
		// the plugin protocol (v1), so the pass model is θ*.
		bad("epochs", "the external model has no further training after the pass (epochs 0)")
	}
	if s.Model == ModelTokens {
		if s.Dim < 1 {
			bad("dim", "the tokens model reads at least one token id, got dim %d", s.Dim)
		}
		if s.Vocab < 1 || s.Vocab > maxWidth {
			bad("vocab", "must be in [1, 2^30] for the tokens model, got %d", s.Vocab)
		}
		if s.Embed < 1 || s.Embed > maxWidth {
			bad("embed", "must be in [1, 2^30] for the tokens model, got %d", s.Embed)
		} else if s.Dim <= maxWidth && s.Dim*s.Embed > maxWidth {
			bad("embed", "dim·embed = %d exceeds 2^30", s.Dim*s.Embed)
		}
	} else {
		if s.Vocab != 0 {
			bad("vocab", "only the tokens model has a vocabulary, got %d", s.Vocab)
		}
		if s.Embed != 0 {
			bad("embed", "only the tokens model has embeddings, got %d", s.Embed)
		}
	}
	gradient := s.Model == ModelSoftmax || s.Model == ModelMLP || s.Model == ModelTokens
	switch s.Adapter {
	case AdapterNone:
		if s.Rank != 0 {
			bad("rank", "only the lora adapter has a rank, got %d", s.Rank)
		}
		if s.SparseParams != 0 {
			bad("sparse_params", "only the sparse adapter has it, got %d", s.SparseParams)
		}
	case AdapterLoRA, AdapterSparse:
		if !gradient {
			bad("adapter", "the %s model is not gradient-trained: adapters need softmax, mlp or tokens", s.Model)
		}
		if s.Adapter == AdapterLoRA {
			if s.Rank < 1 || s.Rank > maxWidth {
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
		if !gradient {
			bad("base_sha256", "only softmax, mlp and tokens models start from a checkpoint (model %s)", s.Model)
		}
		if len(s.Base) != 64 || strings.Trim(s.Base, "0123456789abcdef") != "" {
			bad("base_sha256", "must be 64 lowercase hex digits, got %q", s.Base)
		}
		if s.BaseName == "" || strings.ContainsAny(s.BaseName, "/\\") || s.BaseName == "." || s.BaseName == ".." {
			bad("base_name", "must be a plain file name, got %q", s.BaseName)
		}
	}
	if s.ResetHead && s.Base == "" {
		bad("reset_head", "only a run that starts from a base checkpoint (base_sha256) resets its head")
	}
	if s.Model != ModelHypothesis && s.ModelNoise != 0 {
		bad("model_noise", "only the hypothesis model assumes a label noise")
	}
	if s.Model != ModelCNN && (len(s.Conv) > 0 || s.Kernel != 0) {
		bad("conv", "only the cnn model has convolutional layers (conv, kernel)")
	}
	if s.Model != ModelTable && s.Alpha != 0 {
		bad("alpha", "only the table model has a concentration alpha")
	}
	if s.Init != InitZeros && s.Init != InitNormal {
		bad("init", "unknown initialization %q (known: %s, %s)", s.Init, InitZeros, InitNormal)
	}
	if !finite(s.InitScale) || s.InitScale < 0 {
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
		if !finite(s.AdamEps) || s.AdamEps <= 0 {
			bad("adam_eps", "must be finite and positive, got %v", s.AdamEps)
		}
		if s.Optimizer == OptimizerAdam {
			zero("weight_decay", s.WeightDecay)
		} else if !finite(s.WeightDecay) || s.WeightDecay < 0 {
			bad("weight_decay", "must be finite and non-negative, got %v", s.WeightDecay)
		}
	default:
		bad("optimizer", "unknown optimizer %q (known: %s)", s.Optimizer, strings.Join(Optimizers, ", "))
	}
	if s.Epochs < 0 || s.Epochs > 1<<20 {
		bad("epochs", "must be in [0, 2^20], got %d", s.Epochs)
	}
	if s.Validation < 0 || s.Validation > maxCount {
		bad("validation", "must be in [0, 2^40], got %d", s.Validation)
	}
	if s.Epochs > 0 {
		if s.Patience < 1 || s.Patience > s.Epochs {
			bad("patience", "must be in [1, epochs=%d] when epochs > 0, got %d", s.Epochs, s.Patience)
		}
		if s.Validation < 1 {
			bad("validation", "early stopping needs at least one validation example when epochs > 0")
		}
		if s.Model != ModelSoftmax && s.Model != ModelMLP && s.Model != ModelTokens && s.Model != ModelCNN {
			bad("epochs", "only gradient-trained models train further (model %s is exact after the pass)", s.Model)
		}
	} else if s.Patience != 0 {
		bad("patience", "only used when epochs > 0, got %d", s.Patience)
	}
	if !finite(s.LR) || s.LR <= 0 {
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
		if s.BlockEpochs != 0 || s.BlockPatience != 0 || s.BlockValid != 0 || s.BlockWarm || s.BlockCalibrate || s.BlockMix {
			bad("blocks", "block_epochs, block_patience, block_valid, block_warm, block_calibrate and block_mix belong to the blockwise code: set blocks")
		}
		return
	}
	if s.Model != ModelSoftmax && s.Model != ModelMLP && s.Model != ModelTokens && s.Model != ModelCNN {
		bad("blocks", "the blockwise code trains a gradient-trained model per block (softmax, mlp, tokens or cnn), not model %s", s.Model)
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
	if s.BlockValid < 2 || s.BlockValid > maxCount {
		bad("block_valid", "must be in [2, 2^40] with blocks (every block_valid-th example validates), got %d", s.BlockValid)
	}
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
}

// Check reports every limit the spec exceeds, naming the spec field and the limit.
func (l Limits) Check(s Spec) error {
	var errs []error
	over := func(field string, got, max int64, flag string) {
		if max > 0 && got > max {
			errs = append(errs, fmt.Errorf("spec: %s: %d exceeds the limit %d (%s)", field, got, max, flag))
		}
	}
	over("n+test+validation", satAdd(satAdd(max(s.N, 0), max(s.Test, 0)), max(s.Validation, 0)), l.MaxExamples, "max-examples")
	over("classes", s.Classes, l.MaxClasses, "max-classes")
	over("dim", s.Dim, l.MaxDim, "max-dim")
	over("params", s.NumParams(), l.MaxParams, "max-params")
	flag := l.MemoryFlag
	if flag == "" {
		flag = "max-memory"
	}
	if err := s.checkMemory(l.MaxMemory, max(l.Sessions, 1), flag); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
