package coder

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// script is a sequence of symbols, each coded against its own table.
type script struct {
	prec   uint
	tables [][]uint32
	which  []int // table index per symbol
	syms   []int
}

func (s *script) freqs(i int) []uint32 { return s.tables[s.which[i]] }

func (s *script) add(table, sym int) {
	s.which = append(s.which, table)
	s.syms = append(s.syms, sym)
}

// quantized wraps Quantize for tests.
func quantized(t testing.TB, probs []float64, prec uint) []uint32 {
	t.Helper()
	f := make([]uint32, len(probs))
	if err := Quantize(f, probs, prec); err != nil {
		t.Fatal(err)
	}
	return f
}

func normalize(w []float64) []float64 {
	s := 0.0
	for _, x := range w {
		s += x
	}
	p := make([]float64, len(w))
	for i, x := range w {
		p[i] = x / s
	}
	return p
}

func flatProbs(k int) []float64 {
	w := make([]float64, k)
	for i := range w {
		w[i] = 1
	}
	return normalize(w)
}

// peakedProbs gives symbol top probability pTop and splits the rest evenly.
func peakedProbs(k, top int, pTop float64) []float64 {
	p := make([]float64, k)
	for i := range p {
		p[i] = (1 - pTop) / float64(k-1)
	}
	p[top] = pTop
	return p
}

// randomProbs has weights spread over many orders of magnitude.
func randomProbs(r *rand.Rand, k int) []float64 {
	w := make([]float64, k)
	for i := range w {
		w[i] = float64(1+r.IntN(1000)) * float64(uint64(1)<<r.IntN(20))
	}
	return normalize(w)
}

// extremeTable: symbol top has T-K+1, every other symbol 1.
func extremeTable(k, top int, prec uint) []uint32 {
	f := make([]uint32, k)
	for i := range f {
		f[i] = 1
	}
	f[top] = uint32(1<<prec) - uint32(k) + 1
	return f
}

// sample draws a symbol with probability f/T.
func sample(r *rand.Rand, f []uint32, prec uint) int {
	u := r.Uint32N(1 << prec)
	var c uint32
	for i, x := range f {
		c += x
		if u < c {
			return i
		}
	}
	return len(f) - 1
}

func cumOf(f []uint32) []uint32 {
	c := make([]uint32, len(f)+1)
	for i, x := range f {
		c[i+1] = c[i] + x
	}
	return c
}

// encodeScript encodes s, calling Take after every symbol when take is
// set, and returns the stream.
func encodeScript(t testing.TB, s *script, take bool) []byte {
	t.Helper()
	e, err := NewEncoder(s.prec)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for i, y := range s.syms {
		if err := e.Encode(s.freqs(i), y); err != nil {
			t.Fatalf("symbol %d: %v", i, err)
		}
		if take {
			out = append(out, e.Take()...)
		}
	}
	out = append(out, e.Finish()...)
	if int64(len(out)) != e.Len() {
		t.Fatalf("Len %d, got %d bytes", e.Len(), len(out))
	}
	return out
}

// decodeChunks feeds data in chunks given by next (sizes >= 1), decoding
// as far as Ready allows after every write, like Bob.
func decodeChunks(t testing.TB, s *script, data []byte, next func() int) ([]int, error) {
	t.Helper()
	d, err := NewDecoder(s.prec)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	// Like Bob: decode until ErrNeedInput. Ready implies no ErrNeedInput;
	// Decode may also succeed when !Ready (the bytes determine the symbol).
	advance := func() error {
		for len(got) < len(s.syms) {
			ready := d.Ready()
			y, err := d.Decode(s.freqs(len(got)))
			if err == ErrNeedInput {
				if ready {
					t.Fatalf("ErrNeedInput when Ready")
				}
				break
			}
			if err != nil {
				return err
			}
			got = append(got, y)
		}
		return nil
	}
	rest := data
	for len(rest) > 0 {
		n := min(next(), len(rest))
		if _, err := d.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
		if err := advance(); err != nil {
			return got, err
		}
		if d.buffered() > 2*n+16 {
			t.Fatalf("decoder buffer holds %d bytes after writes of %d", d.buffered(), n)
		}
	}
	d.CloseWrite()
	if err := advance(); err != nil {
		return got, err
	}
	if len(got) != len(s.syms) {
		t.Fatalf("decoded %d of %d symbols after CloseWrite", len(got), len(s.syms))
	}
	if d.Consumed() > int64(len(data)) {
		t.Fatalf("Consumed %d > %d", d.Consumed(), len(data))
	}
	return got, d.Finish()
}

// buffered is the decoder's buffer length including consumed bytes not
// yet dropped (for the bounded-buffer check).
func (d *Decoder) buffered() int { return len(d.buf) }

// refEncode is an independent reference: the same interval arithmetic on
// math/big integers (carries happen by themselves), the same flush rule,
// and the stream read off the final value. It also returns the exact
// ideal length Σ(P - log2 f) and the length -log2(width) of the final
// interval actually used.
func refEncode(s *script) (out []byte, idealBits, intervalBits float64) {
	return refEncodeRule(s, false)
}

// refEncodeRule is refEncode with Finish's minimal flush (self false) or
// Flush's self-delimiting one (self true: the block [V, V+256^k) must lie
// in the final interval).
func refEncodeRule(s *script, self bool) (out []byte, idealBits, intervalBits float64) {
	P := s.prec
	L := new(big.Int)
	W := new(big.Int).Lsh(big.NewInt(1), 32)
	shifts := 0
	prod := big.NewInt(1)
	var lo, hi, tmp big.Int
	for i, y := range s.syms {
		f := s.freqs(i)
		var c uint64
		for _, x := range f[:y] {
			c += uint64(x)
		}
		fy := uint64(f[y])
		lo.Rsh(tmp.Mul(W, new(big.Int).SetUint64(c)), P)
		hi.Rsh(tmp.Mul(W, new(big.Int).SetUint64(c+fy)), P)
		L.Add(L, &lo)
		W.Sub(&hi, &lo)
		for W.Cmp(big.NewInt(1<<24)) < 0 {
			L.Lsh(L, 8)
			W.Lsh(W, 8)
			shifts++
		}
		prod.Mul(prod, new(big.Int).SetUint64(fy))
	}
	// Flush: the smallest value in [L, L+W) with the most trailing zero
	// bytes among the last 4.
	j := 0
	var V big.Int
	for k := 4; k >= 0; k-- {
		m := new(big.Int).Lsh(big.NewInt(1), uint(8*k))
		d := new(big.Int).Mod(new(big.Int).Neg(L), m)
		fits := d.Cmp(W) < 0
		if self {
			fits = new(big.Int).Add(d, m).Cmp(W) <= 0
		}
		if fits {
			j = 4 - k
			V.Add(L, d)
			break
		}
	}
	full := make([]byte, shifts+4)
	V.FillBytes(full) // panics if V >= 256^(shifts+4): the value left [0,1)
	out = full[:shifts+j]
	idealBits = float64(uint(len(s.syms))*P) - log2Big(prod)
	intervalBits = float64(8*shifts+32) - log2Big(W)
	return out, idealBits, intervalBits
}

func log2Big(x *big.Int) float64 {
	f := new(big.Float).SetPrec(200).SetInt(x)
	mant := new(big.Float)
	exp := f.MantExp(mant) // x = mant * 2^exp, mant in [0.5, 1)
	m, _ := mant.Float64()
	return float64(exp) + log2f(m)
}

func equalInts(a, b []int) bool { return slices.Equal(a, b) }
