package spec

import (
	"reflect"
	"testing"
)

// Every spec field must cross the wire, which carries the canonical
// encoding: a field missing from the encoding's table would make Bob build
// a different learner under the same hash. The test sets every field to a
// distinct non-zero value by reflection, so a new field joins it without
// anyone remembering to.
func TestCanonicalCarriesEveryField(t *testing.T) {
	var s Spec
	v := reflect.ValueOf(&s).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if v.Type().Field(i).Name == "Extra" {
			continue // the sections' own fields: TestExtraFields
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("s" + v.Type().Field(i).Name)
		case reflect.Int64:
			f.SetInt(int64(100 + i))
		case reflect.Uint64:
			f.SetUint(uint64(200 + i))
		case reflect.Float64:
			f.SetFloat(0.5 + float64(i))
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Slice:
			f.Set(reflect.ValueOf([]int64{int64(i), 7}))
		default:
			t.Fatalf("field %s has kind %s: teach this test and the canonical encoding about it", v.Type().Field(i).Name, f.Kind())
		}
	}
	got, err := Parse(s.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Diff(s); len(d) != 0 {
		t.Fatalf("fields lost on the wire: %q", d)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, s)
	}
}
