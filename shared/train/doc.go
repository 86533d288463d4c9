// Package train holds the update rules (SGD, momentum, Adam, AdamW): each a
// deterministic function of the parameters, a summed minibatch gradient and
// its own state (velocity, moments, step count), with no hidden randomness
// and no I/O. The state is exposed as one canonical vector (State/SetState)
// so checkpoints and fingerprints can include it.
//
// Every rule divides the summed gradient by the batch size to get the mean,
// then applies the update with explicit rounding (float64(a*b)) so that no
// architecture fuses a multiply-add.
package train
