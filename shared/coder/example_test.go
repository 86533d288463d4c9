package coder_test

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/coder"
)

// Alice quantizes each predictive distribution and encodes the true label;
// Bob, who computes the same distributions, decodes the bytes as they
// arrive and checks the end of the stream.
func Example() {
	probs := [][]float64{
		{0.7, 0.2, 0.1},
		{0.1, 0.8, 0.1},
		{0.3, 0.3, 0.4},
		{0.05, 0.05, 0.9},
	}
	labels := []int{0, 1, 2, 2}
	freqs := make([]uint32, 3)

	enc, _ := coder.NewEncoder(coder.DefaultPrecision)
	var stream []byte
	for i, p := range probs {
		if err := coder.Quantize(freqs, p, coder.DefaultPrecision); err != nil {
			panic(err)
		}
		if err := enc.Encode(freqs, labels[i]); err != nil {
			panic(err)
		}
		stream = append(stream, enc.Take()...)
	}
	stream = append(stream, enc.Finish()...)

	dec, _ := coder.NewDecoder(coder.DefaultPrecision)
	dec.Write(stream) // in Bob's loop: as segments arrive, decoding while dec.Ready()
	dec.CloseWrite()
	var got []int
	for _, p := range probs {
		coder.Quantize(freqs, p, coder.DefaultPrecision)
		y, err := dec.Decode(freqs)
		if err != nil {
			panic(err)
		}
		got = append(got, y)
	}
	fmt.Println("decoded:", got)
	fmt.Println("bytes:", len(stream), "finish:", dec.Finish())
	// Output:
	// decoded: [0 1 2 2]
	// bytes: 1 finish: <nil>
}
