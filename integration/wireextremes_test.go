package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/spec"
)

// extremeValues are what a hostile client writes into a spec field: the
// edges of int64 and of the spec's ranges, floats that are not numbers,
// wrong kinds, empty and oversized text.
var extremeValues = []string{
	"0", "1", "-1", "2", "1073741824", "1099511627776", "9223372036854775807", "-9223372036854775808",
	"18446744073709551616", "1e308", "-1e308", "5e-324", "NaN", "Inf", "-Inf",
	"", "true", "x", strings.Repeat("9", 400), "1,1", "65536,65536,65536", "1073741824,1073741824",
}

// extremeBases are valid specs of several tasks and models, so that a
// field a task or model uses is driven to its extremes where it is used.
func extremeBases(t *testing.T) []spec.Spec {
	t.Helper()
	var out []spec.Spec
	add := func(f func(*spec.Spec)) {
		sp := spec.Default()
		sp.N, sp.Test = 2000, 200
		f(&sp)
		if err := sp.Validate(); err != nil {
			t.Fatalf("base spec %s/%s: %v", sp.Task, sp.Model, err)
		}
		out = append(out, sp)
	}
	add(func(sp *spec.Spec) {})
	add(func(sp *spec.Spec) {
		sp.Model, sp.Hidden, sp.Init, sp.InitScale, sp.Optimizer, sp.Beta1, sp.Beta2, sp.AdamEps, sp.LR =
			spec.ModelMLP, []int64{8}, spec.InitNormal, 0.1, spec.OptimizerAdam, 0.9, 0.999, 1e-8, 0.01
		sp.Validation, sp.Epochs, sp.Patience = 100, 2, 1
	})
	add(func(sp *spec.Spec) {
		sp.Task, sp.Model, sp.Dim, sp.Classes, sp.Keys, sp.Alpha = spec.TaskCoupon, spec.ModelTable, 1, 8, 20, 0.5
	})
	add(func(sp *spec.Spec) {
		sp.Task, sp.Model, sp.Classes, sp.Vocab, sp.Embed, sp.Dim, sp.Op, sp.Notation =
			spec.TaskModular, spec.ModelTokens, 7, 7, 4, 2, spec.OpMul, spec.NotationTokens
	})
	add(func(sp *spec.Spec) {
		sp.Task, sp.Classes, sp.Keys, sp.Answers, sp.Dim = spec.TaskFormat, 256, 64, 8, 64
	})
	add(func(sp *spec.Spec) {
		sp.Task, sp.Model, sp.Dim, sp.Classes, sp.Hypotheses, sp.Batch = spec.TaskHypothesis, spec.ModelHypothesis, 1, 64, 8, 1
	})
	return out
}

// withField returns the canonical spec text with field's value replaced.
func withField(canonical []byte, field, value string) []byte {
	lines := strings.Split(string(canonical), "\n")
	for i, l := range lines {
		if k, _, ok := strings.Cut(l, "="); ok && k == field {
			lines[i] = field + "=" + value
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// Extremes straight to Bob over the wire (issue 20): Hellos whose spec has
// a field at an extreme, written by a hand client that skips every check
// Alice makes, sent to a real Bob process: every field of six base specs
// (several tasks and models) set to each extreme value, then 300 Hellos
// with three fields at once, chosen by a seeded generator. Each must end
// in welcome or a clean refusal (FailedPrecondition, InvalidArgument,
// ResourceExhausted), never Internal (a recovered panic), never a dead Bob;
// afterwards Bob serves a normal Alice to a verified finish.
func TestWireHelloExtremes(t *testing.T) {
	ctx := testContext(t)
	b := startBob(t, "--max-session-bytes", "256MiB", "--max-total-bytes", "512MiB", "--idle-timeout", "1h")
	// Bob's welcome and session lines are not read here: drain them, or
	// his stdout pipe would fill and stop him.
	stopDrain := make(chan struct{})
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case <-stopDrain:
				return
			case _, ok := <-b.events:
				if !ok {
					return
				}
			}
		}
	}()
	c := dialRaw(t, b.addr)
	type outcome struct{ welcomed, refused int }
	var got outcome
	codesSeen := map[codes.Code]int{}
	k := 0
	try := func(canonical []byte, what string, goodHash bool) {
		t.Helper()
		k++
		h := sha256.Sum256(canonical)
		if !goodHash {
			h[0] ^= 1
		}
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		s := c.transmit(sctx, t)
		if err := s.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Hello{Hello: &wirepb.Hello{
			ProtocolVersion: wire.ProtocolVersion, SpecCanonical: canonical, SpecHash: h[:], SessionId: fmt.Sprintf("x-%d", k),
		}}}); err != nil {
			t.Fatalf("%s: send hello: %v", what, err)
		}
		m, err := s.Recv()
		if err == nil && m.GetWelcome() != nil {
			got.welcomed++
			_ = s.CloseSend()
			for {
				if _, err = s.Recv(); err != nil {
					break
				}
			}
			if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "stream closed before finish") {
				t.Fatalf("%s: welcomed, then closed: %v, want InvalidArgument (stream closed before finish)", what, err)
			}
			return
		}
		st := status.Convert(err)
		switch st.Code() {
		case codes.FailedPrecondition, codes.InvalidArgument, codes.ResourceExhausted:
			got.refused++
			codesSeen[st.Code()]++
			if !strings.HasPrefix(st.Message(), "bob: ") || strings.Contains(st.Message(), "\n\n") {
				t.Errorf("%s: refusal %q: want one clear message from bob", what, st.Message())
			}
		default:
			t.Fatalf("%s: got %v, %v; want welcome or FailedPrecondition, InvalidArgument or ResourceExhausted\nbob:\n%s", what, m, err, b.stderr.String())
		}
	}
	for _, base := range extremeBases(t) {
		canonical := base.Canonical()
		if !bytes.HasPrefix(canonical, []byte("edlwire-spec-")) {
			t.Fatalf("canonical spec starts %q", canonical[:min(20, len(canonical))])
		}
		var fields []string
		for _, l := range strings.Split(string(canonical), "\n") {
			if f, _, ok := strings.Cut(l, "="); ok {
				fields = append(fields, f)
			}
		}
		try(canonical, base.Task+" base", true)
		try(canonical, base.Task+" base, wrong hash", false)
		for _, f := range fields {
			for _, v := range extremeValues {
				try(withField(canonical, f, v), fmt.Sprintf("%s/%s: %s=%.40s", base.Task, base.Model, f, v), true)
			}
		}
		// Several fields at once, from a seeded generator: reproducible.
		rng := rand.New(rand.NewPCG(20, uint64(len(fields))))
		for range 50 {
			mutated, what := canonical, base.Task
			for range 3 {
				f, v := fields[rng.IntN(len(fields))], extremeValues[rng.IntN(len(extremeValues))]
				mutated, what = withField(mutated, f, v), what+fmt.Sprintf(" %s=%.40s", f, v)
			}
			try(mutated, what, true)
		}
		select {
		case <-b.done:
			t.Fatalf("bob exited: %v\n%s", b.err, b.stderr.String())
		default:
		}
	}
	close(stopDrain)
	<-drained
	t.Logf("%d hellos: %d welcomed, %d refused (%v)", k, got.welcomed, got.refused, codesSeen)
	if got.welcomed < 12 {
		t.Errorf("only %d hellos welcomed: the base specs (and the extremes they accept) should be", got.welcomed)
	}

	// Bob still serves: a normal alice to a verified finish.
	res := runAlice(ctx, t, append([]string{"--bob", b.addr}, specArgs("n", "20000")...)...)
	if res.exitCode != 0 || res.report["bob_verified"] != true {
		t.Fatalf("alice after the extremes exited %d, report %v:\n%s", res.exitCode, res.report, res.stderr)
	}
}
