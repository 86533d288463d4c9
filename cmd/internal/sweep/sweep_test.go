package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// squares is a toy command: shard i returns i², the merge writes their sum.
var squares = Registry{"squares": Kind{
	Shard: func(p *Plan, job json.RawMessage) (json.RawMessage, error) {
		var i int
		if err := json.Unmarshal(job, &i); err != nil {
			return nil, err
		}
		if i == 13 {
			return nil, errors.New("unlucky")
		}
		return json.Marshal(i * i)
	},
	Merge: func(p *Plan, args []string, results []json.RawMessage, out string, stdout io.Writer) ([]string, error) {
		sum := 0
		for _, r := range results {
			var v int
			if err := json.Unmarshal(r, &v); err != nil {
				return nil, err
			}
			sum += v
		}
		if err := os.MkdirAll(out, 0o755); err != nil {
			return nil, err
		}
		f := filepath.Join(out, "sum.txt")
		return []string{f}, os.WriteFile(f, fmt.Appendf(nil, "%s: %d\n", strings.Join(args, " "), sum), 0o644)
	},
}}

// TestMain lets the test binary play "edl shard DIR I" for RunLocal.
func TestMain(m *testing.M) {
	if os.Getenv("SWEEP_TEST_SHARD") == "1" {
		i, _ := strconv.Atoi(os.Args[3])
		if _, err := squares.RunShard(os.Args[2], i); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func plan(t *testing.T, dir string, n int) *Dir {
	t.Helper()
	jobs := make([]any, n)
	for i := range jobs {
		jobs[i] = i
	}
	d, err := Create(dir, "squares", []string{"--k", "3", "--plan", dir}, map[string]int{"n": n}, jobs)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPlanRunMerge(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	d := plan(t, dir, 5)
	if d.Plan.Shards != 5 || len(d.Status().Missing) != 5 {
		t.Fatalf("fresh plan: %+v, status %+v", d.Plan, d.Status())
	}
	if _, err := squares.Merge(dir, "out", filepath.Join(dir, "out"), io.Discard); err == nil || !strings.Contains(err.Error(), "5 missing (0-4)") {
		t.Fatalf("merge before any shard ran: %v", err)
	}
	// Shards in any order.
	for _, i := range []int{3, 0, 4, 1, 2} {
		ran, err := squares.RunShard(dir, i)
		if err != nil || !ran {
			t.Fatalf("shard %d: ran %v, %v", i, ran, err)
		}
	}
	// A finished shard is a no-op.
	before, _ := os.ReadFile(d.ResultPath(2))
	if ran, err := squares.RunShard(dir, 2); err != nil || ran {
		t.Fatalf("finished shard ran again: %v %v", ran, err)
	}
	after, _ := os.ReadFile(d.ResultPath(2))
	if !bytes.Equal(before, after) {
		t.Error("a no-op run changed the result")
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, err := squares.Merge(dir, out, out, io.Discard); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(out, "sum.txt"))
	if want := "--k 3 --out " + out + ": 30\n"; string(got) != want {
		t.Errorf("merged %q, want %q", got, want)
	}
	if !d.Merged(out) || d.Merged(dir) {
		t.Error("merge.json does not name the merge")
	}
	// Planning again keeps every result.
	d2 := plan(t, dir, 5)
	if d2.Hash != d.Hash || !d2.Status().Complete() {
		t.Errorf("re-plan lost results: %+v", d2.Status())
	}
	// Another plan in the same directory is refused.
	if _, err := Create(dir, "squares", nil, map[string]int{"n": 6}, []any{1}); !errors.Is(err, ErrOtherPlan) {
		t.Errorf("other plan: %v", err)
	}
}

func TestCorruptResultsNamed(t *testing.T) {
	dir := t.TempDir()
	d := plan(t, dir, 6)
	for i := 0; i < 6; i++ {
		if _, err := squares.RunShard(dir, i); err != nil {
			t.Fatal(err)
		}
	}
	// Truncated, edited payload, another shard's file.
	b1, _ := os.ReadFile(d.ResultPath(1))
	os.WriteFile(d.ResultPath(1), b1[:len(b1)/2], 0o644)
	b2, _ := os.ReadFile(d.ResultPath(2))
	os.WriteFile(d.ResultPath(2), bytes.Replace(b2, []byte(`"result":4`), []byte(`"result":5`), 1), 0o644)
	b4, _ := os.ReadFile(d.ResultPath(4))
	os.WriteFile(d.ResultPath(5), b4, 0o644)
	os.Remove(d.ResultPath(3))
	s := d.Status()
	if !reflect.DeepEqual(s.Done, []int{0, 4}) || !reflect.DeepEqual(s.Missing, []int{3}) || len(s.Corrupt) != 3 {
		t.Fatalf("status %+v", s)
	}
	if got := s.Todo(); !reflect.DeepEqual(got, []int{1, 2, 3, 5}) {
		t.Errorf("todo %v", got)
	}
	_, err := d.Results()
	for _, want := range []string{"1 missing (3)", "3 corrupt (1-2,5", "shard 2: corrupt result: checksum mismatch", "shard 5: corrupt result: it is shard 4's"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	// A corrupt shard runs again.
	if ran, err := squares.RunShard(dir, 2); !ran || err != nil {
		t.Errorf("corrupt shard 2: ran %v, %v", ran, err)
	}
}

func TestRunLocal(t *testing.T) {
	dir := t.TempDir()
	d := plan(t, dir, 15)
	if _, err := squares.RunShard(dir, 4); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SWEEP_TEST_SHARD", "1")
	var ran []int
	err = RunLocal(context.Background(), d, exe, 3, func(done, total, i int, err error) {
		if total != 14 {
			t.Errorf("total %d, want the 14 missing shards", total)
		}
		ran = append(ran, i)
	})
	if err == nil || !strings.Contains(err.Error(), "shard 13 failed") || !strings.Contains(err.Error(), d.LocalLog(13)) {
		t.Fatalf("want shard 13's failure with its log, got %v", err)
	}
	if log, _ := os.ReadFile(d.LocalLog(13)); !strings.Contains(string(log), "unlucky") {
		t.Errorf("log of shard 13: %q", log)
	}
	if len(ran) != 14 {
		t.Errorf("ran %v", ran)
	}
	if s := d.Status(); !reflect.DeepEqual(s.Missing, []int{13}) || len(s.Corrupt) != 0 {
		t.Errorf("status %+v", s)
	}
}

func TestRanges(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want string
	}{{nil, ""}, {[]int{0}, "0"}, {[]int{0, 1, 2, 3}, "0-3"}, {[]int{0, 2, 3, 5, 7, 8, 9}, "0,2-3,5,7-9"}} {
		if got := Ranges(c.in); got != c.want {
			t.Errorf("Ranges(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOutArgs(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"--n", "10", "--plan", "P", "--seeds", "2"}, []string{"--n", "10", "--out", "O", "--seeds", "2"}},
		{[]string{"-plan=P", "--quick"}, []string{"--out=O", "--quick"}},
		{[]string{"--quick", "--", "--plan", "P"}, []string{"--quick", "--", "--plan", "P"}},
	} {
		if got := OutArgs(c.in, "O"); !reflect.DeepEqual(got, c.want) {
			t.Errorf("OutArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
