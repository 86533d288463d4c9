package model

import (
	"encoding/hex"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// lossAt is −ln p(y|x) under the model's current parameters.
func lossAt(m Differentiable, x []float64, y int) float64 {
	p := make([]float64, m.NumClasses())
	m.Probs(p, x)
	return -math.Log(p[y])
}

// The analytic gradient of a tiny CNN (two convolutions, one hidden layer)
// matches central finite differences on every parameter.
func TestCNNGradientCheck(t *testing.T) {
	m := NewCNN(6, 3, []int{2, 3}, []int{4}, 3)
	src := rng.New(11, 0)
	p := m.Params()
	for i := range p {
		p[i] = 0.5 * src.Normal()
	}
	xs := [][]float64{make([]float64, 36), make([]float64, 36)}
	for _, x := range xs {
		for i := range x {
			x[i] = src.Float64()
		}
	}
	labels := []int{2, 0}
	grad := make([]float64, len(p))
	probs := [][]float64{make([]float64, 3), make([]float64, 3)}
	m.Forward(probs, xs)
	m.Backward(grad, labels)
	const h = 1e-6
	for i := range p {
		orig := p[i]
		p[i] = orig + h
		up := lossAt(m, xs[0], labels[0]) + lossAt(m, xs[1], labels[1])
		p[i] = orig - h
		down := lossAt(m, xs[0], labels[0]) + lossAt(m, xs[1], labels[1])
		p[i] = orig
		num := (up - down) / (2 * h)
		if d := math.Abs(num - grad[i]); d > 1e-6*math.Max(1, math.Abs(num)) {
			t.Errorf("param %d: analytic %.9g, numeric %.9g", i, grad[i], num)
		}
	}
}

// cnnSpec is a small LeNet-like cnn on MNIST.
func cnnSpec() spec.Spec {
	s := spec.Default()
	s.Task, s.Dim, s.Classes, s.N, s.Test = spec.TaskMNIST, 784, 10, 64, 0
	s.Model, s.Conv, s.Kernel, s.Hidden = spec.ModelCNN, []int64{3, 4}, 3, []int64{16}
	s.Init, s.InitScale, s.LR, s.Batch = spec.InitNormal, 1, 0.05, 8
	return s
}

// sgdRun trains the spec's cnn for one pass of SGD over its MNIST rows
// with the given workers and returns the fingerprint.
func sgdRun(t *testing.T, s spec.Spec, workers int) string {
	t.Helper()
	useModuleMNIST(t)
	in, labels, err := task.Build(s, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mm, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	m := mm.(Differentiable)
	m.SetWorkers(workers)
	p := m.Params()
	grad := make([]float64, len(p))
	B := int(s.Batch)
	probs := make([][]float64, B)
	for i := range probs {
		probs[i] = make([]float64, 10)
	}
	xs := make([][]float64, B)
	for start := 0; start < int(s.N); start += B {
		for i := range xs {
			xs[i] = in.Train.Row(start + i)
		}
		m.Forward(probs, xs)
		clear(grad)
		m.Backward(grad, labels.Train[start:start+B])
		for i, g := range grad {
			p[i] -= float64(s.LR * g)
		}
	}
	fp, err := Fingerprint(m)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(fp[:])
}

// The golden fingerprint after 8 SGD steps on the first 64 MNIST images:
// the same bits under GOARCH=arm64 (qemu), any GOMAXPROCS and any worker
// count. A change is a protocol change.
func TestCNNGoldenFingerprint(t *testing.T) {
	const want = "5d4a9fce12372a226544cc011e127af2cb97090cae95c94e530f7f9eeda529fb"
	s := cnnSpec()
	got := sgdRun(t, s, 1)
	if got != want {
		t.Errorf("fingerprint %s, want %s", got, want)
	}
	if g3 := sgdRun(t, s, 3); g3 != got {
		t.Errorf("3 workers: fingerprint %s, 1 worker %s", g3, got)
	}
}

// useModuleMNIST points task at the MNIST files of the GoMNIST module in
// the module cache (or $EDL_MNIST_DIR). The commands use
// cmd/internal/mnistfiles, which a test under shared/ cannot import; this
// is its lookup cut to what a test needs.
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
