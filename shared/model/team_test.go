package model

import (
	"runtime"
	"testing"
	"time"

	"github.com/edlwire/edlwire/shared/spec"
)

// A team's helpers run the shares of a region (the same bits as one
// worker, TestWorkersDoNotChangeBits in prequential checks the pass) and
// stop once their MLP is unreachable: sessions built and dropped one after
// another (curve sweeps) do not leave goroutines behind.
func TestTeamStopsWithItsMLP(t *testing.T) {
	base := runtime.NumGoroutine()
	forward := func(workers int) (*MLP, []float64) {
		m := NewMLP([]int{64, 512, 10}, spec.ActReLU) // 32·64·512 = 2^20 multiply-adds: split
		m.SetWorkers(workers)
		for i := range m.params {
			m.params[i] = float64(i%7-3) * 0.01
		}
		xs, probs := make([][]float64, 32), make([][]float64, 32)
		for b := range xs {
			xs[b], probs[b] = make([]float64, 64), make([]float64, 10)
			for j := range xs[b] {
				xs[b][j] = float64((b+j)%5) - 2
			}
		}
		m.Forward(probs, xs)
		return m, probs[31]
	}
	run := func() []float64 {
		m, p := forward(3)
		if m.team == nil || len(m.team.helpers) != 2 {
			t.Fatalf("workers 3 at 2^20 multiply-adds: no team of 2 helpers")
		}
		return p
	}
	got := run()
	_, want := forward(1)
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("class %d: %v with a team, %v alone", k, got[k], want[k])
		}
	}
	for range 5 {
		run()
	}
	// The cleanup runs after a collection finds the MLPs unreachable.
	for range 200 {
		runtime.GC()
		if runtime.NumGoroutine() <= base {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d goroutines after the MLPs are gone, %d before", runtime.NumGoroutine(), base)
}

// A share no helper has started when the caller has finished its own is
// run by the caller (helper.take): under GOMAXPROCS 1 the helpers cannot
// start before the caller waits, so the caller runs the whole step, and the
// bits are still those of one worker.
func TestCallerTakesUnstartedShares(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	step := func(workers int) (*MLP, [][]float64, []float64) {
		m := NewMLP([]int{64, 512, 512, 10}, spec.ActReLU)
		m.SetWorkers(workers)
		for i := range m.params {
			m.params[i] = float64(i%11-5) * 0.01
		}
		xs, probs, labels := make([][]float64, 32), make([][]float64, 32), make([]int, 32)
		for b := range xs {
			xs[b], probs[b], labels[b] = make([]float64, 64), make([]float64, 10), b%10
			for j := range xs[b] {
				xs[b][j] = float64((b+j)%5) - 2
			}
		}
		grad := make([]float64, len(m.params))
		m.Forward(probs, xs)
		m.Backward(grad, labels)
		return m, probs, grad
	}
	_, wantP, wantG := step(1)
	m, p, g := step(2)
	h := m.team.helpers[0]
	if taken := int64(h.claimed.Load()) - h.done.n.Load(); taken < 1 {
		t.Fatalf("the helper finished job %d of %d: the caller took none", h.done.n.Load(), h.claimed.Load())
	}
	for b := range wantP {
		for k := range wantP[b] {
			if p[b][k] != wantP[b][k] {
				t.Fatalf("p[%d][%d] = %v, one worker %v", b, k, p[b][k], wantP[b][k])
			}
		}
	}
	for i := range wantG {
		if g[i] != wantG[i] {
			t.Fatalf("grad[%d] = %v, one worker %v", i, g[i], wantG[i])
		}
	}
}
