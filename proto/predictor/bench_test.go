package predictor

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkTorchPlugin is make bench's measure of the plugin path: one op is
// a whole coded pass over UCI digits (1797 examples, batch 32: one Predict
// and one Update per batch, a Fingerprint at the end) through the reference
// torch plugin. It reports ns per example and, beside it, the same model
// run by PyTorch alone (edl-torch-predictor --bench: the same Python class,
// no gRPC) and the ratio of the fastest pass to PyTorch's fastest run, which
// the issue bounds at 2.
func BenchmarkTorchPlugin(b *testing.B) {
	if err := exec.Command("/usr/bin/python3", "-c", "import torch, grpc, google.protobuf").Run(); err != nil {
		b.Skipf("the torch plugin's dependencies are missing (run scripts/setup.sh): %v", err)
	}
	const spec = `{"model":"mlp","hidden":[64],"optimizer":"adam","lr":0.001}`
	const batch = 32
	xs, ys := digits(b, 1<<30)
	out, err := exec.Command(torchPlugin, "--bench", "../../../shared/data/digits.csv.gz", "--spec", spec, "--batch", "32", "--repeat", "5").Output()
	if err != nil {
		b.Fatalf("torch alone: %v", err)
	}
	var alone struct {
		NsPerExample float64 `json:"ns_per_example"`
	}
	if err := json.Unmarshal(out, &alone); err != nil {
		b.Fatalf("torch alone: %v: %s", err, out)
	}
	c, err := Start(b.Context(), Config{Path: torchPlugin, Spec: []byte(spec), Seed: 1, InputDim: 64, Classes: 10, CallTimeout: time.Minute, Stderr: os.Stderr})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	initial, err := c.Save()
	if err != nil {
		b.Fatal(err)
	}
	probs := make([][]float64, batch)
	for i := range probs {
		probs[i] = make([]float64, 10)
	}
	best := time.Duration(math.MaxInt64)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if err := c.Load(initial); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		for i := 0; i < len(xs); i += batch {
			end := min(i+batch, len(xs))
			if err := c.Predict(int64(i), probs[:end-i], xs[i:end]); err != nil {
				b.Fatal(err)
			}
			if err := c.Update(int64(i), xs[i:end], ys[i:end]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := c.Fingerprint(); err != nil {
			b.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	// PyTorch alone reports its fastest of 5 runs; the plugin path is
	// compared on its fastest pass too (like with like: on a shared machine
	// a mean counts other processes' load twice over, once per round trip),
	// beside its mean.
	perExample := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(len(xs))
	bestPerExample := float64(best.Nanoseconds()) / float64(len(xs))
	b.ReportMetric(perExample, "ns/example")
	b.ReportMetric(bestPerExample, "best-ns/example")
	b.ReportMetric(alone.NsPerExample, "torch-alone-ns/example")
	b.ReportMetric(bestPerExample-alone.NsPerExample, "overhead-ns/example")
	b.ReportMetric(bestPerExample/alone.NsPerExample, "ratio")
}
