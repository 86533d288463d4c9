package task

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ReadTable parses a dataset in either format: JSON Lines when the name ends
// in .jsonl or .ndjson (optionally .gz) or the first non-blank byte is '{'
// or '[', CSV otherwise (see ReadCSV). Gzip is recognised by its magic bytes.
func ReadTable(r io.Reader, name, labelColumn string, withLabels bool) (*Table, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("task: %s: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	base := strings.TrimSuffix(strings.ToLower(name), ".gz")
	if strings.HasSuffix(base, ".jsonl") || strings.HasSuffix(base, ".ndjson") || startsJSON(br) {
		return ReadJSONL(br, name, labelColumn, withLabels)
	}
	return ReadCSV(br, name, labelColumn, withLabels)
}

func startsJSON(br *bufio.Reader) bool {
	for n := 1; n <= 4096; n++ {
		b, _ := br.Peek(n)
		if len(b) < n {
			return false
		}
		switch c := b[n-1]; c {
		case ' ', '\t', '\r', '\n':
			continue
		default:
			return c == '{' || c == '['
		}
	}
	return false
}

// ReadJSONL parses JSON Lines: one row per line, either an array of numbers
// (columns by position, as in a CSV row) or an object of numbers (columns by
// key, in the order of the first row's keys; every row must have exactly
// those keys, in any order). labelColumn is a 0-based index, or a key for
// objects; "" means the last column. With withLabels false the label is
// skipped unparsed (Bob's inputs-only view). Errors name the file, the line,
// the column (1-based byte position) and, for objects, the key.
func ReadJSONL(r io.Reader, name, labelColumn string, withLabels bool) (*Table, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	t := &Table{Name: name}
	var keys []string // object rows: column order
	var keyIndex map[string]int
	cols, label := -1, -1
	line := 0
	bad := func(col int, format string, args ...any) error {
		return fmt.Errorf("%w: %s:%d:%d: %s", ErrSyntax, name, line, col, fmt.Sprintf(format, args...))
	}
	row := make([]json.Number, 0, 16)
	for sc.Scan() {
		line++
		text := bytes.TrimRight(sc.Bytes(), "\r")
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		// next is the 1-based column where the next value starts: the
		// decoder's offset is just past the previous token.
		next := func() int {
			off := int(dec.InputOffset())
			for off < len(text) && strings.IndexByte(" \t,:", text[off]) >= 0 {
				off++
			}
			return off + 1
		}
		open, err := dec.Token()
		if err != nil {
			return nil, bad(int(dec.InputOffset())+1, "not JSON: %v", err)
		}
		row = row[:0]
		var offsets []int
		switch open {
		case json.Delim('['):
			if keys != nil {
				return nil, bad(1, "an array row after object rows")
			}
			for dec.More() {
				off := next()
				v, err := dec.Token()
				num, ok := v.(json.Number)
				if err != nil || !ok {
					return nil, bad(off, "column %d is not a number", len(row))
				}
				row, offsets = append(row, num), append(offsets, off)
			}
		case json.Delim('{'):
			if cols >= 0 && keys == nil {
				return nil, bad(1, "an object row after array rows")
			}
			vals := map[string]json.Number{}
			at := map[string]int{}
			var order []string
			for dec.More() {
				off := next()
				k, err := dec.Token()
				key, ok := k.(string)
				if err != nil || !ok {
					return nil, bad(off, "expected a key")
				}
				voff := next()
				v, err := dec.Token()
				num, ok := v.(json.Number)
				if err != nil || !ok {
					return nil, bad(voff, "key %q: value is not a number", key)
				}
				if _, dup := vals[key]; dup {
					return nil, bad(off, "key %q appears twice", key)
				}
				vals[key], at[key] = num, voff
				order = append(order, key)
			}
			if keys == nil {
				keys = order
				keyIndex = map[string]int{}
				for i, k := range keys {
					keyIndex[k] = i
				}
			}
			if len(order) != len(keys) {
				return nil, bad(1, "%d keys, the first row has %d (%s)", len(order), len(keys), strings.Join(keys, ","))
			}
			row = row[:len(keys)]
			offsets = make([]int, len(keys))
			for k, v := range vals {
				i, ok := keyIndex[k]
				if !ok {
					return nil, bad(at[k], "key %q is not in the first row's keys (%s)", k, strings.Join(keys, ","))
				}
				row[i], offsets[i] = v, at[k]
			}
		default:
			return nil, bad(1, "a row must be a JSON array or object")
		}
		if _, err := dec.Token(); err != nil {
			return nil, bad(int(dec.InputOffset())+1, "unterminated row: %v", err)
		}
		if dec.More() {
			return nil, bad(next(), "more than one JSON value on the line")
		}
		if cols < 0 {
			cols = len(row)
			t.Features = cols - 1
			if label, err = labelIndex(labelColumn, keys, cols); err != nil {
				return nil, fmt.Errorf("%w: %s:%d: %v", ErrSyntax, name, line, err)
			}
		} else if len(row) != cols {
			return nil, bad(1, "%d columns, earlier rows have %d", len(row), cols)
		}
		for j, num := range row {
			what := "column " + strconv.Itoa(j)
			if keys != nil {
				what = fmt.Sprintf("key %q", keys[j])
			}
			if j == label {
				if withLabels {
					y, err := strconv.Atoi(num.String())
					if err != nil || y < 0 {
						return nil, bad(offsets[j], "%s: label %s is not a non-negative integer", what, num)
					}
					t.Labels = append(t.Labels, y)
				}
				continue
			}
			v, err := num.Float64()
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, bad(offsets[j], "%s: feature %s is not a finite number", what, num)
			}
			t.X = append(t.X, v)
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
