package task

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

func TestReadCSVErrorsNameLineAndColumn(t *testing.T) {
	cases := []struct{ in, want string }{
		{"1.0,2.0,0\n1.5,x,1\n", "f.csv:2:5: feature \"x\""},
		{"label\n0\n1\nz\n", "f.csv:4:1: label \"z\""},
		{"1,2,0\n1,2\n", "f.csv:2: 2 fields, earlier rows have 3"},
		{"1,2,-1\n", "f.csv:1:5: label \"-1\""},
		{"a,b\n", "f.csv: no data rows"},
		{"1,NaN,0\n", "f.csv:1:3: feature \"NaN\""},
	}
	for _, c := range cases {
		_, err := ReadCSV(strings.NewReader(c.in), "f.csv", "", true)
		if err == nil || !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadCSV(%q) = %v, want an ErrSyntax naming %q", c.in, err, c.want)
		}
	}
}

func TestReadCSVHeaderAndLabelsOnly(t *testing.T) {
	tb, err := ReadCSV(strings.NewReader("label\n0\n2\n1\n\n"), "l.csv", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Rows != 3 || tb.Features != 0 || len(tb.X) != 0 || tb.MaxLabel() != 2 {
		t.Fatalf("got %+v", tb)
	}
	// Without a header the first row is data.
	tb, err = ReadCSV(strings.NewReader("0\n2\n"), "l.csv", "", true)
	if err != nil || tb.Rows != 2 {
		t.Fatalf("got %+v, %v", tb, err)
	}
}

// Bob's inputs-only view never parses the label column, yet hashes the same.
func TestInputsOnlyViewIgnoresLabels(t *testing.T) {
	a, err := ReadCSV(strings.NewReader("3,4,2,setosa\n5.1,3.5,0\n4.9,3.0,1\n"), "iris.csv", "", true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadCSV(strings.NewReader("3,4,2,setosa\n5.1,3.5,not-a-label\n4.9,3.0,\n"), "iris.csv", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if b.Labels != nil || a.InputsSHA256() != b.InputsSHA256() {
		t.Fatalf("inputs-only view differs: labels %v, %s vs %s", b.Labels, a.InputsSHA256(), b.InputsSHA256())
	}
	c, _ := ReadCSV(strings.NewReader("5.1,3.5,0\n4.9,3.1,1\n"), "iris.csv", "", true)
	if c.InputsSHA256() == a.InputsSHA256() {
		t.Fatal("a changed feature does not change the hash")
	}
}

func TestRealDatasets(t *testing.T) {
	for _, c := range []struct {
		file             string
		rows, feats, max int
	}{
		{"iris.csv", 150, 4, 2}, {"wine_data.csv", 178, 13, 2},
		{"breast_cancer.csv", 569, 30, 1}, {"digits.csv.gz", 1797, 64, 9},
	} {
		f, err := os.Open("../../../shared/data/" + c.file)
		if err != nil {
			t.Skipf("datasets not beside the project: %v", err)
		}
		tb, err := ReadCSV(f, c.file, "", true)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if tb.Rows != c.rows || tb.Features != c.feats || tb.MaxLabel() != c.max {
			t.Errorf("%s: %d rows, %d features, max label %d; want %d, %d, %d", c.file, tb.Rows, tb.Features, tb.MaxLabel(), c.rows, c.feats, c.max)
		}
	}
}

func TestFileSplitAndStandardize(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("x,y,label\n1,10,0\n2,10,1\n3,10,0\n4,10,1\n5,10,0\n"))
	zw.Close()
	tb, err := ReadCSV(&buf, "g.csv.gz", "", true)
	if err != nil {
		t.Fatal(err)
	}
	sp := spec.Default()
	sp.Task, sp.DataName, sp.DataSHA256, sp.Dim, sp.N, sp.Test, sp.Classes = spec.TaskFile, "g.csv.gz", tb.InputsSHA256(), 2, 3, 2, 2
	sp.Standardize, sp.Shuffle, sp.ShuffleSeed = true, true, 9
	in, err := NewFileInputs(sp, tb)
	if err != nil {
		t.Fatal(err)
	}
	lab, err := NewFileLabels(sp, tb)
	if err != nil {
		t.Fatal(err)
	}
	// Every row appears once; the first feature is standardized (mean 0,
	// unit variance over the file), the constant one only centred.
	seen := map[float64]int{}
	for _, m := range []Matrix{in.Train, in.Test} {
		for i := 0; i < m.Rows; i++ {
			r := m.Row(i)
			if r[1] != 0 {
				t.Errorf("constant feature gives %v, want 0", r[1])
			}
			seen[r[0]]++
		}
	}
	if len(seen) != 5 {
		t.Fatalf("rows seen %v", seen)
	}
	sum, sq := 0.0, 0.0
	for v := range seen {
		sum += v
		sq += v * v
	}
	if sum*sum > 1e-20 || (sq/5-1)*(sq/5-1) > 1e-20 {
		t.Errorf("standardized feature: sum %v, mean square %v", sum, sq/5)
	}
	// Labels follow their rows: the raw x of a row with label 1 is even.
	all := append(append([]int{}, lab.Train...), lab.Test...)
	rows := append(append([]float64{}, in.Train.Data...), in.Test.Data...)
	for i, y := range all {
		x := rows[2*i]*sqrt2 + 3 // undo standardization: sd of 1..5 is √2
		if want := 1 - int(x+0.5)%2; y != want {
			t.Errorf("row %d: x %v has label %d", i, x, y)
		}
	}
	sp.DataSHA256 = strings.Repeat("0", 64)
	if _, err := NewFileInputs(sp, tb); err == nil || !strings.Contains(err.Error(), "data_sha256") {
		t.Errorf("a different hash was accepted: %v", err)
	}
}

const sqrt2 = 1.4142135623730951

func TestLabelColumnAndFileOrder(t *testing.T) {
	in := "y,a,b\n1,10,20\n0,11,21\n1,12,22\n0,13,23\n"
	for _, col := range []string{"y", "0"} {
		tb, err := ReadCSV(strings.NewReader(in), "c.csv", col, true)
		if err != nil {
			t.Fatal(err)
		}
		if tb.Features != 2 || tb.X[0] != 10 || tb.X[1] != 20 || tb.Labels[2] != 1 {
			t.Fatalf("label column %q: %+v", col, tb)
		}
		sp := spec.Default()
		sp.Task, sp.DataName, sp.DataSHA256, sp.Dim, sp.N, sp.Test, sp.Classes = spec.TaskFile, "c.csv", tb.InputsSHA256(), 2, 2, 1, 2
		x, err := NewFileInputs(sp, tb)
		if err != nil {
			t.Fatal(err)
		}
		// File order, raw values; the test rows are the last ones.
		if x.Train.Row(0)[0] != 10 || x.Train.Row(1)[0] != 11 || x.Test.Rows != 1 || x.Test.Row(0)[0] != 13 {
			t.Fatalf("split: train %v, test %v", x.Train.Data, x.Test.Data)
		}
	}
	for _, bad := range []string{"z", "7"} {
		if _, err := ReadCSV(strings.NewReader(in), "c.csv", bad, true); err == nil || !strings.Contains(err.Error(), "c.csv:2") {
			t.Errorf("label column %q: err = %v", bad, err)
		}
	}
}
