package task

import (
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// The coupon task with RareWeight π: key 0 carries 1−π, keys 1..Keys−1
// share π uniformly, and every key keeps one hidden label.
func TestCouponRareWeight(t *testing.T) {
	s := spec.Default()
	s.Task, s.Model = spec.TaskCoupon, spec.ModelTable
	s.Keys, s.Classes, s.Dim, s.Alpha, s.RareWeight = 11, 4, 1, 0.5, 0.2
	s.N, s.Test = 20000, 100
	in, err := NewInputs(s)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := NewLabels(s, in)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, s.Keys)
	label := map[int]int{}
	for i := 0; i < in.Train.Rows; i++ {
		k := int(in.Train.Data[i])
		counts[k]++
		if y, ok := label[k]; ok && y != labels.Train[i] {
			t.Fatalf("key %d has labels %d and %d", k, y, labels.Train[i])
		}
		label[k] = labels.Train[i]
	}
	if f := float64(counts[0]) / float64(s.N); f < 0.79 || f > 0.81 {
		t.Errorf("key 0 has frequency %.3f, want 0.8", f)
	}
	for k := 1; k < int(s.Keys); k++ {
		if f := float64(counts[k]) / float64(s.N); f < 0.016 || f > 0.024 {
			t.Errorf("key %d has frequency %.4f, want 0.02", k, f)
		}
	}
	s.Keys = 1
	if s.Validate() == nil {
		t.Error("rare weight with one key accepted")
	}
}
