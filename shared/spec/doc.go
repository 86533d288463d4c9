// Package spec defines the experiment specification that Alice and Bob agree on
// before a transmission: the task and its inputs, the model and its
// initialization, the training algorithm and the coder precision.
//
// A Spec has one canonical byte encoding (Canonical) and a SHA-256 hash of it
// (Hash). Two sides that hold the same canonical bytes build bit-identical
// models, inputs and trainers; Diff names every field in which two specs
// differ, so a refusal can say exactly what does not match.
//
// # Sections: models and tasks register their part
//
// The spec's core is one field table (spec.go) that both encodes and
// decodes. What belongs to one model family or one task — which fields it
// reads, what makes them valid, its parameter count and dense widths, its
// memory tables, its flags and the defaults a selection of it brings — is a
// Section, registered by the package that builds it: package model
// registers the models' sections with their constructors (model.Register),
// package task the tasks' with their generators (task.Register). Validate,
// NumParams, DenseSizes, MemoryEstimate and the flag package
// (cmd/internal/specflag) iterate the registered sections instead of
// switching on names, so adding a model or a task is one file in its
// package (plus its test) and no edit here.
//
// The registry lives here, not in model or task, because of the dependency
// direction: model and task import spec (to read a spec), so spec cannot
// import them; they register into it while they initialize, the way
// database/sql drivers and image formats do. The price: a program that
// validates specs must link package model and package task (every binary
// and the session do); without them Validate reports the model and task as
// unknown, naming the package to import, rather than passing anything.
//
// A section may declare fields of its own (FieldDef), stored in Spec.Extra
// as canonical text and encoded after every core field, in name order,
// exactly when the spec holds them: a spec that selects the section holds
// each of them, no other spec holds any, so every spec without them keeps
// its bytes and hash. Canonical and Hash depend on the spec's values alone,
// never on what a program registered; Parse needs the declaring section
// registered to check a value's canonical form, and refuses a field no
// section declares.
//
// Core fields that only some sections read are listed in their Owns: one
// set on a spec whose model and task both leave it unowned is refused by
// name (it would change the hash and nothing else).
//
// The package does no I/O. Floats are encoded with strconv's shortest
// round-trip form, which is exact and identical on every architecture.
package spec
