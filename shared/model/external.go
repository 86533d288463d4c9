package model

// External is a learner that lives outside this process (a predictor
// plugin, see proto/predictor): it keeps its own parameters and optimizer,
// so the session cannot read or fingerprint them itself; it asks. Every
// call may fail (the process crashed, timed out, or broke the protocol),
// hence the errors that Differentiable's in-process calls do not have.
//
// The contract is the one both sides rely on for the built-in models: two
// Externals given the same calls return the same bits, and Fingerprint
// changes whenever anything that decides a future prediction changes.
type External interface {
	// NumClasses is K.
	NumClasses() int
	// InputDim is the length of an input vector.
	InputDim() int
	// Predict writes p(·|x_b) into probs[b] for a minibatch, every row with
	// the state from before the batch's Update; first is the index of
	// xs[0], for messages. Implementations check each row is a probability
	// distribution over K classes (finite, non-negative, summing to 1
	// within 1e-6) and name the example when it is not.
	Predict(first int64, probs, xs [][]float64) error
	// Update learns the labels of the batch last predicted.
	Update(first int64, xs [][]float64, labels []int) error
	// Fingerprint is the learner's own hash of its exact state.
	Fingerprint() ([]byte, error)
}
