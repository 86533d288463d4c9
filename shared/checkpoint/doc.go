// Package checkpoint encodes and decodes checkpoint files: the canonical
// model and the optimizer state of a session, tied to the spec that
// produced them. It works on bytes only (no I/O): alice, bob and the
// commands read and write the files.
//
// A checkpoint serves two purposes. It saves a learner (model parameters,
// optimizer state, the number of examples learned) so it can be loaded
// back bit for bit (Restore). And it is the pre-trained base a transmission
// can start from: a spec names the base file by its SHA-256 (base_sha256)
// and file name (base_name); both sides hold a copy, and OpenBase refuses a
// file whose hash differs from the spec's, or whose model does not have the
// spec's architecture, naming the file, both hashes or the fields.
//
// Format (version edlwire-checkpoint-v1), all integers little-endian:
//
//	magic    "edlwire-checkpoint-v1\n"
//	u32 len, the producing spec's canonical encoding (spec.Canonical)
//	u64 examples learned
//	u64 len, the canonical model encoding (model.Encode)
//	u64 n, then n float64 IEEE-754 bits: the optimizer state (train.Optimizer.State)
//	32 bytes: SHA-256 of everything before
//
// Decoding never panics on hostile input: a damaged file is an error
// wrapping ErrCorrupt.
package checkpoint
