package spec_test

import (
	"strings"
	"testing"

	. "github.com/edlwire/edlwire/shared/spec"
)

// A model section with fields of its own, registered for these tests only.
var _ = func() bool {
	RegisterModel(Section{
		Name: "spectest",
		Fields: []FieldDef{
			{Name: "spectest_width", Kind: KindInt, Default: "3"},
			{Name: "spectest_layers", Kind: KindInts},
			{Name: "spectest_rate", Kind: KindFloat},
		},
		Validate: func(s Spec, bad Bad) {
			if s.ExtraInt("spectest_width") < 1 {
				bad("spectest_width", "must be positive, got %d", s.ExtraInt("spectest_width"))
			}
		},
		Params: func(s Spec) int64 { return s.ExtraInt("spectest_width") * s.Classes },
	})
	return true
}()

func spectest(t *testing.T) Spec {
	t.Helper()
	s := Default()
	s.Model = "spectest"
	for _, kv := range [][2]string{{"spectest_width", "7"}, {"spectest_rate", "2.50"}, {"spectest_layers", "4, 5"}} {
		if err := s.SetExtra(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// A section's own fields are encoded after the core table, in name order,
// canonical whatever form they were set in; Parse inverts the encoding,
// Diff and the hash see them, and the section's own figures read them.
func TestExtraFields(t *testing.T) {
	s := spectest(t)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	want := string(Default().Canonical())
	want = strings.Replace(want, "model=softmax", "model=spectest", 1) + "spectest_layers=4,5\nspectest_rate=2.5\nspectest_width=7\n"
	if got := string(s.Canonical()); got != want {
		t.Fatalf("canonical:\n%s\nwant:\n%s", got, want)
	}
	got, err := Parse(s.Canonical())
	if err != nil || got.Hash() != s.Hash() || len(got.Diff(s)) != 0 {
		t.Fatalf("round trip: %v, diff %q", err, got.Diff(s))
	}
	if got.ExtraInt("spectest_width") != 7 || got.ExtraFloat("spectest_rate") != 2.5 || len(got.ExtraInts("spectest_layers")) != 2 {
		t.Fatalf("values after parse: %+v", got.Extra)
	}
	if s.NumParams() != 70 {
		t.Fatalf("params %d, want width·classes = 70", s.NumParams())
	}
	o := s
	if err := o.SetExtra("spectest_width", "8"); err != nil {
		t.Fatal(err)
	}
	if s.ExtraInt("spectest_width") != 7 {
		t.Fatal("SetExtra on a copy changed the original")
	}
	if d := strings.Join(s.Diff(o), ";"); d != `spectest_width: "7" != "8"` || s.Hash() == o.Hash() {
		t.Fatalf("diff %q", d)
	}
	o.DropExtra("spectest_rate")
	if d := strings.Join(s.Diff(o), ";"); !strings.Contains(d, `spectest_rate: "2.5" != (none)`) {
		t.Fatalf("diff %q", d)
	}
	if err := o.SetExtra("nonesuch", "1"); err == nil || !strings.Contains(err.Error(), "nonesuch") {
		t.Fatalf("an undeclared field was set: %v", err)
	}
	if err := o.SetExtra("spectest_width", "wide"); err == nil || !strings.Contains(err.Error(), "spectest_width") {
		t.Fatalf("a bad int was set: %v", err)
	}
}

// Every way a spec can hold the wrong own fields is an error naming the
// field; Parse refuses bytes Canonical would not write.
func TestExtraFieldsRefused(t *testing.T) {
	for _, c := range []struct {
		name, field string
		edit        func(*Spec)
	}{
		{"missing", "spectest_rate", func(s *Spec) { s.DropExtra("spectest_rate") }},
		{"another model's", "spectest_width", func(s *Spec) { s.Model = ModelKT }},
		{"invalid", "spectest_width", func(s *Spec) { _ = s.SetExtra("spectest_width", "0") }},
		{"not canonical", "spectest_rate", func(s *Spec) { s.Extra[1].Value = "2.50" }},
		{"out of order", "spectest_layers", func(s *Spec) { s.Extra[0], s.Extra[1] = s.Extra[1], s.Extra[0] }},
	} {
		s := spectest(t)
		s.Extra = append([]ExtraValue(nil), s.Extra...)
		c.edit(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "spec: "+c.field+":") {
			t.Errorf("%s: %v, want an error naming %s", c.name, err, c.field)
		}
	}
	good := string(spectest(t).Canonical())
	for _, c := range []struct{ name, text, want string }{
		{"undeclared", good + "zz=1\n", `"zz" after the last field`},
		{"out of order", strings.Replace(good, "spectest_layers=4,5\nspectest_rate=2.5\n", "spectest_rate=2.5\nspectest_layers=4,5\n", 1), "out of order"},
		{"not canonical", strings.Replace(good, "spectest_rate=2.5", "spectest_rate=2.50", 1), "not a canonical float"},
		{"unterminated", strings.TrimSuffix(good, "\n"), "ends inside"},
	} {
		if _, err := Parse([]byte(c.text)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// A registration that would make the spec ambiguous panics at start.
func TestRegisterRefusesAmbiguity(t *testing.T) {
	for _, c := range []struct {
		name string
		sec  Section
	}{
		{"duplicate name", Section{Name: ModelSoftmax}},
		{"owns an unknown field", Section{Name: "x1", Owns: []string{"nonesuch"}}},
		{"own field named like a core one", Section{Name: "x2", Fields: []FieldDef{{Name: "seed", Kind: KindInt}}}},
		{"own field declared twice", Section{Name: "x3", Fields: []FieldDef{{Name: "spectest_width", Kind: KindInt}}}},
		{"bad default", Section{Name: "x4", Fields: []FieldDef{{Name: "x4_f", Kind: KindFloat, Default: "1e0"}}}},
		{"flag of a field it does not own", Section{Name: "x5", Flags: []Flag{{Field: "keys", Name: "keys"}}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: registered", c.name)
				}
			}()
			RegisterModel(c.sec)
		}()
	}
}

// A field only unselected sections own is refused by name, and the message
// says who reads it.
func TestOwnedFieldsNamed(t *testing.T) {
	s := Default()
	s.Keys, s.Conv, s.Vocab = 4, []int64{2}, 5
	err := s.Validate()
	for _, want := range []string{
		"spec: keys: the synthetic task and the softmax model do not use it (used by the coupon and format tasks and the table model)",
		"spec: conv: the synthetic task and the softmax model do not use it (used by the cnn model)",
		"spec: vocab:",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
