package integration

import (
	"slices"
	"testing"
	"time"
)

// Every model family, optimizer and seeded task runs through the real
// alice and bob processes (issue 5, "Done when"): Bob decodes every label,
// his θ*, test loss and EDL equal Alice's, and every checkpoint matched.
func TestEveryFamilyOverTheWire(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"softmax-sgd", []string{"n", "3000", "classes", "5", "dim", "8"}},
		{"mlp-relu-adamw", []string{"n", "2000", "classes", "4", "dim", "6", "model", "mlp", "hidden", "16",
			"init", "normal", "init-scale", "0.1", "optimizer", "adamw", "lr", "0.01"}},
		{"mlp-gelu-sgd", []string{"n", "2000", "classes", "4", "dim", "6", "model", "mlp", "hidden", "12,8", "activation", "gelu",
			"init", "normal", "init-scale", "0.2", "lr", "0.1"}},
		{"mlp-tanh-momentum-theta", []string{"n", "1500", "validation", "300", "classes", "3", "dim", "5", "model", "mlp",
			"hidden", "8,8", "activation", "tanh", "init", "normal", "init-scale", "0.2", "optimizer", "momentum", "lr", "0.02",
			"epochs", "10", "patience", "2"}},
		{"kt", []string{"n", "2000", "classes", "6", "dim", "2", "model", "kt", "batch", "1", "noise", "0.5"}},
		{"laplace", []string{"n", "2000", "classes", "6", "dim", "2", "model", "laplace", "batch", "1", "noise", "0.5"}},
		{"hypothesis", []string{"task", "hypothesis", "model", "hypothesis", "classes", "64", "hypotheses", "64",
			"noise", "0.05", "model-noise", "0.05", "n", "500", "batch", "1"}},
		{"coupon-table", []string{"task", "coupon", "model", "table", "keys", "40", "classes", "8", "n", "1500", "batch", "1"}},
		{"parity-mlp-adam", []string{"task", "parity", "dim", "6", "parity-bits", "2", "model", "mlp", "hidden", "16",
			"init", "normal", "init-scale", "0.3", "optimizer", "adam", "lr", "0.01", "n", "3000", "batch", "8"}},
		{"modular-permuted-mlp", []string{"task", "modular", "classes", "7", "notation", "permuted", "op", "mul",
			"model", "mlp", "hidden", "24", "init", "normal", "init-scale", "0.1", "n", "2000"}},
		{"rare-softmax", []string{"task", "rare", "rare-weight", "0.2", "n", "3000"}},
		{"random-labels-coupon", []string{"task", "coupon", "model", "table", "keys", "10", "classes", "4", "n", "1000",
			"random-labels", "true"}},
		// The format task (V = 256 symbols, |S| = 8 answers, 64 one-hot
		// keys) with the answers scored: Bob's scored figures must be
		// Alice's to the bit (Alice checks; so does this test, through the
		// reports).
		{"format-softmax-scored", []string{"task", "format", "score", "answers", "n", "1500", "lr", "0.5", "batch", "1", "noise", "0.1"}},
		{"format-table-scored", []string{"task", "format", "model", "table", "keys", "32", "score", "answers", "n", "800", "batch", "1"}},
		{"format-mlp-random-labels", []string{"task", "format", "keys", "16", "model", "mlp", "hidden", "16", "init", "normal",
			"init-scale", "0.1", "n", "800", "score", "answers", "random-labels", "true"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := testContext(t)
			bob := startBob(t, "--once")
			res := runAlice(ctx, t, append([]string{"--bob", bob.addr, "--quiet"}, specArgs(append([]string{"test", "500", "seed", "5"}, c.args...)...)...)...)
			if res.exitCode != 0 {
				t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
			}
			session := bob.next(t, "session", 30*time.Second)
			if e, ok := session["error"]; ok {
				t.Fatalf("bob: %v", e)
			}
			rep := res.report
			if rep["bob_verified"] != true {
				t.Fatalf("not verified: %v", rep)
			}
			for _, k := range []string{"n", "params", "trainable_params", "payload_bytes", "coded_bits", "heldout_bits", "test_loss_bits", "edl_bits", "theta_epochs", "checkpoints"} {
				ak := k
				if k == "checkpoints" {
					ak = "checkpoints_matched"
				}
				if num(t, rep, ak) != num(t, session, k) {
					t.Errorf("%s: alice %v, bob %v", k, rep[ak], session[k])
				}
			}
			if slices.Contains(c.args, "score") {
				for _, k := range []string{"scored_ideal_bits", "scored_test_loss_bits", "scored_edl_bits"} {
					if num(t, rep, k) != num(t, session, k) {
						t.Errorf("%s: alice %v, bob %v", k, rep[k], session[k])
					}
				}
				if !(num(t, rep, "scored_ideal_bits") < num(t, rep, "ideal_bits")) {
					t.Errorf("scored ideal %v bits not below the full ideal %v", rep["scored_ideal_bits"], rep["ideal_bits"])
				}
				t.Logf("%s: answers scored: %.1f bits, test loss %.4f bits, EDL %.1f bits",
					c.name, num(t, rep, "scored_ideal_bits"), num(t, rep, "scored_test_loss_bits"), num(t, rep, "scored_edl_bits"))
			}
			for _, k := range []string{"fingerprint", "labels_sha256", "spec_hash"} {
				if str(t, rep, k) != str(t, session, k) {
					t.Errorf("%s: alice %v, bob %v", k, rep[k], session[k])
				}
			}
			t.Logf("%s: %v params, MDL %v bits for %v labels, test loss %.4f bits, EDL %.1f bits",
				c.name, rep["params"], rep["coded_bits"], rep["n"], num(t, rep, "test_loss_bits"), num(t, rep, "edl_bits"))
		})
	}
}
