// Package train holds the update rules: pure functions of parameters and a
// summed minibatch gradient, with no hidden randomness and no I/O.
//
// Every rule divides the summed gradient by the batch size to get the mean,
// then applies the update with explicit rounding (float64(a*b)) so that no
// architecture fuses a multiply-add.
package train
