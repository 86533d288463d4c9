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

// Table is a CSV dataset: numeric feature columns, then the label as the
// last column. A file whose only column is the label has no features.
type Table struct {
	Name     string
	Rows     int
	Features int       // feature columns (all but the last)
	X        []float64 // Rows × Features, row-major, as written in the file
	Labels   []int     // nil for an inputs-only read
}

// ErrSyntax is wrapped by every parse error, which names file, line and column.
var ErrSyntax = errors.New("task: malformed csv")

// ReadCSV parses a dataset. The first line is a header, and skipped, when
// any of its fields is not a number (as in "label", or scikit-learn's
// "150,4,setosa,versicolor,virginica"). Every other line must have the same
// number of fields. With withLabels false the last column is skipped
// unparsed: this is Bob's inputs-only view, which never reads a label.
//
// Gzip-compressed input (recognised by its magic bytes) is decompressed.
func ReadCSV(r io.Reader, name string, withLabels bool) (*Table, error) {
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
	cols := -1
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if cols < 0 && line == 1 && isHeader(fields) {
			continue
		}
		if cols < 0 {
			cols = len(fields)
			t.Features = cols - 1
		} else if len(fields) != cols {
			return nil, fmt.Errorf("%w: %s:%d: %d fields, earlier rows have %d", ErrSyntax, name, line, len(fields), cols)
		}
		col := 1
		for j := 0; j < t.Features; j++ {
			v, err := strconv.ParseFloat(strings.TrimSpace(fields[j]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: %s:%d:%d: feature %q is not a finite number", ErrSyntax, name, line, col, fields[j])
			}
			t.X = append(t.X, v)
			col += len(fields[j]) + 1
		}
		if withLabels {
			f := strings.TrimSpace(fields[cols-1])
			y, err := strconv.Atoi(f)
			if err != nil || y < 0 {
				return nil, fmt.Errorf("%w: %s:%d:%d: label %q is not a non-negative integer", ErrSyntax, name, line, col, fields[cols-1])
			}
			t.Labels = append(t.Labels, y)
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

// order is the seeded permutation of the file's rows: the first N are the
// training examples, in coding order, the next Test are held out.
func order(s spec.Spec, rows int) []int {
	return rng.New(rng.Derive(s.Seed, "file-order"), 0).Perm(rows)
}

func checkFile(s spec.Spec, t *Table) error {
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
	if s.N+s.Test > int64(t.Rows) {
		return fmt.Errorf("task: n+test: %d+%d examples, %s has %d rows", s.N, s.Test, t.Name, t.Rows)
	}
	return nil
}

// NewFileInputs builds the inputs of a file task: rows in the seeded order,
// each feature standardized by its mean and standard deviation over the
// whole file (computed in row order; a constant feature is only centred).
func NewFileInputs(s spec.Spec, t *Table) (*Inputs, error) {
	if err := checkFile(s, t); err != nil {
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
	return &Inputs{Train: pick(0, int(s.N)), Test: pick(int(s.N), int(s.Test))}, nil
}

// NewFileLabels returns the labels of a file task in the same order.
func NewFileLabels(s spec.Spec, t *Table) (*Labels, error) {
	if err := checkFile(s, t); err != nil {
		return nil, err
	}
	if t.Labels == nil {
		return nil, errors.New("task: the table was read without labels")
	}
	if m := t.MaxLabel(); int64(m) >= s.Classes {
		return nil, fmt.Errorf("task: classes: %s has label %d, the spec has %d classes", t.Name, m, s.Classes)
	}
	perm := order(s, t.Rows)
	out := &Labels{Train: make([]int, s.N), Test: make([]int, s.Test)}
	for i := range out.Train {
		out.Train[i] = t.Labels[perm[i]]
	}
	for i := range out.Test {
		out.Test[i] = t.Labels[perm[int(s.N)+i]]
	}
	return out, nil
}
