package alice_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// perturber is an Observer that, told the inputs before the first example,
// changes one input row in place: that side's model then computes another
// distribution for that example and for no earlier one (a row is read only
// when its example is predicted), as a flipped bit in one side's memory
// would. It is the test's way to make two built-in models diverge at an
// example known by construction.
type perturber struct{ row int }

func (p perturber) Start(_ spec.Spec, in *task.Inputs) {
	for j := range in.Train.Row(p.row) {
		in.Train.Row(p.row)[j] += 1
	}
}
func (perturber) Example(int64, int, []uint32, int64) {}
func (perturber) Checkpoint(prequential.Checkpoint)   {}

// A divergence that starts at a known example, on either side, is caught
// at the first checkpoint after it and located over the wire: Alice's
// error names that checkpoint and the example, she reports no MDL, and
// Bob's session ends quoting her. With one segment for the whole stream
// Bob finds his final checkpoint refused in Finish and stays for Alice's
// questions; with small segments she asks while he is still decoding.
func TestDivergenceLocatedOverTheWire(t *testing.T) {
	sp := aliceSpec() // checkpoints every 600 examples, batch 5
	const first = 1003
	for _, side := range []string{"alice", "bob"} {
		for _, seg := range []int{alice.DefaultSegmentBytes, 16} {
			t.Run(fmt.Sprintf("%s-segment-%d", side, seg), func(t *testing.T) {
				bcfg := bob.Config{Limits: bob.DefaultLimits()}
				acfg := alice.Config{Bob: "bufnet", Spec: sp, SegmentBytes: seg, Timeout: time.Minute}
				if side == "alice" {
					acfg.Observer = perturber{first}
				} else {
					bcfg.Observe = func(string) bob.Observer { return perturber{first} }
				}
				dial, reports := bufBob(t, bcfg)
				acfg.Dial = dial
				rep, err := alice.Run(context.Background(), acfg)
				if err == nil || rep != nil {
					t.Fatalf("alice reported %v, error %v; want a divergence and no report", rep, err)
				}
				for _, want := range []string{
					"models diverged at checkpoint 2 (example 1200) from example 1003",
					"the first example whose distribution differed is 1003 (bisected between the checkpoints at 600 and 1200",
				} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("alice's error does not say %q:\n%v", want, err)
					}
				}
				t.Logf("alice: %v", err)
				b := waitReport(t, reports)
				if !strings.Contains(b.Error, "alice aborted at example 1200") || !strings.Contains(b.Error, "distribution differed is 1003") {
					t.Errorf("bob's session error does not quote alice's location: %s", b.Error)
				}
			})
		}
	}
}
