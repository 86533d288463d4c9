package specflag

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

func parse(t *testing.T, args ...string) spec.Spec {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return *s
}

func TestDefaultIsSpecDefault(t *testing.T) {
	if d := parse(t).Diff(spec.Default()); len(d) != 0 {
		t.Fatalf("no flags should give spec.Default, differs in %q", d)
	}
}

// A flag given explicitly wins over the defaults another flag brings,
// whichever comes first.
func TestDefaultsFollowButNeverOverride(t *testing.T) {
	for _, args := range [][]string{
		{"--optimizer", "adamw", "--beta1", "0.8"},
		{"--beta1", "0.8", "--optimizer", "adamw"},
	} {
		s := parse(t, args...)
		if s.Beta1 != 0.8 || s.Beta2 != 0.999 || s.AdamEps != 1e-8 || s.WeightDecay != 0.01 || s.Beta != 0 {
			t.Errorf("%q: got β1=%v β2=%v ε=%v wd=%v β=%v", args, s.Beta1, s.Beta2, s.AdamEps, s.WeightDecay, s.Beta)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	if s := parse(t, "--optimizer", "momentum"); s.Beta != 0.9 || s.Validate() != nil {
		t.Errorf("momentum: β=%v, %v", s.Beta, s.Validate())
	}
	if s := parse(t, "--optimizer", "adam"); s.WeightDecay != 0 || s.Validate() != nil {
		t.Errorf("adam: wd=%v, %v", s.WeightDecay, s.Validate())
	}
	for _, args := range [][]string{
		{"--task", "modular", "--classes", "7"},
		{"--classes", "7", "--task", "modular"},
	} {
		s := parse(t, args...)
		if s.Dim != 14 || s.Op != spec.OpAdd || s.Notation != spec.NotationOneHot {
			t.Errorf("%q: dim=%d op=%q notation=%q", args, s.Dim, s.Op, s.Notation)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	if s := parse(t, "--dim", "3", "--task", "coupon"); s.Dim != 3 {
		t.Errorf("an explicit --dim was overwritten: %d", s.Dim)
	}
	if s := parse(t, "--task", "coupon", "--model", "table", "--classes", "5"); s.Dim != 1 || s.Keys != 100 || s.Alpha != 0.5 || s.Validate() != nil {
		t.Errorf("coupon/table: dim=%d keys=%d alpha=%v: %v", s.Dim, s.Keys, s.Alpha, s.Validate())
	}
	if s := parse(t, "--epochs", "3", "--validation", "100"); s.Patience != 3 || s.Validate() != nil {
		t.Errorf("epochs 3: patience %d, %v", s.Patience, s.Validate())
	}
	if s := parse(t, "--random-labels"); !s.RandomLabels {
		t.Error("--random-labels without a value must still work as a bool flag")
	}
}

// --model tokens brings its vocabulary, embedding width and, on the modular
// task, the token notation with two input columns, in any flag order;
// explicit values win.
func TestTokensAndAdapterDefaults(t *testing.T) {
	for _, args := range [][]string{
		{"--model", "tokens", "--task", "modular", "--classes", "11"},
		{"--task", "modular", "--classes", "11", "--model", "tokens"},
		{"--classes", "11", "--model", "tokens", "--task", "modular"},
	} {
		s := parse(t, args...)
		if s.Vocab != 11 || s.Embed != 16 || s.Notation != spec.NotationTokens || s.Dim != 2 {
			t.Errorf("%q: vocab %d embed %d notation %q dim %d", args, s.Vocab, s.Embed, s.Notation, s.Dim)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	s := parse(t, "--task", "modular", "--classes", "5", "--notation", "tokens-permuted")
	if s.Dim != 2 {
		t.Errorf("tokens-permuted notation: dim %d, want 2", s.Dim)
	}
	s = parse(t, "--model", "tokens", "--vocab", "20", "--embed", "3", "--task", "modular", "--classes", "7", "--notation", "permuted")
	if s.Vocab != 20 || s.Embed != 3 || s.Dim != 14 {
		t.Errorf("explicit values: vocab %d embed %d dim %d", s.Vocab, s.Embed, s.Dim)
	}
	s = parse(t, "--adapter", "lora", "--model", "mlp", "--hidden", "8")
	if s.Rank != 4 || s.Validate() != nil {
		t.Errorf("lora: rank %d, %v", s.Rank, s.Validate())
	}
	s = parse(t, "--rank", "2", "--adapter", "lora")
	if s.Rank != 2 || s.TrainableParams() != 2*(16+10) {
		t.Errorf("lora rank 2: rank %d, trainable %d", s.Rank, s.TrainableParams())
	}
	s = parse(t, "--adapter", "sparse", "--sparse-params", "30")
	if s.TrainableParams() != 30 || s.NumParams() != 170 || s.Validate() != nil {
		t.Errorf("sparse: %d of %d, %v", s.TrainableParams(), s.NumParams(), s.Validate())
	}
}

func TestBaseFlagNamesTheFileByHash(t *testing.T) {
	path := t.TempDir() + "/pre.ckpt"
	if err := os.WriteFile(path, []byte("checkpoint bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s := Register(fs)
	if err := fs.Parse([]string{"--base", path}); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte("checkpoint bytes"))
	if s.Base != hex.EncodeToString(h[:]) || s.BaseName != "pre.ckpt" || BasePath(fs) != path {
		t.Fatalf("base %q name %q path %q", s.Base, s.BaseName, BasePath(fs))
	}
	if err := fs.Parse([]string{"--base", path + ".missing"}); err == nil {
		t.Fatal("a missing base file was accepted")
	}
}

// The tagged notations bring --notations 4 and dim 2p + notations; a later
// notation that reads no scripts drops the brought value (never one the
// user gave), in any flag order.
func TestTaggedNotationDefaults(t *testing.T) {
	for _, args := range [][]string{
		{"--task", "modular", "--classes", "7", "--notation", "tagged", "--notation", "onehot"},
		{"--notation", "tagged", "--task", "modular", "--classes", "7", "--notation", "onehot"},
		{"--notation", "untagged", "--classes", "7", "--notation", "permuted", "--task", "modular"},
		{"--task", "modular", "--notation", "onehot", "--classes", "7", "--notation", "tagged", "--notation", "onehot"},
	} {
		s := parse(t, args...)
		if s.Notations != 0 || s.Dim != 14 {
			t.Errorf("%q: notations %d dim %d, want 0 and 14", args, s.Notations, s.Dim)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	for _, args := range [][]string{
		{"--task", "modular", "--notation", "untagged", "--classes", "92"},
		{"--classes", "92", "--notation", "untagged", "--task", "modular"},
		{"--notation", "untagged", "--task", "modular", "--classes", "92"},
		{"--task", "modular", "--classes", "92", "--notation", "onehot", "--notation", "untagged"},
	} {
		s := parse(t, args...)
		if s.Notations != 4 || s.Dim != 50 || s.Classes != 92 {
			t.Errorf("%q: notations %d dim %d classes %d, want 4, 50, 92", args, s.Notations, s.Dim, s.Classes)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	for _, args := range [][]string{
		{"--dim", "7", "--task", "modular", "--notation", "untagged", "--classes", "92"},
		{"--task", "modular", "--notation", "untagged", "--classes", "92", "--dim", "7"},
	} {
		if s := parse(t, args...); s.Dim != 7 {
			t.Errorf("%q: an explicit --dim was overwritten: %d", args, s.Dim)
		}
	}
	// Scripts the user gave stay, and the spec says they are misplaced.
	s := parse(t, "--task", "modular", "--notations", "3", "--notation", "tagged", "--notation", "onehot")
	if err := s.Validate(); s.Notations != 3 || err == nil || !strings.Contains(err.Error(), "spec: notations:") {
		t.Errorf("explicit --notations 3 with onehot: notations %d, %v", s.Notations, err)
	}
}

// --help prints the defaults the usage texts do not state themselves, and
// none beside a text that states its own.
func TestHelpDefaults(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var b strings.Builder
	fs.SetOutput(&b)
	Register(fs)
	fs.PrintDefaults()
	fs.VisitAll(func(f *flag.Flag) {
		if strings.Contains(f.Usage, "(default") && f.DefValue != "" {
			t.Errorf("--%s states its default and keeps DefValue %q", f.Name, f.DefValue)
		}
	})
	help := b.String()
	for _, want := range []string{"(default synthetic)", "(default 1)", "(default 10000)", "(default 0.5)"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	for _, bad := range []string{"panic", "(default 0)", "PANIC"} {
		if strings.Contains(help, bad) {
			t.Errorf("--help prints %q:\n%s", bad, help)
		}
	}
}

// A later --model or --task takes away the fields the earlier one brought
// (its own flags' fields), never those the user gave.
func TestSelectionChangeDropsBroughtFields(t *testing.T) {
	for _, args := range [][]string{
		{"--model", "cnn", "--model", "mlp", "--hidden", "8"},
		{"--model", "table", "--model", "kt"},
		{"--model", "tokens", "--model", "softmax"},
		{"--task", "parity", "--task", "synthetic", "--classes", "10"},
		{"--task", "format", "--task", "synthetic", "--classes", "10", "--dim", "16", "--keys", "0"},
	} {
		if err := parse(t, args...).Validate(); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	s := parse(t, "--kernel", "3", "--model", "cnn", "--model", "mlp", "--hidden", "8")
	if err := s.Validate(); s.Kernel != 3 || err == nil || !strings.Contains(err.Error(), "spec: kernel:") {
		t.Errorf("an explicit --kernel with mlp: kernel %d, %v", s.Kernel, err)
	}
}
