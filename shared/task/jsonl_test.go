package task_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/task"
)

// The same dataset as CSV, JSONL arrays and JSONL objects (keys in another
// order on later rows) reads to the same table: same inputs hash, labels.
func TestJSONLEqualsCSV(t *testing.T) {
	csv := "a,b,label\n1.5,2,0\n-3,4e-1,2\n0,0,1\n"
	arrays := "[1.5, 2, 0]\n[-3, 0.4, 2]\n\n[0, 0, 1]\n"
	objects := `{"a": 1.5, "b": 2, "label": 0}
{"label": 2, "b": 0.4, "a": -3}
{"b": 0, "a": 0, "label": 1}
`
	want, err := task.ReadCSV(strings.NewReader(csv), "d.csv", "", true)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(objects))
	zw.Close()
	for name, in := range map[string]string{"d.jsonl": arrays, "d.ndjson": objects, "sniffed.txt": objects, "d.jsonl.gz": gz.String()} {
		got, err := task.ReadTable(strings.NewReader(in), name, "", true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.InputsSHA256() != want.InputsSHA256() || got.Rows != 3 || got.Features != 2 || len(got.Labels) != 3 ||
			got.Labels[0] != 0 || got.Labels[1] != 2 || got.Labels[2] != 1 {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
	// The label by key, anywhere in the row.
	got, err := task.ReadTable(strings.NewReader(`{"y": 1, "x": 5}`+"\n"), "k.jsonl", "y", true)
	if err != nil || got.Labels[0] != 1 || got.X[0] != 5 {
		t.Fatalf("label by key: %+v, %v", got, err)
	}
	// Bob's inputs-only view never parses the label.
	if _, err := task.ReadTable(strings.NewReader("[1, 2.5]\n"), "k.jsonl", "", false); err != nil {
		t.Fatalf("inputs-only read parsed the label: %v", err)
	}
	// CSV still reads through ReadTable.
	if got, err := task.ReadTable(strings.NewReader(csv), "d.csv", "", true); err != nil || got.InputsSHA256() != want.InputsSHA256() {
		t.Fatalf("csv via ReadTable: %v", err)
	}
}

func TestJSONLErrorsNameLineColumnAndKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"[1, 2]\n[1, \"x\"]\n", "k.jsonl:2:5: column 1 is not a number"},
		{"[1, 2]\n[1, 2, 3]\n", "k.jsonl:2:1: 3 columns, earlier rows have 2"},
		{`{"a": 1, "y": 0}` + "\n" + `{"a": 1, "z": 0}` + "\n", `k.jsonl:2:15: key "z" is not in the first row's keys (a,y)`},
		{`{"a": 1, "y": 0}` + "\n" + `{"a": true, "y": 0}` + "\n", `k.jsonl:2:7: key "a": value is not a number`},
		{`{"a": 1, "y": 0.5}` + "\n", `k.jsonl:1:15: key "y": label 0.5 is not a non-negative integer`},
		{"[1, 2]\n{\"a\": 1, \"y\": 0}\n", "k.jsonl:2:1: an object row after array rows"},
		{"[1, 2] [3]\n", "k.jsonl:1:8: more than one JSON value"},
		{"[1, 2\n", "k.jsonl:1:"},
		{"", "k.jsonl: no data rows"},
	} {
		_, err := task.ReadJSONL(strings.NewReader(c.in), "k.jsonl", "", true)
		if err == nil || !errors.Is(err, task.ErrSyntax) && !strings.Contains(err.Error(), "no data") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.in, err, c.want)
		}
	}
}
