// Package task generates the built-in seeded tasks. Inputs and labels are
// kept apart: Inputs builds only what Bob may see, Labels builds what only
// Alice knows. Both derive their random streams from the spec's seed with
// rng.Derive, one named stream per purpose, so adding a stream never shifts
// another.
//
// The synthetic task draws inputs x ~ N(0, I_D), a hidden linear teacher
// W* ~ N(0, 1)^{K×D}, and labels y = argmax_k W*_k·x (lowest index on ties).
// With probability Noise a label is replaced by a uniform draw; with
// RandomLabels every label is uniform and independent of x (the control in
// which nothing generalizes, so EDL ≈ 0). Held-out test examples come from
// the same distribution through their own streams.
//
// The seeded tasks with a known answer are in seeded.go; the format task
// (answers in a seeded subset S of a large vocabulary, see format.go) keeps
// its noise and its random-label control inside S, so that its answers can
// be scored alone (spec.ScoreAnswers).
//
// A seeded task's split is one random stream read in row order, so it can
// be generated as it is read (stream.go): NewStreamInputs, which Alice and
// Bob use, streams the inputs of a spec past spec.StreamInputsAbove
// (spec.InputsStreamed: not the blockwise code's, which trains on shuffled
// rows) through a window of spec.InputWindowRows rows, so that their memory
// does not grow with n; NewInputs holds every row. Both run the same
// per-row fill, and give the same bits. The labels too are a rule applied
// row by row (labels.go): NewStreamLabels, which Alice uses for every
// seeded task, generates label i when it is read, from row i as her
// session has just read it, so she holds no label either; NewLabels holds
// them.
//
// The mnist task (mnist.go) is real data: the canonical MNIST files, read
// through a source the program sets (SetMNISTSource; package cmd/internal/mnistfiles
// finds them in the GoMNIST module), each checked against its SHA-256.
//
// Every task is registered (registry.go): its spec section (the fields it
// owns, their validation, flags, the defaults --task brings, its memory
// tables; see package spec) and its generators. NewInputs and NewLabels
// look the task up; the built-in ones are registered in builtin.go, in the
// order --task's help lists them. A new task is one file whose init calls
// Register, plus its test: spec validation and the spec flags find it.
package task
