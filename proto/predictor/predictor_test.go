package predictor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edlwire/edlwire/shared/task"
)

// torchPlugin is the reference plugin; the tests run the real thing.
const torchPlugin = "../../predictors/torch/edl-torch-predictor"

// needTorch skips when Debian's python3 lacks the plugin's dependencies
// (scripts/setup.sh installs them; make test runs it first).
func needTorch(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts plugin processes")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import torch, grpc, google.protobuf").Run(); err != nil {
		t.Skipf("the torch plugin's dependencies are missing (run scripts/setup.sh): %v", err)
	}
}

// digitsTable reads UCI digits (../shared/data), labels included.
func digitsTable(t testing.TB) *task.Table {
	t.Helper()
	f, err := os.Open("../../../shared/data/digits.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := task.ReadCSV(f, "digits.csv.gz", "", true)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// digits is the first n rows of UCI digits, inputs and labels.
func digits(t testing.TB, n int) ([][]float64, []int) {
	t.Helper()
	tab := digitsTable(t)
	n = min(n, tab.Rows)
	xs := make([][]float64, n)
	for i := range xs {
		xs[i] = tab.X[i*tab.Features : (i+1)*tab.Features]
	}
	return xs, tab.Labels[:n]
}

func start(t *testing.T, path string, seed uint64, spec string, args ...string) *Client {
	t.Helper()
	var stderr bytes.Buffer
	c, err := Start(context.Background(), Config{
		Path: path, Args: args, Spec: []byte(spec), Seed: seed, InputDim: 64, Classes: 10,
		CallTimeout: 20 * time.Second, Stderr: &stderr,
	})
	if err != nil {
		t.Fatalf("start %s: %v\nstderr:\n%s", path, err, stderr.String())
	}
	t.Cleanup(func() {
		c.Close()
		if t.Failed() {
			t.Logf("%s stderr:\n%s", path, stderr.String())
		}
	})
	return c
}

// run drives a client over the examples in batches and returns every
// probability's bits and the fingerprint after each batch.
func run(t *testing.T, c *Client, xs [][]float64, ys []int, batch int) (bits []uint64, fps [][]byte) {
	t.Helper()
	probs := make([][]float64, batch)
	for i := range probs {
		probs[i] = make([]float64, 10)
	}
	for i := 0; i < len(xs); i += batch {
		end := min(i+batch, len(xs))
		if err := c.Predict(int64(i), probs[:end-i], xs[i:end]); err != nil {
			t.Fatal(err)
		}
		for _, p := range probs[:end-i] {
			for _, v := range p {
				bits = append(bits, math.Float64bits(v))
			}
		}
		if err := c.Update(int64(i), xs[i:end], ys[i:end]); err != nil {
			t.Fatal(err)
		}
		fp, err := c.Fingerprint()
		if err != nil {
			t.Fatal(err)
		}
		fps = append(fps, fp)
	}
	return bits, fps
}

// Two plugin processes with the same seed give the same bits at every step;
// another seed gives other bits; a saved state loads into a fresh process
// with the same fingerprint and the same next predictions.
func TestTorchDeterministicAcrossProcesses(t *testing.T) {
	needTorch(t)
	xs, ys := digits(t, 200)
	for _, spec := range []string{
		`{"model":"mlp","hidden":[32],"optimizer":"adam","lr":0.01}`,
		`{"model":"cnn","channels":4,"hidden":[16],"optimizer":"sgd","lr":0.05,"momentum":0.9}`,
	} {
		t.Run(strings.Split(spec, `"`)[3], func(t *testing.T) {
			t.Parallel()
			a, b, other := start(t, torchPlugin, 7, spec), start(t, torchPlugin, 7, spec), start(t, torchPlugin, 8, spec)
			fp0a, _ := a.Fingerprint()
			fp0o, _ := other.Fingerprint()
			if bytes.Equal(fp0a, fp0o) {
				t.Fatal("seeds 7 and 8 start from the same fingerprint")
			}
			bitsA, fpsA := run(t, a, xs[:160], ys[:160], 32)
			bitsB, fpsB := run(t, b, xs[:160], ys[:160], 32)
			if len(bitsA) != 1600 {
				t.Fatalf("%d probabilities, want 1600", len(bitsA))
			}
			for i := range bitsA {
				if bitsA[i] != bitsB[i] {
					t.Fatalf("probability %d (example %d): %x and %x from two processes", i, i/10, bitsA[i], bitsB[i])
				}
			}
			for i := range fpsA {
				if !bytes.Equal(fpsA[i], fpsB[i]) {
					t.Fatalf("fingerprints differ after batch %d", i)
				}
			}
			if bytes.Equal(fpsA[0], fpsA[1]) {
				t.Fatal("the fingerprint did not change with an update")
			}

			state, err := a.Save()
			if err != nil {
				t.Fatal(err)
			}
			fresh := start(t, torchPlugin, 99, spec)
			if err := fresh.Load(state); err != nil {
				t.Fatal(err)
			}
			fpA, _ := a.Fingerprint()
			fpF, _ := fresh.Fingerprint()
			if !bytes.Equal(fpA, fpF) {
				t.Fatal("a loaded state has another fingerprint than the saved one")
			}
			// run's fingerprints came with their Update in one call
			// (UpdateRequest.fingerprint); asked on its own the plugin
			// gives the same: the SHA-256 of its saved state.
			if want := sha256.Sum256(state); !bytes.Equal(fpsA[len(fpsA)-1], want[:]) || !bytes.Equal(fpA, want[:]) {
				t.Fatalf("fingerprint with the update %x, on its own %x, SHA-256 of the state %x", fpsA[len(fpsA)-1], fpA, want)
			}
			nextA, _ := run(t, a, xs[160:], ys[160:], 32)
			nextF, _ := run(t, fresh, xs[160:], ys[160:], 32)
			for i := range nextA {
				if nextA[i] != nextF[i] {
					t.Fatalf("after Load, probability %d differs", i)
				}
			}
		})
	}
}

// badPlugin drives a bad plugin over two batches: the first is well
// answered, the second fails with an error containing want; the plugin
// process is then gone and later calls fail at once.
func badPlugin(t *testing.T, c *Client, xs [][]float64, ys []int, want string) {
	t.Helper()
	pid := c.pid()
	probs := make([][]float64, 32)
	for i := range probs {
		probs[i] = make([]float64, 10)
	}
	if err := c.Predict(0, probs, xs[:32]); err != nil {
		t.Fatalf("the first batch is well-formed: %v", err)
	}
	if err := c.Update(0, xs[:32], ys[:32]); err != nil {
		t.Fatal(err)
	}
	err := c.Predict(32, probs, xs[32:64])
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	if !errors.Is(err, ErrStopped) {
		t.Fatalf("error %v does not wrap ErrStopped", err)
	}
	gone(t, pid)
	if _, err := c.Fingerprint(); !errors.Is(err, ErrStopped) {
		t.Fatalf("a call after the failure: %v, want ErrStopped", err)
	}
}

// pid is the plugin's process id, for checking nothing is left behind.
func (c *Client) pid() int { return c.plugin.ReattachConfig().Pid }

func gone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("plugin process %d is still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Every way a plugin can misbehave is an error that names the call and the
// example, the plugin is stopped, and later calls fail at once: on the
// Session stream, and on the unary calls of a plugin without Session.
func TestBadPlugins(t *testing.T) {
	needTorch(t)
	xs, ys := digits(t, 64)
	bad, _ := filepath.Abs("testdata/bad-predictor")
	for _, tc := range []struct{ mode, want string }{
		{"crash", "Predict of examples 32..63: the plugin process exited"},
		{"hang", "Predict of examples 32..63: no answer within 1s (the plugin hangs)"},
		{"nan", "Predict of example 32: coder: the probability of class 1 is NaN"},
		{"negative", "Predict of example 32: coder: the probability of class 0 is -0.25"},
		{"unnormalized", "Predict of example 32: coder: the probabilities sum to 1.01"},
		{"wrongk", "Predict of examples 32..63: the plugin answered 32×11 probabilities"},
	} {
		for _, path := range []string{"stream", "unary"} {
			t.Run(path+"/"+tc.mode, func(t *testing.T) {
				t.Parallel()
				args := []string{tc.mode}
				if path == "unary" {
					args = append(args, "unary")
				}
				c, err := Start(context.Background(), Config{Path: bad, Args: args, InputDim: 64, Classes: 10, CallTimeout: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				badPlugin(t, c, xs, ys, tc.want)
				if c.unary != (path == "unary") {
					t.Fatalf("the calls went unary: %v, want %v", c.unary, path == "unary")
				}
			})
		}
	}
	t.Run("crash-init", func(t *testing.T) {
		t.Parallel()
		_, err := Start(context.Background(), Config{Path: bad, Args: []string{"crash-init"}, InputDim: 64, Classes: 10, CallTimeout: time.Second})
		if err == nil || !strings.Contains(err.Error(), "predictor: Init: the plugin") {
			t.Fatalf("error %v, want a failed Init", err)
		}
	})
	t.Run("not-a-plugin", func(t *testing.T) {
		t.Parallel()
		_, err := Start(context.Background(), Config{Path: "/bin/true", InputDim: 64, Classes: 10, StartTimeout: 5 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "predictor: start /bin/true") {
			t.Fatalf("error %v, want a failed start", err)
		}
	})
}
