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
