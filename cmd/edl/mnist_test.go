package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/edlwire/edlwire/cmd/internal/mnistfiles"
)

// A reduced per-example edl mnist (300 labels) decodes through the pipe,
// Bob's checkpoints match, and the code is well below the uniform one.
func TestMnistReduced(t *testing.T) {
	mnistfiles.Register()
	var out, errb bytes.Buffer
	if code := run([]string{"mnist", "--n", "300", "--test", "200", "--blocks", "0", "--in-process", "--quiet"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r mnistResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if !r.BobVerified || r.N != 300 || len(r.Ranges) != 3 || r.Ranges[2].To != 300 || r.Code != "per-example" || len(r.Blocks) != 0 {
		t.Fatalf("result %+v", r)
	}
	if float64(r.CodedBits) > 0.8*r.UniformBits || float64(r.CodedBits) < r.QuantizedBits {
		t.Fatalf("coded %d bits, quantized ideal %.1f, uniform %.1f", r.CodedBits, r.QuantizedBits, r.UniformBits)
	}
	sum := 0.0
	for _, g := range r.Ranges {
		sum += g.QuantizedBits
	}
	if d := sum - r.QuantizedBits; d > 1e-6 || d < -1e-6 {
		t.Fatalf("ranges sum to %.6f bits, the pass to %.6f", sum, r.QuantizedBits)
	}
}

// A reduced blockwise edl mnist: one row per block, the blocks' bits add
// up to the pass's (coded bytes exactly, ideal sums to rounding), the
// first block is the uniform code, and --out writes the JSON and the plot.
func TestMnistBlockwiseReduced(t *testing.T) {
	mnistfiles.Register()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	args := []string{"mnist", "--n", "512", "--test", "300", "--conv", "4", "--kernel", "3", "--hidden", "",
		"--blocks", "64", "--block-epochs", "3", "--block-patience", "1", "--block-valid", "8", "--in-process", "--quiet", "--out", dir}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r mnistResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if !r.BobVerified || r.Code != "blockwise" || len(r.Blocks) != 4 {
		t.Fatalf("result %+v", r)
	}
	var coded int64
	var quant float64
	for i, b := range r.Blocks {
		want := []int64{0, 64, 128, 256, 512}
		if b.From != want[i] || b.To != want[i+1] || (i > 0 && (b.Epochs < 1 || b.TrainExamples+b.ValidExamples != b.From)) {
			t.Fatalf("block %d: %+v", i, b)
		}
		coded += b.CodedBits
		quant += b.QuantizedBits
	}
	if coded != r.CodedBits || math.Abs(quant-r.QuantizedBits) > 1e-6 {
		t.Fatalf("blocks sum to %d coded and %.6f quantized bits, the pass %d and %.6f", coded, quant, r.CodedBits, r.QuantizedBits)
	}
	if u := 64 * math.Log2(10); math.Abs(r.Blocks[0].IdealBits-u) > 1e-9 {
		t.Fatalf("first block %.9f ideal bits, the uniform code %.9f", r.Blocks[0].IdealBits, u)
	}
	for _, name := range []string{"mnist.json", "mnist_cumulative.png", "mnist_cumulative.svg"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// edl mnist's default transport, a bob process over gRPC, with an ensemble
// per block: Bob verifies, and every figure, the final model's test
// accuracy (read back from Alice's model file) among them, equals the
// in-process pipe's.
func TestMnistOverGRPCMatchesThePipe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a bob process")
	}
	mnistfiles.Register()
	args := []string{"mnist", "--n", "256", "--test", "200", "--conv", "2", "--kernel", "3", "--hidden", "",
		"--blocks", "64", "--block-epochs", "2", "--block-patience", "1", "--block-valid", "8", "--block-ensemble", "2", "--quiet"}
	results := map[string]mnistResult{}
	for _, transport := range []string{"grpc", "in-process"} {
		a := args
		if transport == "in-process" {
			a = append(a[:len(a):len(a)], "--in-process")
		}
		var out, errb bytes.Buffer
		if code := run(a, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", transport, code, errb.String())
		}
		var r mnistResult
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if !r.BobVerified || r.Transport != transport {
			t.Fatalf("%s: result %+v", transport, r)
		}
		results[transport] = r
	}
	g, p := results["grpc"], results["in-process"]
	if g.CodedBits != p.CodedBits || g.TestAccuracy != p.TestAccuracy || g.TestLossBits != p.TestLossBits || g.BobFingerprint != p.BobFingerprint {
		t.Fatalf("over gRPC: %d bits, test accuracy %v, loss %v, fingerprint %s; in process: %d, %v, %v, %s",
			g.CodedBits, g.TestAccuracy, g.TestLossBits, g.BobFingerprint, p.CodedBits, p.TestAccuracy, p.TestLossBits, p.BobFingerprint)
	}
}

// The default ensemble gives way to --block-warm, --block-calibrate and
// --block-mix (they act on one model); asked for explicitly beside one of
// them it is refused, naming the field.
func TestMnistDefaultEnsembleGivesWay(t *testing.T) {
	mnistfiles.Register()
	tiny := []string{"mnist", "--n", "128", "--test", "50", "--conv", "2", "--kernel", "3", "--hidden", "",
		"--blocks", "64", "--block-epochs", "1", "--block-patience", "1", "--block-valid", "8", "--in-process", "--quiet"}
	for _, one := range []string{"--block-warm", "--block-calibrate", "--block-mix"} {
		var out, errb bytes.Buffer
		if code := run(append(tiny[:len(tiny):len(tiny)], one), &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", one, code, errb.String())
		}
		errb.Reset()
		if code := run(append(tiny[:len(tiny):len(tiny)], one, "--block-ensemble", "2"), &out, &errb); code != 2 || !bytes.Contains(errb.Bytes(), []byte("block_ensemble")) {
			t.Fatalf("%s --block-ensemble 2: exit %d: %s", one, code, errb.String())
		}
	}
}
