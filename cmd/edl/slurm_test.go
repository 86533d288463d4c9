package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/slurm/slurmtest"
)

// TestMain lets the test binary be edl itself for the Slurm nodes (and
// for the test's own command lines): with EDL_TEST_AS_EDL=1 it runs the
// command in its arguments. sbatch passes the environment on to the jobs.
func TestMain(m *testing.M) {
	if os.Getenv("EDL_TEST_AS_EDL") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// A planned curve (tinyCurve) runs on a real one-node Slurm as an array job
// with a dependent merge job; the merged outputs equal the one-machine
// run's byte for byte. A shard finished beforehand is left out of the
// array.
func TestSlurmCurveSweep(t *testing.T) {
	c := slurmtest.Start(t)
	t.Setenv("EDL_TEST_AS_EDL", "1")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	out, ref, plan := filepath.Join(tmp, "out"), filepath.Join(tmp, "ref"), filepath.Join(tmp, "plan")
	edlProc := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, exe, args...)
		cmd.Env = append(c.Env, "EDL_TEST_AS_EDL=1")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("edl %s: %v\n%s\n%s", strings.Join(args, " "), err, b, c.Logs())
		}
		return string(b)
	}
	edl(t, 0, append(tinyCurve, "--out", out)...)
	if err := os.Rename(out, ref); err != nil {
		t.Fatal(err)
	}
	edl(t, 0, append(tinyCurve, "--plan", plan)...)
	edl(t, 0, "shard", plan, "5")
	start := time.Now()
	msg := edlProc("submit", plan, "--slurm", "--wait", "--poll", "200ms", "--out", out, "--time", "10")
	t.Logf("edl submit --slurm --wait: %s\n%s", time.Since(start).Round(time.Millisecond), msg)
	script, err := os.ReadFile(filepath.Join(plan, "slurm-array.sh"))
	if err != nil || !strings.Contains(string(script), "#SBATCH --array=0-4,6-15\n") {
		t.Errorf("array script (want the 15 missing shards): %v\n%s", err, script)
	}
	if !strings.Contains(msg, "15/15 shards done") || !strings.Contains(msg, "merged into "+out) {
		t.Errorf("no final progress or merge line:\n%s", msg)
	}
	sameDirs(t, ref, out)
}
