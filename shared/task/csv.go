package task

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// Table is a CSV dataset: numeric feature columns and one integer label
// column. A file whose only column is the label has no features.
type Table struct {
	Name     string
	Rows     int
	Features int       // feature columns (all but the label column)
	X        []float64 // Rows × Features, row-major, in file order, as written
	Labels   []int     // nil for an inputs-only read
}

// ErrSyntax is wrapped by every parse error (CSV or JSONL), which names file,
// line and column.
var ErrSyntax = errors.New("task: malformed dataset")

// ReadCSV parses a dataset. The first line is a header, and skipped, when
// any of its fields is not a number (as in "label", or scikit-learn's
// "150,4,setosa,versicolor,virginica"). labelColumn names the label column
// by 0-based index or by header name; "" means the last column. Every line
// must have the same number of fields. With withLabels false the label
// column is skipped unparsed: this is Bob's inputs-only view, which never
// reads a label. Gzip-compressed input (recognised by its magic bytes) is
// decompressed. Errors name the file, the line and the column (1-based
// character position).
func ReadCSV(r io.Reader, name, labelColumn string, withLabels bool) (*Table, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("task: %s: %w", name, err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	t := &Table{Name: name}
	cols, label := -1, -1
	var header []string
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if cols < 0 && line == 1 && isHeader(fields) {
			header = fields
			continue
		}
		if cols < 0 {
			cols = len(fields)
			t.Features = cols - 1
			var err error
			if label, err = labelIndex(labelColumn, header, cols); err != nil {
				return nil, fmt.Errorf("%w: %s:%d: %v", ErrSyntax, name, line, err)
			}
		} else if len(fields) != cols {
			return nil, fmt.Errorf("%w: %s:%d: %d fields, earlier rows have %d", ErrSyntax, name, line, len(fields), cols)
		}
		pos := 1
		for j, f := range fields {
			if j == label {
				if withLabels {
					y, err := strconv.Atoi(strings.TrimSpace(f))
					if err != nil || y < 0 {
						return nil, fmt.Errorf("%w: %s:%d:%d: label %q is not a non-negative integer", ErrSyntax, name, line, pos, f)
					}
					t.Labels = append(t.Labels, y)
				}
			} else {
				v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%w: %s:%d:%d: feature %q is not a finite number", ErrSyntax, name, line, pos, f)
				}
				t.X = append(t.X, v)
			}
			pos += len(f) + 1
		}
		t.Rows++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("task: read %s after line %d: %w", name, line, err)
	}
	if t.Rows == 0 {
		return nil, fmt.Errorf("%w: %s: no data rows", ErrSyntax, name)
	}
	return t, nil
}

// labelIndex resolves the label column: "" is the last, a number is a
// 0-based index, anything else a header name.
func labelIndex(spec string, header []string, cols int) (int, error) {
	if spec == "" {
		return cols - 1, nil
	}
	if i, err := strconv.Atoi(spec); err == nil {
		if i < 0 || i >= cols {
			return 0, fmt.Errorf("label column %d does not exist (%d columns)", i, cols)
		}
		return i, nil
	}
	for i, h := range header {
		if strings.TrimSpace(h) == spec && len(header) == cols {
			return i, nil
		}
	}
	if header == nil {
		return 0, fmt.Errorf("label column %q: the file has no header", spec)
	}
	return 0, fmt.Errorf("label column %q is not in the header %q", spec, strings.Join(header, ","))
}

func isHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err != nil {
			return true
		}
	}
	return false
}

// InputsSHA256 is the hex SHA-256 of the canonical inputs: a version tag,
// rows and features as uint64, then every feature's IEEE-754 bits,
// little-endian. Labels are not part of it, so Bob can check his copy.
func (t *Table) InputsSHA256() string {
	h := sha256.New()
	h.Write([]byte("edlwire-inputs-v1"))
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(t.Rows))
	h.Write(b[:])
	binary.LittleEndian.PutUint64(b[:], uint64(t.Features))
	h.Write(b[:])
	for _, v := range t.X {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// MaxLabel is the largest label, or -1 without labels.
func (t *Table) MaxLabel() int {
	m := -1
	for _, y := range t.Labels {
		m = max(m, y)
	}
	return m
}

// order is the row order: the file's, or a permutation seeded by the spec.
// The first N rows of it are the training examples, in coding order; the
// last Test rows are held out.
func order(s spec.Spec, rows int) []int {
	if s.Shuffle {
		return rng.New(rng.Derive(s.ShuffleSeed, "file-order"), 0).Perm(rows)
	}
	p := make([]int, rows)
	for i := range p {
		p[i] = i
	}
	return p
}

func checkFile(s spec.Spec, t, test *Table) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("task: %w", err)
	}
	if s.Task != spec.TaskFile {
		return fmt.Errorf("task: spec task is %q, not %q", s.Task, spec.TaskFile)
	}
	if got := t.InputsSHA256(); got != s.DataSHA256 {
		return fmt.Errorf("task: data_sha256: %s hashes to %s, the spec says %s", t.Name, got, s.DataSHA256)
	}
	if int64(t.Features) != s.Dim {
		return fmt.Errorf("task: dim: %s has %d features, the spec says %d", t.Name, t.Features, s.Dim)
	}
	if (s.TestDataName != "") != (test != nil) {
		return fmt.Errorf("task: test_data_name: the spec names %q, the caller gave %v", s.TestDataName, test != nil)
	}
	if test == nil {
		if s.N+s.Validation+s.Test > int64(t.Rows) {
			return fmt.Errorf("task: n+validation+test: %d+%d+%d examples, %s has %d rows", s.N, s.Validation, s.Test, t.Name, t.Rows)
		}
		return nil
	}
	if s.N+s.Validation > int64(t.Rows) {
		return fmt.Errorf("task: n+validation: %d+%d examples, %s has %d rows", s.N, s.Validation, t.Name, t.Rows)
	}
	if test.Name != s.TestDataName {
		return fmt.Errorf("task: test_data_name: the spec names %s, the table is %s", s.TestDataName, test.Name)
	}
	if got := test.InputsSHA256(); got != s.TestDataSHA256 {
		return fmt.Errorf("task: test_data_sha256: %s hashes to %s, the spec says %s", test.Name, got, s.TestDataSHA256)
	}
	if test.Features != t.Features {
		return fmt.Errorf("task: dim: the test file %s has %d features, %s has %d", test.Name, test.Features, t.Name, t.Features)
	}
	if int64(test.Rows) != s.Test {
		return fmt.Errorf("task: test: the spec has %d test examples, %s has %d rows", s.Test, test.Name, test.Rows)
	}
	return nil
}

// NewFileInputs builds the inputs of a file task: rows in file order (or
// the seeded order with Shuffle), features as written or, with Standardize,
// scaled by their mean and standard deviation over the whole file (computed
// in file order; a constant feature is only centred).
func NewFileInputs(s spec.Spec, t *Table) (*Inputs, error) { return NewFileInputsTest(s, t, nil) }

// NewFileInputsTest is NewFileInputs with the test examples from a separate
// table (the spec's TestDataName; nil without one), scaled like the rest.
func NewFileInputsTest(s spec.Spec, t, test *Table) (*Inputs, error) {
	if err := checkFile(s, t, test); err != nil {
		return nil, err
	}
	d := t.Features
	mean := make([]float64, d)
	scale := make([]float64, d)
	for j := 0; j < d; j++ {
		sum := 0.0
		for i := 0; i < t.Rows; i++ {
			sum += t.X[i*d+j]
		}
		m := sum / float64(t.Rows)
		ss := 0.0
		for i := 0; i < t.Rows; i++ {
			dv := t.X[i*d+j] - m
			ss += float64(dv * dv)
		}
		sd := math.Sqrt(ss / float64(t.Rows))
		mean[j], scale[j] = m, 1
		if sd > 0 {
			scale[j] = 1 / sd
		}
		if !s.Standardize {
			mean[j], scale[j] = 0, 1
		}
	}
	perm := order(s, t.Rows)
	pick := func(from, count int) Matrix {
		m := Matrix{Rows: count, Cols: d, Data: make([]float64, count*d)}
		for r := 0; r < count; r++ {
			src := perm[from+r]
			for j := 0; j < d; j++ {
				m.Data[r*d+j] = float64((t.X[src*d+j] - mean[j]) * scale[j])
			}
		}
		return m
	}
	in := &Inputs{
		Train: pick(0, int(s.N)),
		Valid: pick(int(s.N), int(s.Validation)),
	}
	if test == nil {
		in.Test = pick(t.Rows-int(s.Test), int(s.Test))
		return in, nil
	}
	// The test file in its own order, with the training file's scaling.
	in.Test = Matrix{Rows: test.Rows, Cols: d, Data: make([]float64, test.Rows*d)}
	for r := 0; r < test.Rows; r++ {
		for j := 0; j < d; j++ {
			in.Test.Data[r*d+j] = float64((test.X[r*d+j] - mean[j]) * scale[j])
		}
	}
	return in, nil
}

// NewFileLabels returns the labels of a file task in the same order.
func NewFileLabels(s spec.Spec, t *Table) (*Labels, error) { return NewFileLabelsTest(s, t, nil) }

// NewFileLabelsTest is NewFileLabels with the test labels from a separate
// table (see NewFileInputsTest).
func NewFileLabelsTest(s spec.Spec, t, test *Table) (*Labels, error) {
	if err := checkFile(s, t, test); err != nil {
		return nil, err
	}
	for _, tab := range []*Table{t, test} {
		if tab == nil {
			continue
		}
		if tab.Labels == nil {
			return nil, fmt.Errorf("task: %s was read without labels", tab.Name)
		}
		if m := tab.MaxLabel(); int64(m) >= s.Classes {
			return nil, fmt.Errorf("task: classes: %s has label %d, the spec has %d classes", tab.Name, m, s.Classes)
		}
	}
	if s.RandomLabels {
		rule := randomRule(s)
		return &Labels{
			Train: runStep(rule("train"), nil, int(s.N)),
			Valid: runStep(rule("valid"), nil, int(s.Validation)),
			Test:  runStep(rule("test"), nil, int(s.Test)),
		}, nil
	}
	perm := order(s, t.Rows)
	out := &Labels{Train: make([]int, s.N), Valid: make([]int, s.Validation), Test: make([]int, s.Test)}
	for i := range out.Train {
		out.Train[i] = t.Labels[perm[i]]
	}
	for i := range out.Valid {
		out.Valid[i] = t.Labels[perm[int(s.N)+i]]
	}
	for i := range out.Test {
		if test != nil {
			out.Test[i] = test.Labels[i]
		} else {
			out.Test[i] = t.Labels[perm[t.Rows-int(s.Test)+i]]
		}
	}
	return out, nil
}

// UseData points sp at the dataset t: the file task, its name and inputs
// hash, its feature count as dim. Sizes the user did not set explicitly
// (explicit reports whether a spec flag was given) follow the file: test is
// the last fifth of the rows, n the rows before them, classes one more than
// the largest label (model external: no test rows, every row is coded).
func UseData(sp *spec.Spec, t *Table, explicit func(flag string) bool) {
	sp.Task = spec.TaskFile
	sp.DataName = t.Name
	sp.DataSHA256 = t.InputsSHA256()
	sp.Dim = int64(t.Features)
	if !explicit("test") {
		sp.Test = int64(t.Rows / 5)
		if sp.Model == spec.ModelExternal {
			sp.Test = 0 // it codes the pass only: every row
		}
		if explicit("n") {
			sp.Test = max(0, min(sp.Test, int64(t.Rows)-sp.N-sp.Validation))
		}
	}
	if !explicit("n") {
		sp.N = max(1, int64(t.Rows)-sp.Test-sp.Validation)
	}
	if !explicit("classes") {
		sp.Classes = int64(max(2, t.MaxLabel()+1))
	}
}

// UseTestData points sp at a separate test file: its name and inputs hash,
// and all its rows as the test examples; the training file then supplies
// only the n training (and validation) rows, so unless n was given it is
// every row of that file. Call it after UseData.
func UseTestData(sp *spec.Spec, data, test *Table, explicit func(flag string) bool) {
	sp.TestDataName = test.Name
	sp.TestDataSHA256 = test.InputsSHA256()
	sp.Test = int64(test.Rows)
	if !explicit("n") {
		sp.N = max(1, int64(data.Rows)-sp.Validation)
	}
	if !explicit("classes") {
		sp.Classes = int64(max(2, data.MaxLabel()+1, test.MaxLabel()+1))
	}
}
