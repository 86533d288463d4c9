package spec

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Bad reports an invalid field: the error names the field, then says why.
type Bad func(field, format string, args ...any)

// Flag is a command-line flag for one spec field that a section owns. The
// flag is defined by the program's flag package (cmd/internal/specflag)
// with the field's type, its value in Default as its default, and Usage as
// its help text.
type Flag struct {
	Field string // the field's canonical name
	Name  string // the flag's name, without dashes
	Usage string
}

// Field kinds of a section's own fields (FieldDef).
const (
	KindInt    = "int"    // int64, base 10
	KindFloat  = "float"  // float64, shortest round-trip form
	KindString = "string" // any text without a newline
	KindBool   = "bool"   // true or false
	KindInts   = "ints"   // comma-separated int64s, "" for none
)

// FieldDef declares a field of a section's own: a field that spec.go does
// not know, stored in Spec.Extra as canonical text. It is encoded after
// every field of the core table, in name order, exactly when the spec holds
// it; a spec selecting the section holds every one of its fields (Validate
// says which is missing), and no spec holds a field its model and task do
// not declare. Flag, when set, makes it a command-line flag whose default
// is Default.
type FieldDef struct {
	Name    string // canonical name: lowercase letters, digits and underscores
	Kind    string // KindInt, KindFloat, KindString, KindBool or KindInts
	Default string // canonical text a flag selection starts from ("" = the kind's zero)
	Flag    string // flag name ("" = no flag)
	Usage   string // the flag's help text
}

// Section is what a model family or a task registers about its part of the
// spec: which fields are its own, what makes them valid, which flags set
// them and what a flag selection of it brings. Package model registers the
// models' sections (with their constructors), package task the tasks'.
type Section struct {
	Name string
	// Owns lists core fields (canonical names) that only the sections
	// owning them read. One set (non-zero) on a spec whose model and task
	// both leave it unowned is an error naming it: it would change the
	// hash and nothing else. A field may have several owners (keys: the
	// coupon and format tasks and the table model).
	Owns []string
	// Fields are the section's own fields (see FieldDef).
	Fields []FieldDef
	// Flags are the flags of owned core fields that belong to this section
	// alone; fields shared between sections keep their flags in the
	// flag package.
	Flags []Flag
	// Validate reports what is wrong with the spec's use of the section
	// (nil: nothing to check beyond ownership).
	Validate func(s Spec, bad Bad)
	// Defaults fills the fields a flag selection of the section brings,
	// never one the user gave (given reports that, by canonical name). It
	// runs after every flag that can change them, in any order, so it must
	// depend only on the spec as it stands: the task's first, then the
	// model's.
	Defaults func(s *Spec, given func(field string) bool)

	// Model sections.

	// Params counts the model's own parameters (adapters excluded),
	// saturating at math.MaxInt64 on hostile sizes; nil: none.
	Params func(s Spec) int64
	// Dense lists the widths of the model's dense stack, input first,
	// classes last, for models that are one (softmax, mlp, tokens): those
	// take adapters and base checkpoints, and the memory estimate counts
	// their activations. nil for the others.
	Dense func(s Spec) []int64
	// Gradient: trained by the spec's optimizer (θ* epochs apply).
	Gradient bool

	// Task sections.

	// Memory is the task's own tables in bytes, saturating (teacher
	// matrices, key values, notations); nil: none.
	Memory func(s Spec) int64
	// Implicit tasks are selected by another setting than the task name
	// (the file task comes with a dataset): flag help lists them apart.
	Implicit bool

	// Impl is the registering package's own registration (a
	// model.Registration with the constructor, a task.Registration with
	// the generators), kept here so that there is one registry per kind;
	// this package never looks inside it.
	Impl any
}

// registry holds the sections in registration order (the order of flag
// help and of "known:" lists). Registration happens while packages
// initialize; lookups may come from any goroutine afterwards.
type registry struct {
	mu     sync.RWMutex
	models []*Section
	tasks  []*Section
}

var sections registry

// RegisterModel adds a model family's section. Package model calls it
// (through model.Register); a second model of the same name, a field
// declared twice, a flag of an unknown field or a field name taken by the
// core table is a programming error and panics.
func RegisterModel(sec Section) { sections.add(&sections.models, sec, "model") }

// RegisterTask adds a task's section (package task calls it through
// task.Register), with RegisterModel's checks.
func RegisterTask(sec Section) { sections.add(&sections.tasks, sec, "task") }

func (r *registry) add(list *[]*Section, sec Section, what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fail := func(format string, args ...any) {
		panic(fmt.Sprintf("spec: register %s %q: "+format, append([]any{what, sec.Name}, args...)...))
	}
	if sec.Name == "" || strings.ContainsAny(sec.Name, "\n=") {
		fail("bad name")
	}
	for _, o := range *list {
		if o.Name == sec.Name {
			fail("registered twice")
		}
	}
	var probe Spec
	core := map[string]bool{}
	for _, f := range probe.fields() {
		core[f.name] = true
	}
	for _, name := range sec.Owns {
		if !core[name] {
			fail("owns %q, which is not a core field", name)
		}
	}
	for _, f := range sec.Fields {
		if !validFieldName(f.Name) || core[f.Name] {
			fail("field %q: not a free lowercase name", f.Name)
		}
		if d, err := canonicalText(f.Kind, f.DefaultText()); err != nil || d != f.DefaultText() {
			fail("field %q: default %q is not a canonical %s", f.Name, f.Default, f.Kind)
		}
		if d, _ := r.fieldLocked(f.Name); d != nil {
			fail("field %q is declared by another section", f.Name)
		}
	}
	for _, fl := range sec.Flags {
		if !core[fl.Field] || !slices.Contains(sec.Owns, fl.Field) {
			fail("flag --%s: field %q is not one it owns", fl.Name, fl.Field)
		}
	}
	c := sec
	*list = append(*list, &c)
}

func validFieldName(n string) bool {
	if n == "" {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// fieldLocked finds the declaration of a section's own field.
func (r *registry) fieldLocked(name string) (*FieldDef, *Section) {
	for _, list := range [][]*Section{r.models, r.tasks} {
		for _, sec := range list {
			for i := range sec.Fields {
				if sec.Fields[i].Name == name {
					return &sec.Fields[i], sec
				}
			}
		}
	}
	return nil, nil
}

func (r *registry) field(name string) (*FieldDef, *Section) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.fieldLocked(name)
}

func find(list []*Section, name string) *Section {
	for _, s := range list {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// model and task return the registered sections themselves (nil when
// unknown): validateExtra tells owners apart by identity.
func (r *registry) model(name string) *Section {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return find(r.models, name)
}

func (r *registry) task(name string) *Section {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return find(r.tasks, name)
}

// ModelSection returns the registered section of a model family.
func ModelSection(name string) (Section, bool) {
	sections.mu.RLock()
	defer sections.mu.RUnlock()
	if s := find(sections.models, name); s != nil {
		return *s, true
	}
	return Section{}, false
}

// TaskSection returns the registered section of a task.
func TaskSection(name string) (Section, bool) {
	sections.mu.RLock()
	defer sections.mu.RUnlock()
	if s := find(sections.tasks, name); s != nil {
		return *s, true
	}
	return Section{}, false
}

// ModelSections and TaskSections list the registered sections in
// registration order.
func ModelSections() []Section { return sections.list(sections.models) }
func TaskSections() []Section  { return sections.list(sections.tasks) }

func (r *registry) list(l []*Section) []Section {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Section, len(l))
	for i, s := range l {
		out[i] = *s
	}
	return out
}

// Models and Tasks list the registered names in registration order.
func Models() []string { return names(ModelSections()) }
func Tasks() []string  { return names(TaskSections()) }

func names(secs []Section) []string {
	out := make([]string, len(secs))
	for i, s := range secs {
		out[i] = s.Name
	}
	return out
}

// known is the list of names for an "unknown" message.
func known(secs []Section, what string) string {
	if len(secs) == 0 {
		return fmt.Sprintf("none registered: a program that uses specs imports package %s", what)
	}
	return strings.Join(names(secs), ", ")
}

// owners names the sections that own a core field, for messages: "the
// coupon and format tasks and the table model".
func owners(field string) string {
	var parts []string
	for _, g := range []struct {
		secs []Section
		what string
	}{{TaskSections(), "task"}, {ModelSections(), "model"}} {
		var n []string
		for _, s := range g.secs {
			if slices.Contains(s.Owns, field) {
				n = append(n, s.Name)
			}
		}
		switch len(n) {
		case 0:
		case 1:
			parts = append(parts, "the "+n[0]+" "+g.what)
		default:
			parts = append(parts, "the "+strings.Join(n[:len(n)-1], ", ")+" and "+n[len(n)-1]+" "+g.what+"s")
		}
	}
	return strings.Join(parts, " and ")
}

// owned reports whether any registered section owns the core field.
func owned(field string) bool { return owners(field) != "" }
