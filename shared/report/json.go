package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
)

// MarshalJSON writes the report as encoding/json would, field by field in
// order, except that a non-finite number is written as the string "+Inf",
// "-Inf" or "NaN". An ideal code length is +Inf when the float model gave
// the true label probability 0 (the coder's frequencies never do, so the
// coded bits stay finite); JSON has no literal for it, and refusing to
// encode would lose the whole report of a run that succeeded.
func (r Report) MarshalJSON() ([]byte, error) { return marshalFinite(r) }

// MarshalJSON is Report's encoding for Bob's session line.
func (r Session) MarshalJSON() ([]byte, error) { return marshalFinite(r) }

// marshalFinite encodes a struct of scalars and pointers to scalars the
// way encoding/json does (json tags, omitempty, declaration order), with
// non-finite floats as strings. encoding/json cannot be asked to do this
// for one value kind, hence the loop over the fields.
func marshalFinite(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	rt := rv.Type()
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fv := rv.Field(i)
		if opts == "omitempty" && fv.IsZero() {
			continue
		}
		var val []byte
		x := fv
		if x.Kind() == reflect.Pointer && !x.IsNil() {
			x = x.Elem()
		}
		if x.Kind() == reflect.Float64 && (math.IsInf(x.Float(), 0) || math.IsNaN(x.Float())) {
			val = []byte(fmt.Sprintf("%q", nonFinite(x.Float())))
		} else {
			var err error
			if val, err = json.Marshal(fv.Interface()); err != nil {
				return nil, fmt.Errorf("report: field %s: %w", name, err)
			}
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(name)
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// nonFinite names a non-finite float as strconv and Go's fmt do.
func nonFinite(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return "NaN"
}
