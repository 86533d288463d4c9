package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/edlwire/edlwire/cmd/internal/mnistfiles"
)

// A reduced edl mnist (300 labels) decodes through the pipe, Bob's
// checkpoints match, and the code is well below the uniform one.
func TestMnistReduced(t *testing.T) {
	mnistfiles.Register()
	var out, errb bytes.Buffer
	if code := run([]string{"mnist", "--n", "300", "--test", "200", "--quiet"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r mnistResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if !r.BobVerified || r.N != 300 || len(r.Ranges) != 3 || r.Ranges[2].To != 300 {
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
