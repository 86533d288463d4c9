package predictor

import (
	"bytes"
	"errors"
	"strings"
	"syscall"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/predictorpb"
)

func batchProbs() [][]float64 {
	probs := make([][]float64, 32)
	for i := range probs {
		probs[i] = make([]float64, 10)
	}
	return probs
}

// A plugin killed while its Session stream is open, between two batches,
// fails the next call with the call and the examples named, and stops the
// Client. (A plugin that dies or stalls in the middle of a stream message
// is TestBadPlugins' stream/crash and stream/hang.) The plugin does not
// keep predicted inputs (it does not say so in Init): its Update carries
// them.
func TestStreamPluginKilled(t *testing.T) {
	needTorch(t)
	xs, ys := digits(t, 64)
	c := start(t, "testdata/bad-predictor", 0, "", "well-behaved")
	probs := batchProbs()
	if err := c.Predict(0, probs, xs[:32]); err != nil {
		t.Fatal(err)
	}
	if err := c.Update(0, xs[:32], ys[:32]); err != nil {
		t.Fatal(err)
	}
	if c.stream == nil || c.unary {
		t.Fatal("no Session stream open after the first batch")
	}
	if c.pending.GetInputs() == nil {
		t.Fatal("an Update to a plugin that does not keep predicted inputs left them out")
	}
	pid := c.pid()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	gone(t, pid)
	err := c.Predict(32, probs, xs[32:64])
	const want = "predictor: Update of examples 0..31 with Predict of examples 32..63: the plugin process exited"
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrStopped) {
		t.Fatalf("error %v, want one containing %q and wrapping ErrStopped", err, want)
	}
	if _, err := c.Fingerprint(); !errors.Is(err, ErrStopped) {
		t.Fatalf("a call after the failure: %v, want ErrStopped", err)
	}
}

// The torch plugin keeps the inputs of the batch it predicted last, so the
// Update of that batch leaves them out; an Update of another batch carries
// them, and trains the same: two plugins, one updated without the inputs,
// one with them (it predicted another batch in between), end with the same
// fingerprint. The plugin refuses an Update without inputs that is not of
// the batch it predicted last, naming both.
func TestUpdateKeepsPredictedInputs(t *testing.T) {
	needTorch(t)
	xs, ys := digits(t, 96)
	const spec = `{"model":"mlp","hidden":[16],"optimizer":"adam","lr":0.01}`
	a, b := start(t, torchPlugin, 3, spec), start(t, torchPlugin, 3, spec)
	if !a.keeps {
		t.Fatal("the torch plugin does not say it keeps predicted inputs")
	}
	probs := batchProbs()
	if err := a.Predict(0, probs, xs[:32]); err != nil {
		t.Fatal(err)
	}
	if err := a.Update(0, xs[:32], ys[:32]); err != nil {
		t.Fatal(err)
	}
	if a.pending.GetInputs() != nil {
		t.Fatal("the Update of the batch last predicted carries its inputs")
	}
	for _, first := range []int{0, 32} {
		if err := b.Predict(int64(first), probs, xs[first:first+32]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Update(0, xs[:32], ys[:32]); err != nil {
		t.Fatal(err)
	}
	if b.pending.GetInputs() == nil {
		t.Fatal("the Update of a batch other than the last predicted left its inputs out")
	}
	fa, err := a.Fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	fb, err := b.Fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fa, fb) {
		t.Fatal("an Update without its inputs trained otherwise than one with them")
	}

	// Same first example, other inputs: they are sent.
	if err := a.Predict(32, probs, xs[32:64]); err != nil {
		t.Fatal(err)
	}
	if err := a.Update(32, xs[64:96], ys[64:96]); err != nil {
		t.Fatal(err)
	}
	if a.pending.GetInputs() == nil {
		t.Fatal("an Update with other inputs than the batch last predicted left them out")
	}
	if err := a.flush(); err != nil {
		t.Fatal(err)
	}

	// The plugin's own check, past the host's.
	if err := a.Predict(32, probs, xs[32:64]); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"an Update of examples 64..95 without inputs, but the batch last predicted is examples 32..63",
		"an Update of examples 64..95 without inputs, and no batch predicted since the last Update or Load",
	} {
		ls := make([]int32, 32)
		_, err := a.rpc.Update(t.Context(), &predictorpb.UpdateRequest{FirstExample: 64, Labels: ls})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v, want InvalidArgument containing %q", err, want)
		}
	}
}
