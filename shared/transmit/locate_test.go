package transmit

import (
	"errors"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Two sessions whose inputs differ in one row diverge at that example and
// at no earlier one: Pipe's desync names the first checkpoint after it and
// locates the row; with a window too short to reach back to the last
// matched checkpoint it says so instead.
func TestPipeLocatesDivergence(t *testing.T) {
	sp := mlpSpec()
	sp.CheckpointEvery, sp.Init, sp.InitScale = 250, spec.InitNormal, 0.3 // zero weights would ignore the inputs
	in, lab, _ := build(t, sp)
	const row = 777
	other := *in
	other.Train = task.Matrix{Rows: in.Train.Rows, Cols: in.Train.Cols, Data: append([]float64(nil), in.Train.Data...)}
	other.Train.Row(row)[0] += 0.5
	for _, c := range []struct {
		window int
		want   string
	}{
		{prequential.DefaultTranscriptWindow(sp), "the first example whose distribution differed is 777 (bisected between the checkpoints at 750 and 1000"},
		{100, "the first differing example is in 750..999, not located: the sender no longer holds the transcript"},
	} {
		opts := prequential.Options{HeldOut: true, TranscriptWindow: c.window}
		a, err := prequential.NewWithOptions(sp, in, opts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := prequential.NewWithOptions(sp, &other, opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Pipe(a, b, lab, PipeHooks{})
		var d *DesyncError
		if !errors.As(err, &d) || d.Example != 1000 || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("window %d: %v; want a desync at 1000 saying %q", c.window, err, c.want)
		}
		if located := c.window >= 250; d.Located() != located || (located && d.First != row) {
			t.Fatalf("window %d: located %v at %d", c.window, d.Located(), d.First)
		}
	}
}
