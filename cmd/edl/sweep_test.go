package main

import (
	"bytes"
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
