// Package predictor is the host side of the predictor plugin protocol
// (proto/predictor.proto): it starts an external predictor process through
// hashicorp/go-plugin (handshake line on the plugin's stdout, gRPC on a
// loopback socket, health check, the process killed with its Client) and
// presents it as a model.External that shared/prequential drives like a
// built-in model.
//
// One round trip per batch: a batch's Update is held back and travels with
// the next batch's Predict, as one message each way on the plugin's Session
// stream (opened at the first call; a plugin that answers it Unimplemented
// gets the unary Update and Predict instead), without the batch's inputs
// when the plugin keeps the ones it last predicted.
//
// Every call has a deadline (Config.CallTimeout; on the stream, a timer per
// message that cancels the stream): a plugin that hangs is an error naming
// the call and its examples, never a hang. A plugin that
// crashes, times out or answers something that is not a distribution over
// K classes (NaN, negative, not summing to 1 within 1e-6, wrong shape) is
// stopped and the error names the call and the example; the Client is then
// unusable. Close always leaves no process behind.
//
// The package refuses to repair a bad answer: no renormalising, no
// clamping. What reaches the coder is exactly what the plugin said, checked,
// and quantized by the one quantizer (shared/coder.Quantize).
package predictor
