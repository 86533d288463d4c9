package transmit_test

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// The product in miniature: Alice's Sender codes the labels of a small
// task, Bob's Receiver decodes the bytes a few at a time as they would
// arrive, and his figures equal hers to the bit.
func Example() {
	sp := spec.Default()
	sp.N, sp.Test, sp.CheckpointEvery = 400, 100, 100
	in, labels, _ := task.Build(sp, nil, nil)
	alice, _ := prequential.NewWithOptions(sp, in, prequential.Options{HeldOut: true})
	bob, _ := prequential.NewWithOptions(sp, in, prequential.Options{HeldOut: true}) // inputs only: no labels

	snd, _ := transmit.NewSender(alice, labels)
	fin, _ := snd.Run()

	rcv, _ := transmit.NewReceiver(bob)
	decode := func() { // as far as the bytes so far allow
		for {
			ex, ok, _ := rcv.Step()
			if !ok {
				return
			}
			if ex.Checkpoint != nil {
				fmt.Printf("checkpoint at %d: fingerprint %x…\n", ex.Checkpoint.Example, ex.Checkpoint.Fingerprint[:4])
			}
		}
	}
	for stream := snd.Stream(); len(stream) > 0; {
		n := min(16, len(stream))
		_ = rcv.Write(stream[:n])
		stream = stream[n:]
		decode()
	}
	_ = rcv.CloseWrite(fin.PayloadBytes)
	decode()
	got, err := rcv.Finish(fin)
	fmt.Println("verified:", err == nil && len(snd.Figures().Diff(got)) == 0)
	fmt.Println("MDL bits:", got.CodedBits(), "of", 8*got.PayloadBytes, "payload bits")
	// Output:
	// checkpoint at 100: fingerprint 160de836…
	// checkpoint at 200: fingerprint 6b5a63ad…
	// checkpoint at 300: fingerprint dfb82b71…
	// checkpoint at 400: fingerprint 0c2c2e2d…
	// checkpoint at 500: fingerprint 0c2c2e2d…
	// verified: true
	// MDL bits: 760 of 904 payload bits
}
