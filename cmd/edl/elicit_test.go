package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/edlwire/edlwire/shared/experiment"
)

// The reduced elicitation experiment (p = 23, seeds 1–3) keeps its
// qualitative outcomes: the pre-trained body learns the new answer
// notation with several times fewer bits than random initialization, its
// EDL/n peaks an order of magnitude earlier, both arms end up knowing the
// task, and the random-label controls stay near zero.
func TestElicitQuickOutcomes(t *testing.T) {
	o := experiment.Defaults(true)
	o.Workers = 2
	dir := t.TempDir()
	rep, err := runElicit(o, "elicit", []experiment.Arm{experiment.ArmElicit, experiment.ArmTeach}, dir, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	el, te := rep.Arms[0], rep.Arms[1]
	for i := range el.Runs {
		e, tr := el.Runs[i], te.Runs[i]
		if r := tr.EDL / e.EDL; r < 3 {
			t.Errorf("seed %d: EDL teaching %.1f / elicitation %.1f = %.2f, want >= 3", e.Seed, tr.EDL, e.EDL, r)
		}
		if e.PeakN*4 > tr.PeakN {
			t.Errorf("seed %d: elicitation peaks at n=%d, teaching at n=%d: want 4× earlier", e.Seed, e.PeakN, tr.PeakN)
		}
		if e.AccFinal < 0.95 || tr.AccFinal < 0.9 {
			t.Errorf("seed %d: final accuracy elicitation %.3f, teaching %.3f", e.Seed, e.AccFinal, tr.AccFinal)
		}
		for _, c := range []float64{e.ControlEDL, tr.ControlEDL} {
			if c/float64(o.N) > 0.1 || c/float64(o.N) < -0.1 {
				t.Errorf("seed %d: random-label control EDL %.1f bits over n=%d", e.Seed, c, o.N)
			}
		}
	}
	if len(rep.Ratios) != 1 || !strings.HasPrefix(rep.Ratios[0].Verdict, "partly") {
		t.Errorf("ratios %+v", rep.Ratios)
	}
	for _, f := range []string{"elicit.json", "elicit.csv", "edl_per_example_arms.png", "elicitation/curve.csv", "teaching/edl_per_example.png", "bases/add-onehot.ckpt"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// The reduced latent-script pair (p = 23, 4 scripts, n ≤ 3000, seeds 1–3,
// θ*ₙ to validation convergence): the model pre-trained with the script
// named starts its EDL/n curve high (≥ 3× the teaching arm's at the first
// grid point), rises at most 0.75 bits/example to a peak within the first
// 40 examples and then falls at least 10× (the plateau-then-fall of the
// results page, not the strictly falling curve of the papers), learns the untagged target with at least 10× fewer bits than random
// initialization in every seed, and one example raises its test accuracy by
// at least 10 points where the teaching arm's moves by less; both end
// knowing the task. The teaching arm's random-label control stays near zero
// (the elicitation arm's does not: its base is confident about the
// scripts, and random labels first have to undo that, a cost the results
// page reports).
//
// One run serves this test and the intervention's (it holds both arms).
func TestElicitLatentQuickOutcomes(t *testing.T) {
	rep := latentQuick(t)
	el, te := rep.Arms[1], rep.Arms[0]
	for i := range el.Runs {
		e, tr := el.Runs[i], te.Runs[i]
		if r := tr.EDL / e.EDL; r < 10 {
			t.Errorf("seed %d: EDL teaching %.1f / elicitation %.1f = %.2f, want >= 10", e.Seed, tr.EDL, e.EDL, r)
		}
		if e.PeakN > 40 || e.FirstEDLPerN < 3*tr.FirstEDLPerN {
			t.Errorf("seed %d: elicitation EDL/n %.3f at the first grid point (teaching %.3f), peak at n=%d: want ≥ 3× teaching's and a peak by n=40",
				e.Seed, e.FirstEDLPerN, tr.FirstEDLPerN, e.PeakN)
		}
		// The plateau, then the fall: the peak at most 0.75 bits/example
		// above the first grid point, the last at least 10× below it.
		last := e.EDLIdeal / float64(rep.Options.N)
		if e.PeakEDLPerN-e.FirstEDLPerN > 0.75 || last > e.FirstEDLPerN/10 {
			t.Errorf("seed %d: elicitation EDL/n %.3f at the first grid point, %.3f at the peak, %.3f at n=%d: want a rise ≤ 0.75 and a 10× fall",
				e.Seed, e.FirstEDLPerN, e.PeakEDLPerN, last, rep.Options.N)
		}
		if ge, gt := e.AccAfter-e.AccBefore, tr.AccAfter-tr.AccBefore; ge < 0.1 || gt >= 0.1 {
			t.Errorf("seed %d: one example moves accuracy by %.3f (elicitation) and %.3f (teaching)", e.Seed, ge, gt)
		}
		if e.AccFinal < 0.99 || tr.AccFinal < 0.9 {
			t.Errorf("seed %d: final accuracy elicitation %.3f, teaching %.3f", e.Seed, e.AccFinal, tr.AccFinal)
		}
		if c := tr.ControlEDL / float64(rep.Options.N); c > 0.1 || c < -0.1 {
			t.Errorf("seed %d: teaching random-label control EDL %.1f bits over n=%d", e.Seed, tr.ControlEDL, rep.Options.N)
		}
	}
}

// The reduced latent-script intervention: only the pre-training on the
// skill (tagged scripts, correct labels) makes the untagged target cheap and
// learned; random labels (format only) leave a model that learns the script
// and not the skill; an unrelated operation costs at least what random
// initialization costs.
func TestInterveneLatentQuickOutcomes(t *testing.T) {
	rep := latentQuick(t)
	verdicts := map[string]string{}
	for _, r := range rep.Ratios {
		verdicts[r.Arm] = r.Verdict
		if r.Arm == experiment.ArmUnrelated.Name && r.Mean > 1 {
			t.Errorf("unrelated pre-training: teaching/arm EDL %.2f, want ≤ 1", r.Mean)
		}
	}
	for arm, want := range map[string]string{experiment.ArmElicit.Name: "flipped", experiment.ArmPermuted.Name: "not learned", experiment.ArmUnrelated.Name: "not flipped"} {
		if !strings.HasPrefix(verdicts[arm], want) {
			t.Errorf("%s: verdict %q, want %q…", arm, verdicts[arm], want)
		}
	}
}

var latentQuickRun struct {
	sync.Once
	rep *elicitReport
	err error
}

// latentQuick runs the reduced latent-script intervention once for the
// tests that read it: arms teaching, elicitation, random labels, unrelated.
func latentQuick(t *testing.T) *elicitReport {
	t.Helper()
	latentQuickRun.Do(func() {
		o := experiment.LatentDefaults(true)
		o.Workers = 2
		dir, err := os.MkdirTemp("", "edl-latent-quick")
		if err != nil {
			latentQuickRun.err = err
			return
		}
		defer os.RemoveAll(dir)
		latentQuickRun.rep, latentQuickRun.err = runElicit(o, "intervene", []experiment.Arm{experiment.ArmTeach, experiment.ArmElicit, experiment.ArmPermuted, experiment.ArmUnrelated}, dir, "test", nil)
	})
	if latentQuickRun.err != nil {
		t.Fatal(latentQuickRun.err)
	}
	return latentQuickRun.rep
}

// The reduced intervention: only pre-training on the skill with correct
// labels makes the target cheap and learned; random labels leave a body
// that learns nothing (small EDL, no accuracy), an unrelated operation one
// that pays what random initialization pays.
func TestInterveneQuickOutcomes(t *testing.T) {
	o := experiment.Defaults(true)
	o.Workers = 2
	rep, err := runElicit(o, "intervene", []experiment.Arm{experiment.ArmTeach, experiment.ArmElicit, experiment.ArmPermuted, experiment.ArmUnrelated}, t.TempDir(), "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	verdicts := map[string]string{}
	for _, r := range rep.Ratios {
		verdicts[r.Arm] = r.Verdict
	}
	for arm, want := range map[string]string{experiment.ArmElicit.Name: "partly", experiment.ArmPermuted.Name: "not learned", experiment.ArmUnrelated.Name: "not flipped"} {
		if !strings.HasPrefix(verdicts[arm], want) {
			t.Errorf("%s: verdict %q, want %q…", arm, verdicts[arm], want)
		}
	}
}

// edl pretrain writes a base that edl run and edl curve start from, with
// --reset-head; the run's report names the base.
func TestPretrainThenRunFromBase(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.ckpt")
	common := []string{"--task", "modular", "--classes", "7", "--model", "mlp", "--hidden", "16", "--init", "normal", "--init-scale", "0.1",
		"--optimizer", "adam", "--lr", "0.02", "--batch", "8", "--test", "200"}
	var out, errb bytes.Buffer
	if code := run(append([]string{"pretrain", "--n", "1000", "--out", base}, common...), &out, &errb); code != 0 {
		t.Fatalf("pretrain: exit %d: %s", code, errb.String())
	}
	target := append([]string{"--n", "400", "--notation", "answers-permuted", "--base", base, "--reset-head"}, common...)
	if code := run(append([]string{"run", "--quiet"}, target...), &out, &errb); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errb.String())
	}
	if code := run(append([]string{"curve", "--seeds", "1", "--grid", "8,400", "--out", filepath.Join(dir, "c")}, target...), &out, &errb); code != 0 {
		t.Fatalf("curve: exit %d: %s", code, errb.String())
	}
	if code := run([]string{"run", "--reset-head"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "reset_head") {
		t.Errorf("--reset-head without a base: exit %d, %s", code, errb.String())
	}
}

// The reduced capacity run writes its table, JSON, CSV and plots.
func TestCapacityQuick(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"capacity", "--quick", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, f := range []string{"capacity.json", "capacity.csv", "capacity.png", "pgr.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out.String(), "P*(teaching)/P*(elicitation)") {
		t.Errorf("no threshold line:\n%s", out.String())
	}
}
