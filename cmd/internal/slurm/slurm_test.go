package slurm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/slurm/slurmtest"
	"github.com/edlwire/edlwire/cmd/internal/sweep"
)

// double is a toy command: shard i returns 2i and fails where the file
// DIR/fail-I exists; the merge writes the sum.
var double = sweep.Registry{"double": sweep.Kind{
	Shard: func(p *sweep.Plan, job json.RawMessage) (json.RawMessage, error) {
		var j struct {
			I    int
			Fail string
		}
		if err := json.Unmarshal(job, &j); err != nil {
			return nil, err
		}
		if _, err := os.Stat(j.Fail); err == nil {
			return nil, errors.New("told to fail")
		}
		return json.Marshal(2 * j.I)
	},
	Merge: func(p *sweep.Plan, args []string, results []json.RawMessage, out string, stdout io.Writer) ([]string, error) {
		sum := 0
		for _, r := range results {
			var v int
			json.Unmarshal(r, &v)
			sum += v
		}
		os.MkdirAll(out, 0o755)
		f := filepath.Join(out, "sum.txt")
		return []string{f}, os.WriteFile(f, []byte(strconv.Itoa(sum)+"\n"), 0o644)
	},
}}

// TestMain lets the test binary play edl's shard and merge commands on
// the cluster's nodes (sbatch passes the environment on).
func TestMain(m *testing.M) {
	if os.Getenv("SLURM_TEST_EDL") == "1" {
		var err error
		switch os.Args[1] {
		case "shard":
			i, _ := strconv.Atoi(os.Args[3])
			_, err = double.RunShard(os.Args[2], i)
		case "merge":
			_, err = double.Merge(os.Args[2], os.Args[4], os.Args[4], os.Stdout)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func planDouble(t *testing.T, n int) *sweep.Dir {
	dir := t.TempDir()
	jobs := make([]any, n)
	for i := range jobs {
		jobs[i] = map[string]any{"I": i, "Fail": filepath.Join(dir, "fail-"+strconv.Itoa(i))}
	}
	d, err := sweep.Create(dir, "double", nil, n, jobs)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestScripts(t *testing.T) {
	d := planDouble(t, 10)
	o := Options{Exe: "/opt/edl bin/edl", Out: "/shared/out", Partition: "short", Time: "1:00:00", CPUs: 2, MaxRunning: 4, Extra: []string{"--constraint=avx2"}}
	a := Array(d, o, []int{0, 1, 2, 5, 7, 8, 9})
	for _, want := range []string{
		"#SBATCH --array=0-2,5,7-9%4\n",
		"#SBATCH --output=" + d.Path + "/logs/shard-%a.%A.log\n",
		"#SBATCH --cpus-per-task=2\n", "#SBATCH --partition=short\n", "#SBATCH --time=1:00:00\n", "#SBATCH --constraint=avx2\n",
		"exec '/opt/edl bin/edl' shard '" + d.Path + "' \"$SLURM_ARRAY_TASK_ID\"\n",
	} {
		if !strings.Contains(a, want) {
			t.Errorf("array script lacks %q:\n%s", want, a)
		}
	}
	m := Merge(d, o)
	if want := "exec '/opt/edl bin/edl' merge '" + d.Path + "' --out '/shared/out'\n"; !strings.Contains(m, want) {
		t.Errorf("merge script lacks %q:\n%s", want, m)
	}
	if err := (Options{Exe: "edl", Out: "out"}).Validate(); err == nil {
		t.Error("relative paths and 0 CPUs accepted")
	}
}

// A real one-node Slurm: an array with one failing shard is reported with
// its log and the merge cancelled; submitted again, only that shard runs,
// and the merge follows.
func TestSubmitWait(t *testing.T) {
	c := slurmtest.Start(t)
	t.Setenv("SLURM_TEST_EDL", "1")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := planDouble(t, 4)
	fail := filepath.Join(d.Path, "fail-2")
	os.WriteFile(fail, nil, 0o644)
	o := Options{Exe: exe, Out: filepath.Join(t.TempDir(), "out"), CPUs: 1}

	s, err := Submit(ctx, d, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, c.Logs())
	}
	var progress bytes.Buffer
	err = Wait(ctx, d, s, 200*time.Millisecond, &progress)
	log := ShardLog(d, s.ArrayID, 2)
	if err == nil || !strings.Contains(err.Error(), "1 of 4 shards failed: shard 2 (log "+log+")") {
		t.Fatalf("want shard 2's failure, got %v\nprogress:\n%s\n%s", err, progress.String(), c.Logs())
	}
	if b, _ := os.ReadFile(log); !strings.Contains(string(b), "told to fail") {
		t.Errorf("shard 2's log %s: %q", log, b)
	}
	t.Logf("progress:\n%s", progress.String())

	os.Remove(fail)
	s, err = Submit(ctx, d, o)
	if err != nil {
		t.Fatal(err)
	}
	if sweep.Ranges(s.Todo) != "2" {
		t.Errorf("re-submission runs %v, want only shard 2", s.Todo)
	}
	progress.Reset()
	if err := Wait(ctx, d, s, 200*time.Millisecond, &progress); err != nil {
		t.Fatalf("%v\nprogress:\n%s\n%s", err, progress.String(), c.Logs())
	}
	if b, _ := os.ReadFile(filepath.Join(o.Out, "sum.txt")); string(b) != "12\n" {
		t.Errorf("merged %q, want 12", b)
	}
}
