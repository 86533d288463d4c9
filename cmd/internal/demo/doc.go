// Package demo is "edl demo": the coding argument, live, for teaching.
//
// It starts a real bob (--once, --events on fd 3) and a real alice
// (--events on fd 3, --control on fd 4, --pace, one-byte segments so Bob
// decodes as soon as a byte exists) on a scene: handwritten digits (UCI,
// from ../shared/data), a linear teacher, hypothesis collapse or the
// coupon collector, with or without random labels. It reads both event
// streams and both JSON reports and serves a page, built from assets
// embedded in the binary (no CDN: it works offline), that follows the
// transmission through server-sent events: each example's input, the
// predictive distribution, the label and its cost −log₂p, the bytes so
// far; the cumulative MDL against the uniform code and n·L_test with the
// EDL area shaded; Alice's and Bob's fingerprints side by side; and the
// reports' figures at the end. The page's controls (pause, step, speed,
// another scene, random labels) reach alice through her control pipe.
// With --terminal there is no page: a line per checkpoint and a summary,
// within 80 columns.
//
// Finding alice and bob: --bin DIR; else beside the running executable
// (make build and go install put all commands together); else, when the
// working directory is inside this module's source, go build into a
// temporary folder (so "go run ./cmd/edl demo" works from a fresh clone);
// else on PATH. Binaries without --events are refused, naming the fix.
//
// The demo changes nothing of what is coded: pacing delays examples, and
// the observers see the frequencies the coder used. What it shows as the
// final figures are the reports' own fields, which the browser test checks
// against the JSON alice and bob printed.
package demo
