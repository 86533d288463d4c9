package task

import (
	"strings"

	"github.com/edlwire/edlwire/shared/spec"
)

// The built-in tasks register while the package's variables initialize,
// before any init function runs: they keep this order (the order of
// --task's help and of "known:" lists) ahead of tasks that other files add
// with Register in an init function.
var _ = registerBuiltins()

func registerBuiltins() bool {
	for _, r := range []Registration{
		syntheticTask, fileTask, hypothesisTask, couponTask, parityTask, modularTask, rareTask, formatTask, mnistTask,
	} {
		Register(r)
	}
	return true
}

// Default task settings the flags bring.
const (
	defaultCouponKeys  = 100
	defaultParityBits  = 3
	defaultRareWeight  = 0.1
	defaultNotations   = 4   // the tagged and untagged notations
	defaultFormatVocab = 256 // the format task: classes
	defaultFormatKeys  = 64
	defaultAnswers     = 8
)

func wantDim(s spec.Spec, bad spec.Bad, d int64) {
	if s.Dim != d {
		bad("dim", "the %s task has %d input columns, got %d", s.Task, d, s.Dim)
	}
}

// seededTask generates inputs and labels with seeded.go's generators.
func seededTask(sec spec.Section) Registration {
	return Registration{
		Spec:   sec,
		Inputs: seededSplits,
		Rule:   seededRule,
	}
}

// seededSplits generates the three splits of a seeded task (the synthetic
// task and seeded.go's) in full, row by row with fillerOf's generators,
// which NewStreamInputs runs through a window instead: the same bits.
func seededSplits(s spec.Spec) (*Inputs, error) {
	return &Inputs{
		Train: fillerOf(s, "train").dense(int(s.N)),
		Valid: fillerOf(s, "valid").dense(int(s.Validation)),
		Test:  fillerOf(s, "test").dense(int(s.Test)),
	}, nil
}

// teacherMemory is a linear teacher's classes·dim matrix, twice.
func teacherMemory(s spec.Spec) int64 {
	return spec.SatMul(spec.SatMul(spec.SatMul(max(s.Classes, 0), max(s.Dim, 0)), 8), 2)
}

func keysMemory(s spec.Spec) int64 { return spec.SatMul(max(s.Keys, 0), 8) }

func classesMemory(s spec.Spec) int64 { return spec.SatMul(max(s.Classes, 0), 16) }

// syntheticTask: a hidden linear teacher on normal inputs (doc.go).
var syntheticTask = Registration{
	Spec: spec.Section{
		Name: spec.TaskSynthetic,
		Validate: func(s spec.Spec, bad spec.Bad) {
			if s.Dim < 1 {
				bad("dim", "must be at least 1 for the synthetic task, got %d", s.Dim)
			}
		},
		Memory: teacherMemory,
	},
	Inputs: seededSplits,
	Rule:   synthRule,
}

// fileTask: a CSV or JSONL dataset both sides hold, named by DataName and
// checked by DataSHA256 (csv.go); its examples come from the table.
var fileTask = Registration{
	Spec: spec.Section{
		Name:     spec.TaskFile,
		Implicit: true,
		Owns:     []string{"data_name", "data_sha256", "test_data_name", "test_data_sha256", "label_column", "standardize", "shuffle", "shuffle_seed"},
		Validate: func(s spec.Spec, bad spec.Bad) {
			if s.Dim < 0 {
				bad("dim", "must not be negative, got %d", s.Dim)
			}
			if !spec.PlainFileName(s.DataName) {
				bad("data_name", "must be a plain file name, got %q", s.DataName)
			}
			if !spec.Hex256(s.DataSHA256) {
				bad("data_sha256", "must be 64 lowercase hex digits, got %q", s.DataSHA256)
			}
			if s.TestDataName != "" || s.TestDataSHA256 != "" {
				if !spec.PlainFileName(s.TestDataName) {
					bad("test_data_name", "must be a plain file name, got %q", s.TestDataName)
				}
				if !spec.Hex256(s.TestDataSHA256) {
					bad("test_data_sha256", "must be 64 lowercase hex digits, got %q", s.TestDataSHA256)
				}
			}
		},
	},
}

// hypothesisTask: y = (x + j*) mod M for a hidden j* < m, x ∈ [0, M).
var hypothesisTask = seededTask(spec.Section{
	Name: spec.TaskHypothesis,
	Owns: []string{"hypotheses"},
	Validate: func(s spec.Spec, bad spec.Bad) {
		wantDim(s, bad, 1)
		if s.Hypotheses < 1 || s.Hypotheses > s.Classes {
			bad("hypotheses", "must be in [1, classes=%d], got %d", s.Classes, s.Hypotheses)
		}
	},
	Defaults: func(s *spec.Spec, given func(string) bool) {
		if !given("dim") {
			s.Dim = 1
		}
	},
	Memory: classesMemory,
})

// couponTask: Keys concepts, each a hidden value in [0, Classes).
var couponTask = seededTask(spec.Section{
	Name: spec.TaskCoupon,
	Owns: []string{"keys", "rare_weight"},
	Validate: func(s spec.Spec, bad spec.Bad) {
		wantDim(s, bad, 1)
		if s.Keys < 1 || s.Keys > spec.MaxWidth {
			bad("keys", "must be in [1, 2^30], got %d", s.Keys)
		}
		// RareWeight > 0 splits the keys: key 0 is common (1 − π), keys
		// 1..Keys−1 share π (the rare-inputs and format toys).
		if !spec.Finite(s.RareWeight) || s.RareWeight < 0 || s.RareWeight > 1 || (s.RareWeight > 0 && s.Keys < 2) {
			bad("rare_weight", "must be in [0, 1] (and keys >= 2 when positive) for the coupon task, got %v", s.RareWeight)
		}
	},
	Defaults: func(s *spec.Spec, given func(string) bool) {
		if !given("dim") {
			s.Dim = 1
		}
		if !given("keys") {
			s.Keys = defaultCouponKeys
		}
	},
	Memory: keysMemory,
})

// parityTask: y = XOR of a hidden subset of ParityBits of Dim input bits.
var parityTask = seededTask(spec.Section{
	Name: spec.TaskParity,
	Owns: []string{"parity_bits"},
	Flags: []spec.Flag{
		{Field: "parity_bits", Name: "parity-bits", Usage: "parity task: size of the hidden subset of the dim input bits"},
	},
	Validate: func(s spec.Spec, bad spec.Bad) {
		if s.Dim < 1 || s.Dim > 64 {
			bad("dim", "the parity task needs 1 to 64 input bits, got %d", s.Dim)
		}
		if s.ParityBits < 1 || s.ParityBits > s.Dim {
			bad("parity_bits", "must be in [1, dim=%d], got %d", s.Dim, s.ParityBits)
		}
		if s.Classes != 2 {
			bad("classes", "parity has 2 classes, got %d", s.Classes)
		}
	},
	Defaults: func(s *spec.Spec, given func(string) bool) {
		if !given("classes") {
			s.Classes = 2
		}
		if !given("parity_bits") {
			s.ParityBits = defaultParityBits
		}
	},
})

// modularTask: y = a Op b mod p (p = Classes), inputs in one Notation.
var modularTask = seededTask(spec.Section{
	Name: spec.TaskModular,
	Owns: []string{"op", "notation", "notations"},
	Flags: []spec.Flag{
		{Field: "op", Name: "op", Usage: "modular task: add, sub or mul"},
		{Field: "notation", Name: "notation", Usage: "modular task: onehot, permuted (the same skill, input symbols relabelled), tokens, tokens-permuted, answers-permuted (onehot inputs, answers in a fixed permuted alphabet), tagged (--classes = notations·p answers in --notations scripts of p symbols; onehot a, b and a tag naming the script, or no tag and any script) or untagged (no tag, answers in the last script)"},
		{Field: "notations", Name: "notations", Usage: "modular task, tagged and untagged notations: the number of answer scripts (default 4)"},
	},
	Validate: func(s spec.Spec, bad spec.Bad) {
		tokens := tokenNotation(s)
		tagged := spec.TaggedNotation(s.Notation)
		switch {
		case tokens:
			wantDim(s, bad, 2)
			if s.Model == spec.ModelTokens && s.Vocab < s.Classes {
				bad("vocab", "the %s notation writes ids up to p-1 = %d, vocab %d is too small", s.Notation, s.Classes-1, s.Vocab)
			}
		case tagged:
			if s.Model == spec.ModelTokens {
				bad("model", "the %s notation writes one-hot blocks (a, b and the tag), not token ids: use an mlp or softmax model", s.Notation)
			}
			if s.Notations < 2 || s.Notations > 64 {
				bad("notations", "the %s notation needs 2 to 64 scripts, got %d", s.Notation, s.Notations)
			} else if s.Classes%s.Notations != 0 || s.Classes/s.Notations < 2 {
				bad("classes", "the %s notation writes p symbols in each of notations = %d scripts: classes must be notations·p with p ≥ 2, got %d", s.Notation, s.Notations, s.Classes)
			} else if s.Classes <= spec.MaxWidth/2 {
				wantDim(s, bad, 2*(s.Classes/s.Notations)+s.Notations)
			}
		case s.Classes <= spec.MaxWidth/2:
			wantDim(s, bad, 2*s.Classes)
		}
		if !tagged && s.Notations != 0 {
			bad("notations", "only the tagged and untagged notations have scripts (notation %q)", s.Notation)
		}
		if s.Op != spec.OpAdd && s.Op != spec.OpSub && s.Op != spec.OpMul {
			bad("op", "unknown operation %q (known: %s, %s, %s)", s.Op, spec.OpAdd, spec.OpSub, spec.OpMul)
		}
		if s.Notation != spec.NotationOneHot && s.Notation != spec.NotationPermuted && s.Notation != spec.NotationAnswersPermuted && !tokens && !tagged {
			bad("notation", "unknown notation %q (known: %s)", s.Notation, strings.Join(spec.Notations, ", "))
		}
	},
	// The dimension follows the modulus and the notation, whichever flag
	// comes last; a tagged notation given earlier brought its scripts,
	// which no other notation reads.
	Defaults: func(s *spec.Spec, given func(string) bool) {
		def := func(field string, dst *int64, v int64) {
			if !given(field) {
				*dst = v
			}
		}
		if !given("op") {
			s.Op = spec.OpAdd
		}
		if !given("notation") {
			s.Notation = spec.NotationOneHot
		}
		switch {
		case tokenNotation(*s):
			def("notations", &s.Notations, 0)
			def("dim", &s.Dim, 2)
		case spec.TaggedNotation(s.Notation):
			def("notations", &s.Notations, defaultNotations)
			if s.Notations > 0 {
				def("dim", &s.Dim, 2*(s.Classes/s.Notations)+s.Notations)
			}
		default:
			def("notations", &s.Notations, 0)
			def("dim", &s.Dim, 2*s.Classes)
		}
	},
	Memory: classesMemory,
})

// rareTask: a linear teacher, plus a rare region of weight RareWeight with
// its own teacher.
var rareTask = seededTask(spec.Section{
	Name: spec.TaskRare,
	Owns: []string{"rare_weight"},
	Validate: func(s spec.Spec, bad spec.Bad) {
		if s.Dim < 1 {
			bad("dim", "must be at least 1 for the rare task, got %d", s.Dim)
		}
		if !spec.Finite(s.RareWeight) || s.RareWeight < 0 || s.RareWeight > 1 {
			bad("rare_weight", "must be in [0, 1], got %v", s.RareWeight)
		}
	},
	Defaults: func(s *spec.Spec, given func(string) bool) {
		if !given("rare_weight") {
			s.RareWeight = defaultRareWeight
		}
	},
	Memory: teacherMemory,
})

// formatTask: Keys keys, each mapped to one of Answers seeded symbols of a
// Classes-symbol vocabulary (format.go).
var formatTask = func() Registration {
	r := seededTask(spec.Section{
		Name: spec.TaskFormat,
		Owns: []string{"keys", "answers"},
		Flags: []spec.Flag{
			{Field: "answers", Name: "answers", Usage: "format task: |S|, how many of the --classes symbols answers use (default 8; the task's defaults: classes 256, keys 64, dim keys one-hot, or 1 for the table model)"},
		},
		Validate: func(s spec.Spec, bad spec.Bad) {
			if s.Keys < 1 || s.Keys > spec.MaxWidth {
				bad("keys", "must be in [1, 2^30], got %d", s.Keys)
			} else if s.Dim != 1 && s.Dim != s.Keys {
				bad("dim", "the format task writes the key as one integer (dim 1) or one-hot (dim = keys = %d), got %d", s.Keys, s.Dim)
			} else if s.Model == spec.ModelTokens && (s.Dim != 1 || s.Vocab < s.Keys) {
				bad("vocab", "the tokens model reads the format task's key as one token id (dim 1) in [0, vocab), keys = %d: got dim %d, vocab %d", s.Keys, s.Dim, s.Vocab)
			} else if s.Dim == 1 && s.Keys > 1 && (s.Model == spec.ModelSoftmax || s.Model == spec.ModelMLP) {
				bad("dim", "the %s model reads the format task's key one-hot (dim = keys = %d); dim 1 writes it as one integer, for the table and tokens models", s.Model, s.Keys)
			}
			if s.Answers < 2 || s.Answers > s.Classes {
				bad("answers", "must be in [2, classes=%d] for the format task, got %d", s.Classes, s.Answers)
			}
		},
		// The key is written one-hot (dim = keys), or as one integer for
		// the table and tokens models, whichever flag comes last.
		Defaults: func(s *spec.Spec, given func(string) bool) {
			if !given("classes") {
				s.Classes = defaultFormatVocab
			}
			if !given("keys") {
				s.Keys = defaultFormatKeys
			}
			if !given("answers") {
				s.Answers = defaultAnswers
			}
			if !given("dim") {
				if s.Model == spec.ModelTable || s.Model == spec.ModelTokens {
					s.Dim = 1
				} else {
					s.Dim = s.Keys
				}
			}
		},
		Memory: keysMemory,
	})
	r.RandomLabels = formatRandomRule
	return r
}()

// mnistTask: the MNIST digits (mnist.go).
var mnistTask = Registration{
	Spec: spec.Section{
		Name: spec.TaskMNIST,
		Owns: []string{"shuffle", "shuffle_seed"},
		Validate: func(s spec.Spec, bad spec.Bad) {
			wantDim(s, bad, spec.MNISTSide*spec.MNISTSide)
			if s.Classes != 10 {
				bad("classes", "mnist has 10 classes, got %d", s.Classes)
			}
			if s.N+max(s.Validation, 0) > spec.MNISTTrain {
				bad("n", "n + validation must be at most the %d mnist training images, got %d + %d", spec.MNISTTrain, s.N, s.Validation)
			}
			if s.Test > spec.MNISTTest {
				bad("test", "must be at most the %d mnist test images, got %d", spec.MNISTTest, s.Test)
			}
		},
		Defaults: func(s *spec.Spec, given func(string) bool) {
			if !given("classes") {
				s.Classes = 10
			}
			if !given("dim") {
				s.Dim = spec.MNISTSide * spec.MNISTSide
			}
		},
	},
	Inputs: mnistInputs,
	Labels: func(s spec.Spec, _ *Inputs) (*Labels, error) { return mnistLabels(s) },
}
