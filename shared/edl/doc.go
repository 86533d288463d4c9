// Package edl turns a coded pass into the figures the product reports:
// the uniform code, the test loss of the final model in bits per example,
// and the Excess Description Length EDL = MDL − n·L_test.
//
// All figures are in bits. Logarithms come from detmath, so the numbers are
// the same on every architecture.
package edl
