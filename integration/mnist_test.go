package integration

import (
	"bytes"
	"encoding/hex"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// mnistBlockSpec is the reduced MNIST case of the blockwise code: 512
// labels, a tiny cnn (one 3×3 convolution of 4 channels, no hidden layer),
// blocks ending at 64, 128 and 256, training images shifted by up to one
// pixel (block_augment: both sides must draw the same shifts), each block
// coded by an ensemble of two models (block_ensemble).
func mnistBlockSpec() (spec.Spec, []string) {
	s := spec.Default()
	s.Task, s.Dim, s.Classes, s.N, s.Test = spec.TaskMNIST, 784, 10, 512, 200
	s.Model, s.Conv, s.Kernel, s.Hidden, s.Activation = spec.ModelCNN, []int64{4}, 3, nil, spec.ActReLU
	s.Init, s.InitScale = spec.InitNormal, 1
	s.Optimizer, s.LR, s.Batch, s.Beta1, s.Beta2, s.AdamEps = spec.OptimizerAdam, 0.003, 16, 0.9, 0.999, 1e-8
	s.Blocks, s.BlockEpochs, s.BlockPatience, s.BlockValid = []int64{64, 128, 256}, 4, 2, 8
	s.BlockAugment, s.BlockEnsemble = 1, 2
	return s, specArgs("task", "mnist", "model", "cnn", "conv", "4", "kernel", "3", "hidden", "", "n", "512", "test", "200",
		"init", "normal", "init-scale", "1", "optimizer", "adam", "lr", "0.003", "batch", "16",
		"blocks", "64,128,256", "block-epochs", "4", "block-patience", "2", "block-valid", "8", "block-augment", "1", "block-ensemble", "2")
}

// useModuleMNIST points package task at the GoMNIST module's files (or
// $EDL_MNIST_DIR), as the commands' cmd/internal/mnistfiles does for them.
func useModuleMNIST(t *testing.T) {
	t.Helper()
	dir := os.Getenv("EDL_MNIST_DIR")
	if dir == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			t.Fatalf("go env GOMODCACHE: %v", err)
		}
		dir = filepath.Join(strings.TrimSpace(string(out)), "github.com", "petar", "!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63", "data")
	}
	task.SetMNISTSource(func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) })
}

// The blockwise code on real data between real processes: Bob decodes the
// MNIST labels, trains every block's model as Alice does (their
// fingerprints match at each block end), ends at the fingerprint and code
// length the in-memory pipe computes for the same spec, and both report
// the same per-block figures; the first block costs the uniform code and
// the coded bits are within the coder's flush of Σ −log₂ f/2²⁴.
func TestMNISTBlockwiseOverTheWire(t *testing.T) {
	ctx := testContext(t)
	useModuleMNIST(t)
	sp, args := mnistBlockSpec()
	dir := t.TempDir()
	bob := startBob(t, "--once", "--labels-out", filepath.Join(dir, "bob.labels"), "--model-out", filepath.Join(dir, "bob.model"))
	res := runAlice(ctx, t, append([]string{"--bob", bob.addr, "--model-out", filepath.Join(dir, "alice.model")}, args...)...)
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	session := bob.next(t, "session", 60*time.Second)
	if err := bob.wait(t, 30*time.Second); err != nil {
		t.Fatalf("bob --once exited with %v", err)
	}
	rep := res.report
	h := sp.Hash()
	if got := str(t, rep, "spec_hash"); got != hex.EncodeToString(h[:]) {
		t.Fatalf("alice's spec hash %s is not the test's spec (%x)", got, h)
	}

	// Bob's labels are MNIST's, and the models are the same bytes.
	in, lab, err := task.Build(sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := readLabels(t, filepath.Join(dir, "bob.labels")); !reflect.DeepEqual(got, lab.Train) {
		t.Fatalf("bob decoded %d labels that are not MNIST's first %d", len(got), sp.N)
	}
	am, err := os.ReadFile(filepath.Join(dir, "alice.model"))
	if err != nil {
		t.Fatal(err)
	}
	bm, err := os.ReadFile(filepath.Join(dir, "bob.model"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(am, bm) || str(t, rep, "fingerprint") != str(t, session, "fingerprint") {
		t.Fatalf("final models differ: alice %s, bob %s", rep["fingerprint"], session["fingerprint"])
	}
	// A checkpoint at every block end, the end of the pass and the end of
	// the test labels, all matched.
	if m := num(t, rep, "checkpoints_matched"); m != float64(len(sp.Blocks)+2) || rep["bob_verified"] != true {
		t.Fatalf("checkpoints_matched %v (want %d), bob_verified %v", m, len(sp.Blocks)+2, rep["bob_verified"])
	}

	// The same spec through the in-memory pipe: the same fingerprint and
	// bytes, whatever the transport.
	opts := prequential.Options{HeldOut: true}
	a, err := prequential.NewWithOptions(sp, in, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := prequential.NewWithOptions(sp, in, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := transmit.Pipe(a, b, lab, transmit.PipeHooks{})
	if err != nil {
		t.Fatal(err)
	}
	if fp := p.Figures.Final.Fingerprint; str(t, rep, "fingerprint") != hex.EncodeToString(fp[:]) ||
		num(t, rep, "coded_bits") != float64(p.Figures.CodedBits()) {
		t.Fatalf("over the wire: fingerprint %s, %v coded bits; in memory %x, %d", rep["fingerprint"], rep["coded_bits"], fp, p.Figures.CodedBits())
	}

	// Both sides report the same blocks; the first is the uniform code.
	ab, bb := rep["blocks"].([]any), session["blocks"].([]any)
	if len(ab) != len(sp.Blocks)+1 || !reflect.DeepEqual(ab, bb) {
		t.Fatalf("blocks: alice %v, bob %v", ab, bb)
	}
	first := ab[0].(map[string]any)
	n1 := float64(sp.Blocks[0])
	if q := num(t, first, "quantized_ideal_bits"); math.Abs(q-n1*math.Log2(10)) > 1e-3 {
		t.Errorf("first block: %v quantized bits, the uniform code is %v", q, n1*math.Log2(10))
	}
	last := ab[len(ab)-1].(map[string]any)
	if rate := num(t, last, "quantized_ideal_bits") / (num(t, last, "to") - num(t, last, "from")); rate > 0.6*math.Log2(10) {
		t.Errorf("last block: %.3f bits per label, a model trained on 256 digits should do far better than uniform", rate)
	}
	coded, qideal := num(t, rep, "coded_bits"), num(t, rep, "quantized_ideal_bits")
	if coded < qideal || coded > qideal+64 {
		t.Errorf("coded_bits %v outside [quantized_ideal %v, +64]", coded, qideal)
	}
	t.Logf("%d MNIST labels, blocks %v: %v coded bits (uniform %.0f), last block %.3f bits/label", sp.N, sp.Blocks, coded,
		float64(sp.N)*math.Log2(10), num(t, last, "quantized_ideal_bits")/(num(t, last, "to")-num(t, last, "from")))
}
