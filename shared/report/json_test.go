package report

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// With finite figures the report's JSON is encoding/json's, byte for byte
// (the reference: the same struct without the method), omitted fields
// included; a non-finite figure becomes a string instead of an error.
func TestJSONMatchesEncodingJSON(t *testing.T) {
	loss, edl := 0.4375, -12.5
	r := Report{Event: "result", SessionID: "s<1>&", N: 10, IdealBits: 3.25, QuantizedIdealBits: 1e21,
		UniformBits: 33.219280948873624, TestLossBits: &loss, EDLBits: &edl, BobVerified: true, ElapsedSeconds: 1e-7}
	type plain Report
	want, err := json.Marshal(plain(r))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("report JSON differs from encoding/json:\n got %s\nwant %s", got, want)
	}
	s := Session{Event: "session", N: 3, TestLossBits: &loss, Error: "x"}
	type plainSession Session
	want, _ = json.Marshal(plainSession(s))
	if got, _ = json.Marshal(s); !bytes.Equal(got, want) {
		t.Fatalf("session JSON differs:\n got %s\nwant %s", got, want)
	}

	inf, nan := math.Inf(1), math.NaN()
	r.IdealBits, r.EDLBits, r.PassTestLossBits = inf, &nan, &inf
	got, err = json.Marshal(r)
	if err != nil {
		t.Fatalf("non-finite figures: %v", err)
	}
	var back map[string]any
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, got)
	}
	if back["ideal_bits"] != "+Inf" || back["edl_bits"] != "NaN" || back["pass_test_loss_bits"] != "+Inf" || back["test_loss_bits"] != loss {
		t.Fatalf("non-finite figures encoded as %s", got)
	}
}
