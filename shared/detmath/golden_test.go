package detmath

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// goldenInputs are the fixed inputs of the golden table. Never change an
// existing entry: the expected bit patterns in goldenWant must stay valid
// on every architecture.
var goldenInputs = []float64{
	-745, -744.4400719213812, -709.5, -708.3964185322641, -700, -100.25, -37.5, -20, -3.75, -1,
	-0.6931471805599453, -0.5, -0.25, -1e-5, -1e-10, -1e-300, 1e-300, 1e-10, 1e-5, 0.1,
	0.25, 0.5, 0.625, 0.6931471805599453, 0.999, 1, 1.5, 2, 2.718281828459045, 3.75,
	10, 20, 22.5, 37.5, 100.25, 500, 700, 709.5, 709.782712893384, 1e10,
	1e300, 5e-324, 2.2250738585072014e-308, 123.456, -0.999, 0.7071067811865476, 1.4142135623730951, 1.0000000000000002,
}

type goldenFn struct {
	name string
	f    func(float64) float64
}

var goldenFns = []goldenFn{
	{"Exp", Exp}, {"Log", Log}, {"Log2", Log2}, {"Log1p", Log1p}, {"Tanh", Tanh},
	{"Sigmoid", Sigmoid}, {"Softplus", Softplus},
}

// goldenVectors returns results of the vector kernels on fixed data.
func goldenVectors() []float64 {
	n := 37
	a := make([]float64, n)
	b := make([]float64, n)
	for i := range a {
		a[i] = 1/float64(i+1) - 0.3
		b[i] = float64(float64(i%7)*0.1) - 0.25 // explicit rounding: test inputs must not fuse either
	}
	out := []float64{Dot(a, b), Dot(a[:4], b[:4]), Dot(a[:5], b[:5]), Sum(a), Sum(b[:6]), LogSumExp(a)}
	sm := make([]float64, 8)
	Softmax(sm, []float64{0.5, -1, 2.25, 3, 0, -7, 1.125, 2.5})
	out = append(out, sm...)
	ls := make([]float64, 5)
	LogSoftmax(ls, []float64{10, 9.5, -3, 0.1, 10.25})
	out = append(out, ls...)
	y := append([]float64(nil), b...)
	Axpy(y, 0.3, a)
	return append(out, Sum(y), y[1], y[36])
}

func goldenGot() map[string][]uint64 {
	m := map[string][]uint64{}
	for _, g := range goldenFns {
		for _, x := range goldenInputs {
			m[g.name] = append(m[g.name], math.Float64bits(g.f(x)))
		}
	}
	for _, v := range goldenVectors() {
		m["Vectors"] = append(m["Vectors"], math.Float64bits(v))
	}
	return m
}

// TestGolden compares bit patterns against the committed table. To
// regenerate (only when a change is intended and reviewed):
//
//	EDLWIRE_GOLDEN_PRINT=1 go test -run TestGolden -v ./shared/detmath/
func TestGolden(t *testing.T) {
	got := goldenGot()
	if os.Getenv("EDLWIRE_GOLDEN_PRINT") == "1" {
		var sb strings.Builder
		sb.WriteString("var goldenWant = map[string][]uint64{\n")
		for _, name := range append(goldenNames(), "Vectors") {
			fmt.Fprintf(&sb, "\t%q: {", name)
			for i, v := range got[name] {
				if i%4 == 0 {
					sb.WriteString("\n\t\t")
				} else {
					sb.WriteString(" ")
				}
				fmt.Fprintf(&sb, "0x%016x,", v)
			}
			sb.WriteString("\n\t},\n")
		}
		sb.WriteString("}\n")
		t.Log("\n" + sb.String())
		return
	}
	for name, want := range goldenWant {
		g := got[name]
		if len(g) != len(want) {
			t.Errorf("%s: %d values, want %d", name, len(g), len(want))
			continue
		}
		for i := range want {
			if g[i] != want[i] {
				in := ""
				if name != "Vectors" {
					in = fmt.Sprintf("(%v)", goldenInputs[i])
				}
				t.Errorf("%s%s [%d] = %#016x (%v), want %#016x (%v)", name, in, i,
					g[i], math.Float64frombits(g[i]), want[i], math.Float64frombits(want[i]))
			}
		}
	}
	if len(goldenWant) != len(goldenFns)+1 {
		t.Errorf("goldenWant has %d tables, want %d", len(goldenWant), len(goldenFns)+1)
	}
}

func goldenNames() []string {
	var s []string
	for _, g := range goldenFns {
		s = append(s, g.name)
	}
	return s
}
