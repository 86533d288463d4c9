package main

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/cmd/internal/sweep"
)

// tinyCurve is a small curve: 2 seeds with their controls, a 3-point grid.
var tinyCurve = []string{"curve", "--n", "200", "--test", "500", "--seeds", "2", "--grid", "40,100,200"}

// sameDirs fails unless a and b hold the same files with the same bytes.
func sameDirs(t *testing.T, a, b string) {
	t.Helper()
	ea, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	eb, _ := os.ReadDir(b)
	if len(ea) != len(eb) || len(ea) == 0 {
		t.Fatalf("%s has %d files, %s %d", a, len(ea), b, len(eb))
	}
	for _, e := range ea {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs (%v)", e.Name(), err)
		}
	}
}

// sameTrees fails unless a and b hold the same files, subdirectories
// included, with the same bytes.
func sameTrees(t *testing.T, a, b string) {
	t.Helper()
	list := func(root string) map[string][]byte {
		m := map[string][]byte{}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			m[rel], err = os.ReadFile(path)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ma, mb := list(a), list(b)
	if len(ma) == 0 || len(ma) != len(mb) {
		t.Fatalf("%s has %d files, %s %d", a, len(ma), b, len(mb))
	}
	for name, x := range ma {
		if y, ok := mb[name]; !ok || !bytes.Equal(x, y) {
			t.Errorf("%s differs (in %s: %v)", name, b, ok)
		}
	}
}

func edl(t *testing.T, want int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != want {
		t.Fatalf("edl %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

// A planned curve, its shards run in reverse order, merges into exactly the
// files of the one-machine run; missing and corrupt shards are named.
func TestCurvePlanShardMerge(t *testing.T) {
	tmp := t.TempDir()
	out, ref, plan := filepath.Join(tmp, "out"), filepath.Join(tmp, "ref"), filepath.Join(tmp, "plan")
	edl(t, 0, append(tinyCurve, "--out", out)...)
	if err := os.Rename(out, ref); err != nil {
		t.Fatal(err)
	}
	msg := edl(t, 0, append(tinyCurve, "--plan", plan)...)
	if !strings.Contains(msg, "planned 16 shards") {
		t.Fatalf("plan: %s", msg)
	}
	for i := 15; i >= 1; i-- {
		edl(t, 0, "shard", plan, strconv.Itoa(i))
	}
	if msg := edl(t, 0, "shard", plan, "3"); !strings.Contains(msg, "already done") {
		t.Errorf("a finished shard: %s", msg)
	}
	d, err := sweep.Open(plan)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(d.ResultPath(7))
	os.WriteFile(d.ResultPath(7), b[:len(b)-10], 0o644)
	if msg := edl(t, 1, "merge", plan, "--out", out); !strings.Contains(msg, "1 missing (0), 1 corrupt (7: sweep: shard 7: corrupt result") {
		t.Errorf("merge with shard 0 missing and 7 corrupt: %s", msg)
	}
	// Planning again keeps what is done: only 0 and 7 are left.
	if msg := edl(t, 0, append(tinyCurve, "--plan", plan)...); !strings.Contains(msg, "(14 done, 2 to run)") {
		t.Errorf("re-plan: %s", msg)
	}
	edl(t, 0, "shard", plan, "0")
	edl(t, 0, "shard", plan, "7")
	edl(t, 0, "merge", plan, "--out", out)
	sameDirs(t, ref, out)
	// Another configuration in the same directory is refused.
	edl(t, 1, "curve", "--n", "100", "--plan", plan)
}

// Reduced edl elicit, intervene and capacity runs, planned, a shuffled
// half of their shards run here one by one and the rest by edl submit
// --local --jobs 2 (processes of this test binary), merge into exactly the
// files of the one-machine run: CSV, JSON, plots, curve directories and
// bases. The sizes are the smallest that still draw every figure.
func TestExperimentPlanSubmitMerge(t *testing.T) {
	t.Setenv("EDL_TEST_AS_EDL", "1") // submit --local runs this binary as edl
	for _, c := range []struct {
		name string
		args []string
	}{
		{"elicit", []string{"elicit", "--quick", "--seeds", "2", "--grid-points", "3", "--n", "400", "--pretrain-n", "1000"}},
		{"intervene", []string{"intervene", "--quick", "--seeds", "1", "--grid-points", "3", "--n", "400", "--pretrain-n", "1000"}},
		{"capacity", []string{"capacity", "--quick", "--grid-points", "4", "--n", "1600", "--pretrain-n", "2000"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			out, ref, plan := filepath.Join(tmp, "out"), filepath.Join(tmp, "ref"), filepath.Join(tmp, "plan")
			edl(t, 0, append(c.args, "--out", out)...)
			if err := os.Rename(out, ref); err != nil {
				t.Fatal(err)
			}
			edl(t, 0, append(c.args, "--plan", plan)...)
			d, err := sweep.Open(plan)
			if err != nil {
				t.Fatal(err)
			}
			order := rand.New(rand.NewPCG(19, uint64(len(c.name)))).Perm(d.Plan.Shards)
			for _, i := range order[:d.Plan.Shards/2] {
				edl(t, 0, "shard", plan, strconv.Itoa(i))
			}
			edl(t, 0, "submit", plan, "--local", "--jobs", "2", "--out", out)
			sameTrees(t, ref, out)
		})
	}
}
