package coder

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// goldenScripts are fixed scripts whose exact streams are pinned: any
// change to these bytes is a format change.
func goldenScripts() map[string]*script {
	m := map[string]*script{}

	// K=2, 3/4 vs 1/4, alternating, 80 symbols.
	s := &script{prec: 24, tables: [][]uint32{{3 << 22, 1 << 22}}}
	for i := range 80 {
		s.add(0, i%2)
	}
	m["k2-alternating"] = s

	// K=10, f_i ∝ i+1 (quantized), symbols 7i mod 10, 100 symbols.
	p := make([]float64, 10)
	for i := range p {
		p[i] = float64(i+1) / 55
	}
	f := make([]uint32, 10)
	if err := Quantize(f, p, 24); err != nil {
		panic(err)
	}
	s = &script{prec: 24, tables: [][]uint32{f}}
	for i := range 100 {
		s.add(0, 7*i%10)
	}
	m["k10-fixed"] = s

	// K=256 with extremes: symbol 0 has T-255, others 1; runs of 0 and
	// rare symbols; plus a flat table.
	flat := make([]uint32, 256)
	for i := range flat {
		flat[i] = 1 << 16
	}
	s = &script{prec: 24, tables: [][]uint32{extremeTable(256, 0, 24), flat}}
	for i := range 300 {
		switch {
		case i%50 == 49:
			s.add(0, 255-i%7)
		case i%3 == 0:
			s.add(1, i%256)
		default:
			s.add(0, 0)
		}
	}
	m["k256-extremes"] = s

	// Precision 12, K=3, with runs that produce carries.
	s = &script{prec: 12, tables: [][]uint32{{4094, 1, 1}, {1000, 2000, 1096}}}
	for i := range 400 {
		switch {
		case i < 200:
			s.add(0, 0)
		case i < 210:
			s.add(0, 2)
		default:
			s.add(1, i%3)
		}
	}
	m["p12-k3-carries"] = s
	return m
}

var goldenStreams = map[string]string{
	"k2-alternating": "b13b13b13b13b13a623ad7d74f",
	"k10-fixed":      "027ed06b1feec8f12f4f0e0622c9ed7dcb70a01c548760d628276734e4e9ecb24a77aa7d2d439db08d81c8a152",
	"k256-extremes":  "00030602f9f0e7ded5cdc4bcb4aca49c9559352a333605ccc3bbb3aba39b948c857d767004e6d4a3689f968e867f78716a63dbd7d4d0ce3420c8b5999b6c635b554eedeae7e4e1dedc9494cbc45ec9cc05362d28221c1711eae8e6e4e2e0e5d40b39fd0804f9f0eae4ded9d3cec9c3dbfaf1ff17",
	"p12-k3-carries": "e82d26ecffffffffffffffffffffff3b0e1f945fcc331e68282bf2c99eef997f4bf1ff0a6a536c90d980db83e9ee3299c938626cd99506",
}

func TestGolden(t *testing.T) {
	for name, s := range goldenScripts() {
		data := encodeScript(t, s, true)
		if got := hex.EncodeToString(data); got != goldenStreams[name] {
			t.Errorf("%s: stream changed (format change!)\n got %q\nwant %q", name, got, goldenStreams[name])
		}
		if ref, _, _ := refEncode(s); !bytes.Equal(ref, data) {
			t.Errorf("%s: differs from the math/big reference", name)
		}
		want, err := hex.DecodeString(goldenStreams[name])
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeAll(want, s.prec, len(s.syms), s.freqs)
		if err != nil || !equalInts(got, s.syms) {
			t.Errorf("%s: golden stream does not decode: %v", name, err)
		}
	}
}
