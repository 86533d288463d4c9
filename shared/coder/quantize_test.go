package coder

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func checkTable(t *testing.T, f []uint32, prec uint) {
	t.Helper()
	var sum uint64
	for i, x := range f {
		if x < 1 {
			t.Fatalf("f[%d] = 0", i)
		}
		sum += uint64(x)
	}
	if sum != 1<<prec {
		t.Fatalf("sum %d, want %d", sum, 1<<prec)
	}
}

func TestQuantizeProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for trial := range 3000 {
		k := 1 + r.IntN(300)
		prec := uint(9 + r.IntN(16))
		var p []float64
		switch trial % 3 {
		case 0:
			p = randomProbs(r, k)
		case 1:
			p = flatProbs(k)
		default:
			p = peakedProbs(max(k, 2), r.IntN(max(k, 2)), 1-math.Pow(10, -float64(r.IntN(9))))
		}
		f := make([]uint32, len(p))
		if err := Quantize(f, p, prec); err != nil {
			t.Fatal(err)
		}
		checkTable(t, f, prec)
		// Deterministic and independent of dst's previous contents.
		g := make([]uint32, len(p))
		for i := range g {
			g[i] = r.Uint32()
		}
		Quantize(g, p, prec)
		if !slices.Equal(f, g) {
			t.Fatal("Quantize depends on dst's contents")
		}
	}
	// K = 32768, peaked, at several precisions, down to K = T (all ones).
	for _, prec := range []uint{24, 20, 16, 15} {
		p := peakedProbs(32768, 12345, 0.999)
		f := quantized(t, p, prec)
		checkTable(t, f, prec)
		if prec == 15 && slices.ContainsFunc(f, func(x uint32) bool { return x != 1 }) {
			t.Fatal("K = T must give all ones")
		}
		t.Logf("K=32768 peaked P=%d: top %d of %d, others %d..%d", prec, f[12345], 1<<prec, f[0], f[1])
	}
}

func TestQuantizeGolden(t *testing.T) {
	cases := []struct {
		probs []float64
		prec  uint
		want  []uint32
	}{
		{[]float64{0.5, 0.25, 0.125, 0.0625, 0.0625}, 24, []uint32{8388608, 4194304, 2097152, 1048576, 1048576}},
		{[]float64{0.1, 0.2, 0.3, 0.4}, 24, []uint32{1677722, 3355443, 5033165, 6710886}},
		{[]float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, 24, []uint32{5592406, 5592405, 5592405}},
		{[]float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, 8, []uint32{86, 85, 85}},
		{[]float64{0.999, 0.0005, 0.0005}, 8, []uint32{254, 1, 1}},
		{[]float64{1e-300, 1 - 1e-300}, 1, []uint32{1, 1}},
		{[]float64{1}, 12, []uint32{4096}},
	}
	// The fallback: many symbols raised to 1, more excess than the
	// largest frequency can give.
	fb := make([]float64, 200)
	fb[0], fb[1] = 0.4, 0.4
	for i := 2; i < 200; i++ {
		fb[i] = 0.2 / 198
	}
	fbWant := make([]uint32, 200)
	for i := range fbWant {
		fbWant[i] = 1
	}
	fbWant[1] = 57
	cases = append(cases, struct {
		probs []float64
		prec  uint
		want  []uint32
	}{fb, 8, fbWant})
	for _, c := range cases {
		f := make([]uint32, len(c.probs))
		if err := Quantize(f, c.probs, c.prec); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(f, c.want) {
			t.Errorf("Quantize(%v, %d) = %v, want %v", c.probs, c.prec, f, c.want)
		}
	}
}

func TestQuantizeErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		dst   int
		probs []float64
		prec  uint
	}{
		{2, []float64{0.5, 0.5}, 0},
		{2, []float64{0.5, 0.5}, 25},
		{1, []float64{0.5, 0.5}, 24},
		{0, nil, 24},
		{3, []float64{0.25, 0.25, 0.5}, 1},
		{2, []float64{nan, 1}, 24},
		{2, []float64{inf, 1}, 24},
		{2, []float64{math.Inf(-1), 1}, 24},
		{2, []float64{-0.1, 1.1}, 24},
		{2, []float64{0.5, 0.499998}, 24},
		{2, []float64{0.5, 0.500002}, 24},
	} {
		dst := make([]uint32, c.dst)
		err := Quantize(dst, c.probs, c.prec)
		if err == nil || err.Error()[:7] != "coder: " {
			t.Errorf("Quantize(%d, %v, %d): %v", c.dst, c.probs, c.prec, err)
		}
	}
	// Within tolerance is accepted.
	if err := Quantize(make([]uint32, 2), []float64{0.5, 0.5000009}, 24); err != nil {
		t.Error(err)
	}
}
