package model

import (
	"github.com/edlwire/edlwire/shared/spec"
)

// The built-in families register while the package's variables initialize,
// which Go does before any init function runs: they keep this order (the
// order of --model's help and of "known:" lists) ahead of families that
// other files add with Register in an init function.
var _ = registerBuiltins()

func registerBuiltins() bool {
	for _, r := range []Registration{
		softmaxModel, mlpModel, tokensModel, dirichletModel(spec.ModelKT, 0.5), dirichletModel(spec.ModelLaplace, 1),
		hypothesisModel, tableModel, cnnModel, externalModel,
	} {
		Register(r)
	}
	return true
}

// Default layer settings the flags bring.
const (
	defaultEmbed  = 16 // tokens
	defaultAlpha  = 0.5
	defaultKernel = 5 // cnn
)

// defaultConv is the cnn's LeNet-like default convolutions.
var defaultConv = []int64{8, 16}

func ints(v []int64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// checkHidden reports hidden widths out of range.
func checkHidden(s spec.Spec, bad spec.Bad) {
	for i, h := range s.Hidden {
		if h < 1 || h > spec.MaxWidth {
			bad("hidden", "layer %d has width %d, want [1, 2^30]", i+1, h)
		}
	}
}

func checkActivation(s spec.Spec, bad spec.Bad) {
	if s.Activation != spec.ActReLU && s.Activation != spec.ActTanh && s.Activation != spec.ActGELU {
		bad("activation", "unknown activation %q (known: %s, %s, %s)", s.Activation, spec.ActReLU, spec.ActTanh, spec.ActGELU)
	}
}

// denseWidths is the dense widths from an input width: hidden, then classes.
func denseWidths(s spec.Spec, in int64) []int64 {
	out := append([]int64{in}, s.Hidden...)
	return append(out, s.Classes)
}

func newDense(s spec.Spec) (Model, error) {
	return NewMLP(ints(s.DenseSizes()), s.Activation), nil
}

var softmaxModel = Registration{
	Spec: spec.Section{
		Name:     spec.ModelSoftmax,
		Gradient: true,
		Dense:    func(s spec.Spec) []int64 { return []int64{s.Dim, s.Classes} },
		Params:   func(s spec.Spec) int64 { return spec.SatAdd(spec.SatMul(s.Classes, s.Dim), s.Classes) },
	},
	New: newDense,
}

// mlpModel: Hidden layers with Activation, then softmax.
var mlpModel = Registration{
	Spec: spec.Section{
		Name:     spec.ModelMLP,
		Owns:     []string{"hidden"},
		Gradient: true,
		Validate: func(s spec.Spec, bad spec.Bad) {
			if len(s.Hidden) == 0 {
				bad("hidden", "an mlp needs at least one hidden layer")
			}
			checkHidden(s, bad)
			checkActivation(s, bad)
		},
		Dense:  func(s spec.Spec) []int64 { return denseWidths(s, s.Dim) },
		Params: func(s spec.Spec) int64 { return spec.DenseParams(denseWidths(s, s.Dim)) },
	},
	New: newDense,
}

// tokensModel: Dim token ids, a shared Vocab×Embed embedding, concatenated,
// then the mlp.
var tokensModel = Registration{
	Spec: spec.Section{
		Name:     spec.ModelTokens,
		Owns:     []string{"hidden", "vocab", "embed"},
		Gradient: true,
		Flags: []spec.Flag{
			{Field: "vocab", Name: "vocab", Usage: "tokens model: token alphabet size, ids in [0, vocab) (default: classes)"},
			{Field: "embed", Name: "embed", Usage: "tokens model: embedding width (default 16)"},
		},
		Validate: func(s spec.Spec, bad spec.Bad) {
			checkHidden(s, bad)
			checkActivation(s, bad)
			if s.Dim < 1 {
				bad("dim", "the tokens model reads at least one token id, got dim %d", s.Dim)
			}
			if s.Vocab < 1 || s.Vocab > spec.MaxWidth {
				bad("vocab", "must be in [1, 2^30] for the tokens model, got %d", s.Vocab)
			}
			if s.Embed < 1 || s.Embed > spec.MaxWidth {
				bad("embed", "must be in [1, 2^30] for the tokens model, got %d", s.Embed)
			} else if s.Dim <= spec.MaxWidth && s.Dim*s.Embed > spec.MaxWidth {
				bad("embed", "dim·embed = %d exceeds 2^30", s.Dim*s.Embed)
			}
		},
		// The modular task in its token notation (two ids, vocab = p)
		// unless --notation, --dim or --vocab say otherwise.
		Defaults: func(s *spec.Spec, given func(string) bool) {
			if !given("vocab") {
				s.Vocab = s.Classes
			}
			if !given("embed") {
				s.Embed = defaultEmbed
			}
			if s.Task == spec.TaskModular && !given("notation") {
				s.Notation = spec.NotationTokens
			}
			if (s.Notation == spec.NotationTokens || s.Notation == spec.NotationTokensPermuted) && !given("dim") {
				s.Dim = 2
			}
		},
		Dense: func(s spec.Spec) []int64 { return denseWidths(s, spec.SatMul(s.Dim, s.Embed)) },
		Params: func(s spec.Spec) int64 {
			return spec.SatAdd(spec.SatMul(s.Vocab, s.Embed), spec.DenseParams(denseWidths(s, spec.SatMul(s.Dim, s.Embed))))
		},
	},
	New: func(s spec.Spec) (Model, error) {
		return NewTokens(int(s.Vocab), int(s.Embed), int(s.Dim), ints(s.Hidden), s.Activation, int(s.Classes)), nil
	},
}

// dirichletModel: the kt (α = ½) and laplace (α = 1) estimators, which
// ignore the inputs.
func dirichletModel(name string, alpha float64) Registration {
	return Registration{
		Spec: spec.Section{
			Name:   name,
			Params: func(s spec.Spec) int64 { return s.Classes },
		},
		New: func(s spec.Spec) (Model, error) { return NewDirichlet(name, int(s.Classes), alpha), nil },
	}
}

// hypothesisModel: the exact posterior over h_j(x) = (x + j) mod Classes,
// j < Hypotheses, noise ModelNoise.
var hypothesisModel = Registration{
	Spec: spec.Section{
		Name: spec.ModelHypothesis,
		Owns: []string{"hypotheses", "model_noise"},
		Flags: []spec.Flag{
			{Field: "model_noise", Name: "model-noise", Usage: "hypothesis model: the label noise ε it assumes"},
		},
		Validate: func(s spec.Spec, bad spec.Bad) {
			if s.Dim != 1 {
				bad("dim", "the hypothesis model reads one integer input, got dim %d", s.Dim)
			}
			if s.Hypotheses < 1 || s.Hypotheses > s.Classes {
				bad("hypotheses", "must be in [1, classes=%d], got %d", s.Classes, s.Hypotheses)
			}
			if !spec.Finite(s.ModelNoise) || s.ModelNoise < 0 || s.ModelNoise > float64(s.Classes-1)/float64(s.Classes) {
				bad("model_noise", "must be in [0, (classes-1)/classes], got %v", s.ModelNoise)
			}
		},
		Params: func(s spec.Spec) int64 { return spec.SatAdd(s.Hypotheses, 1) },
	},
	New: func(s spec.Spec) (Model, error) {
		return NewHypothesis(int(s.Classes), int(s.Hypotheses), s.ModelNoise), nil
	},
}

// tableModel: a per-key Dirichlet(Alpha) memorizer over Keys integer keys.
var tableModel = Registration{
	Spec: spec.Section{
		Name: spec.ModelTable,
		Owns: []string{"keys", "alpha"},
		Flags: []spec.Flag{
			{Field: "alpha", Name: "alpha", Usage: "table model: Dirichlet concentration per class (default 0.5)"},
		},
		Validate: func(s spec.Spec, bad spec.Bad) {
			if s.Dim != 1 {
				bad("dim", "the table model reads one integer key, got dim %d", s.Dim)
			}
			if s.Keys < 1 || s.Keys > spec.MaxWidth {
				bad("keys", "must be in [1, 2^30], got %d", s.Keys)
			}
			if !spec.Finite(s.Alpha) || s.Alpha <= 0 {
				bad("alpha", "must be finite and positive, got %v", s.Alpha)
			}
		},
		Defaults: func(s *spec.Spec, given func(string) bool) {
			if !given("alpha") {
				s.Alpha = defaultAlpha
			}
		},
		Params: func(s spec.Spec) int64 { return spec.SatMul(s.Keys, s.Classes) },
	},
	New: func(s spec.Spec) (Model, error) { return NewTable(int(s.Keys), int(s.Classes), s.Alpha), nil },
}

// cnnSide is the side of the cnn's square image: the least side whose
// square holds dim pixels (dim is a square in a valid spec).
func cnnSide(s spec.Spec) int64 { return spec.ImageSide(s.Dim) }

// cnnFeatures is the width of the cnn's flattened feature map, the input of
// its dense head: every 2×2 max-pool halves the side (rounding down) and the
// last convolution's channels are kept; 0 for a spec that is not a valid cnn.
func cnnFeatures(s spec.Spec) int64 {
	side := cnnSide(s)
	if len(s.Conv) == 0 || side*side != s.Dim {
		return 0
	}
	return spec.SatMul(spec.SatMul(side>>len(s.Conv), side>>len(s.Conv)), s.Conv[len(s.Conv)-1])
}

// cnnModel: square one-channel images, Conv layers (Kernel×Kernel, same
// padding, relu, 2×2 max-pool), then the mlp's Hidden layers.
var cnnModel = Registration{
	Spec: spec.Section{
		Name:     spec.ModelCNN,
		Owns:     []string{"hidden", "conv", "kernel"},
		Gradient: true,
		Flags: []spec.Flag{
			{Field: "conv", Name: "conv", Usage: "cnn model: output channels of each convolutional layer (each kernel×kernel, same padding, relu, 2×2 max-pool), comma-separated (default 8,16)"},
			{Field: "kernel", Name: "kernel", Usage: "cnn model: the odd side of the square convolution kernels (default 5)"},
		},
		Validate: func(s spec.Spec, bad spec.Bad) {
			checkHidden(s, bad)
			if s.Activation != spec.ActReLU {
				bad("activation", "the cnn's hidden layers use relu, got %q", s.Activation)
			}
			side := cnnSide(s)
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
		},
		Defaults: func(s *spec.Spec, given func(string) bool) {
			if !given("kernel") {
				s.Kernel = defaultKernel
			}
			if !given("conv") {
				s.Conv = append([]int64(nil), defaultConv...)
			}
		},
		// The convolutions' kernels and biases, then the dense head's.
		Params: func(s spec.Spec) int64 {
			var p int64
			in := int64(1)
			for _, c := range s.Conv {
				p = spec.SatAdd(p, spec.SatAdd(spec.SatMul(c, spec.SatMul(in, spec.SatMul(s.Kernel, s.Kernel))), c))
				in = c
			}
			return spec.SatAdd(p, spec.DenseParams(denseWidths(s, cnnFeatures(s))))
		},
	},
	New: func(s spec.Spec) (Model, error) {
		return NewCNN(int(cnnSide(s)), int(s.Kernel), ints(s.Conv), ints(s.Hidden), int(s.Classes)), nil
	},
}

// externalModel is a predictor plugin (proto/predictor.proto) that both
// sides start themselves; Predictor is its own model description. The
// spec's optimizer fields do not apply: the plugin trains itself.
var externalModel = Registration{
	Spec: spec.Section{
		Name: spec.ModelExternal,
		Owns: []string{"predictor"},
		Flags: []spec.Flag{
			{Field: "predictor", Name: "predictor-spec", Usage: "model external: the plugin's own model description, passed to its Init and part of the spec (JSON for the torch plugin)"},
		},
		Validate: func(s spec.Spec, bad spec.Bad) {
			if s.Epochs > 0 {
				// θ* would train the plugin on past examples again and
				// restore the best epoch's state (Update, then Load of a
				// Save): not wired, so the pass model is θ*. Held-out
				// labels need Predict only.
				bad("epochs", "the external model has no further training after the pass (epochs 0)")
			}
		},
		Defaults: func(s *spec.Spec, given func(string) bool) {
			if !given("test") {
				// Held-out labels are coded against the pass model when
				// asked for (--test, --validation); by default a plugin
				// codes the pass only, as before held-out coding existed.
				s.Test = 0
			}
		},
	},
	External: true,
}
