package spec

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ExtraValue is the value of a section's own field (FieldDef) in a spec,
// as canonical text.
type ExtraValue struct{ Name, Value string }

// zeroText is a kind's zero value as canonical text.
func zeroText(kind string) string {
	switch kind {
	case KindInt, KindFloat:
		return "0"
	case KindBool:
		return "false"
	}
	return ""
}

// DefaultText is the field's default as canonical text (Default, or the
// kind's zero).
func (f FieldDef) DefaultText() string {
	if f.Default == "" {
		return zeroText(f.Kind)
	}
	return f.Default
}

// canonicalText parses text as a value of the kind and writes it back in
// canonical form.
func canonicalText(kind, text string) (string, error) {
	switch kind {
	case KindInt:
		v, err := strconv.ParseInt(text, 10, 64)
		return strconv.FormatInt(v, 10), err
	case KindFloat:
		v, err := strconv.ParseFloat(text, 64)
		return fmtFloat(v), err
	case KindBool:
		v, err := strconv.ParseBool(text)
		return strconv.FormatBool(v), err
	case KindInts:
		v, err := ParseInts(text)
		return joinInts(v), err
	case KindString:
		if strings.Contains(text, "\n") {
			return "", errors.New("a newline in a string field")
		}
		return text, nil
	}
	return "", fmt.Errorf("unknown kind %q", kind)
}

// ExtraText returns the canonical text of a section's own field, and
// whether the spec holds it.
func (s Spec) ExtraText(name string) (string, bool) {
	for _, e := range s.Extra {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

// ExtraInt, ExtraFloat, ExtraBool and ExtraInts read a section's own field
// of that kind: its zero value when the spec does not hold it or holds
// something else (Validate refuses both).
func (s Spec) ExtraInt(name string) int64 {
	t, _ := s.ExtraText(name)
	v, _ := strconv.ParseInt(t, 10, 64)
	return v
}

func (s Spec) ExtraFloat(name string) float64 {
	t, _ := s.ExtraText(name)
	v, _ := strconv.ParseFloat(t, 64)
	return v
}

func (s Spec) ExtraBool(name string) bool {
	t, _ := s.ExtraText(name)
	v, _ := strconv.ParseBool(t)
	return v
}

func (s Spec) ExtraInts(name string) []int64 {
	t, _ := s.ExtraText(name)
	v, _ := ParseInts(t)
	return v
}

// SetExtra sets a section's own field from text in any form its kind
// parses, stored canonical. The field must be declared by a registered
// section. The spec's Extra is copied, never changed in place, so copies of
// a spec stay independent.
func (s *Spec) SetExtra(name, text string) error {
	def, _ := sections.field(name)
	if def == nil {
		return fmt.Errorf("spec: %s: no registered model or task declares it", name)
	}
	v, err := canonicalText(def.Kind, text)
	if err != nil {
		return fmt.Errorf("spec: %s: %w", name, err)
	}
	out := make([]ExtraValue, 0, len(s.Extra)+1)
	for _, e := range s.Extra {
		if e.Name != name {
			out = append(out, e)
		}
	}
	out = append(out, ExtraValue{name, v})
	slices.SortFunc(out, func(a, b ExtraValue) int { return strings.Compare(a.Name, b.Name) })
	s.Extra = out
	return nil
}

// DropExtra removes a section's own field from the spec (copying Extra).
func (s *Spec) DropExtra(name string) {
	if _, ok := s.ExtraText(name); !ok {
		return
	}
	out := make([]ExtraValue, 0, len(s.Extra))
	for _, e := range s.Extra {
		if e.Name != name {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		out = nil
	}
	s.Extra = out
}

// parseExtra reads the lines after the core fields: one "name=value" per
// section's own field, names in increasing order, each declared by a
// registered section and in its kind's canonical form.
func parseExtra(rest string) ([]ExtraValue, error) {
	var out []ExtraValue
	for rest != "" {
		line, after, ok := strings.Cut(rest, "\n")
		if !ok {
			return nil, fmt.Errorf("spec: encoding ends inside %.40q", line)
		}
		rest = after
		name, v, _ := strings.Cut(line, "=")
		def, _ := sections.field(name)
		if def == nil {
			return nil, fmt.Errorf("spec: encoding has %.40q after the last field, and no registered model or task declares it", name)
		}
		if len(out) > 0 && out[len(out)-1].Name >= name {
			return nil, fmt.Errorf("spec: %s: out of order after %s", name, out[len(out)-1].Name)
		}
		if c, err := canonicalText(def.Kind, v); err != nil || c != v {
			return nil, fmt.Errorf("spec: %s: %.40q is not a canonical %s", name, v, def.Kind)
		}
		out = append(out, ExtraValue{name, v})
	}
	return out, nil
}

// validateExtra checks the spec's own-field values against the sections it
// selects: each held field declared by its model or task, each declared
// field held, every value canonical, names sorted.
func (s Spec) validateExtra(model, task *Section, bad Bad) {
	for i, e := range s.Extra {
		def, owner := sections.field(e.Name)
		switch {
		case def == nil:
			bad(e.Name, "no registered model or task declares it")
			continue
		case owner != model && owner != task:
			bad(e.Name, "only the %s %s declares it (model %s, task %s)", owner.Name, kindOf(owner), s.Model, s.Task)
		}
		if c, err := canonicalText(def.Kind, e.Value); err != nil || c != e.Value {
			bad(e.Name, "%q is not a canonical %s", e.Value, def.Kind)
		}
		if i > 0 && s.Extra[i-1].Name >= e.Name {
			bad(e.Name, "listed out of order or twice")
		}
	}
	for _, sec := range []*Section{model, task} {
		if sec == nil {
			continue
		}
		for _, f := range sec.Fields {
			if _, ok := s.ExtraText(f.Name); !ok {
				bad(f.Name, "missing: the %s %s declares it", sec.Name, kindOf(sec))
			}
		}
	}
}

// kindOf says whether a registered section is a model or a task.
func kindOf(sec *Section) string {
	sections.mu.RLock()
	defer sections.mu.RUnlock()
	if slices.Contains(sections.models, sec) {
		return "model"
	}
	return "task"
}
