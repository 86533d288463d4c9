package predictor

import (
	"bytes"
	"errors"
	"testing"
)

// The README's skeleton plugin runs as written: add-one label counts, so
// after the first batch its distribution is the counts'. It serves no
// Session (it predates it): the host falls back to the unary calls.
func TestSkeletonPlugin(t *testing.T) {
	needTorch(t)
	xs, ys := digits(t, 64)
	a := start(t, "../../predictors/skeleton/edl-predictor-skeleton", 1, "")
	b := start(t, "../../predictors/skeleton/edl-predictor-skeleton", 1, "")
	bitsA, fpsA := run(t, a, xs, ys, 32)
	bitsB, fpsB := run(t, b, xs, ys, 32)
	if !a.unary || a.keeps {
		t.Fatal("the skeleton serves no Session and keeps no inputs: the calls must go unary, every Update with its inputs")
	}
	for i := range bitsA {
		if bitsA[i] != bitsB[i] {
			t.Fatalf("probability %d differs between two processes", i)
		}
	}
	if !bytes.Equal(fpsA[1], fpsB[1]) || bytes.Equal(fpsA[0], fpsA[1]) {
		t.Fatal("fingerprints do not follow the state")
	}
}

// Close stops a plugin that serves no shutdown controller (the skeleton)
// by killing it, without go-plugin's wait for a graceful exit and its log
// line about the killed process: the process is gone and stderr holds
// only what the plugin itself wrote.
func TestCloseWithoutController(t *testing.T) {
	needTorch(t)
	var stderr bytes.Buffer
	c, err := Start(t.Context(), Config{Path: "../../predictors/skeleton/edl-predictor-skeleton", InputDim: 64, Classes: 10, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	pid := c.pid()
	c.Close()
	gone(t, pid)
	if stderr.Len() > 0 {
		t.Fatalf("stderr after Close: %q", stderr.String())
	}
	if _, err := c.Fingerprint(); !errors.Is(err, ErrStopped) {
		t.Fatalf("a call after Close: %v, want ErrStopped", err)
	}
}
