package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/events"
)

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// testBinaries builds alice and bob once per test process.
func testBinaries(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("launches alice and bob")
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "edl-demo-test-")
		if binErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", binDir+string(os.PathSeparator), "../../alice", "../../bob")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			binErr = err
			t.Log(out.String())
		}
	})
	if binErr != nil {
		t.Fatalf("build alice and bob: %v", binErr)
	}
	return binDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// The hub turns a run's events into messages: a page that joins late gets
// the rows and checkpoints in full and only the latest example; Bob's
// labels are counted equal to Alice's; a checkpoint pair is reported once.
func TestHubMessages(t *testing.T) {
	h := newHub()
	var pairs []cpRow
	h.onPair = func(cp cpRow, _ *events.Event, bits float64, bytes int64) { pairs = append(pairs, cp) }
	h.reset(runInfo{Scene: Scene{Name: "x"}})
	h.event(&events.Event{Event: "start", Side: "alice", N: 3, Test: 1, Classes: 2})
	for i := int64(0); i < 4; i++ {
		h.event(&events.Event{Event: "example", Side: "alice", Index: i, Label: int(i % 2), Bits: 0.5, Bytes: i, X: []float64{float64(i)}})
		h.event(&events.Event{Event: "example", Side: "bob", Index: i, Label: int(i % 2), Bytes: i})
		if i == 1 {
			h.flush()
		}
	}
	h.event(&events.Event{Event: "checkpoint", Side: "bob", Example: 3, Fingerprint: "ab"})
	h.event(&events.Event{Event: "checkpoint", Side: "alice", Example: 3, Fingerprint: "ab"})
	h.flush()
	msgs, gen, cur := h.since(-1, 0)
	kinds := map[string]int{}
	var rows int
	var lastCP cpRow
	for _, m := range msgs {
		var v struct {
			Type   string      `json:"type"`
			Rows   [][]float64 `json:"rows"`
			Agreed int64       `json:"agreed"`
			CP     cpRow       `json:"cp"`
		}
		if err := json.Unmarshal(m, &v); err != nil {
			t.Fatalf("message %s: %v", m, err)
		}
		kinds[v.Type]++
		rows += len(v.Rows)
		if v.Type == "bob" && v.Agreed != 4 {
			t.Errorf("bob message says %d labels agree, want 4", v.Agreed)
		}
		if v.Type == "cp" {
			lastCP = v.CP
		}
	}
	if lastCP.Example != 3 || !lastCP.Match {
		t.Errorf("checkpoint 3 not matched: %+v", lastCP)
	}
	if rows != 4 || kinds["show"] != 1 || kinds["bob"] != 1 || kinds["reset"] != 1 || kinds["ex"] != 2 {
		t.Errorf("late page got %d rows and kinds %v", rows, kinds)
	}
	if len(pairs) != 1 || pairs[0].Example != 3 || pairs[0].Phase != events.PhaseTrain {
		t.Errorf("pairs %+v, want checkpoint 3 once", pairs)
	}
	if more, _, _ := h.since(gen, cur); len(more) != 0 {
		t.Errorf("%d messages again for an up-to-date page", len(more))
	}
	h.event(&events.Event{Event: "example", Side: "bob", Index: 4, Label: 1})
	h.event(&events.Event{Event: "example", Side: "alice", Index: 4, Label: 0})
	h.flush()
	if more, _, _ := h.since(gen, cur); !bytes.Contains(bytes.Join(more, nil), []byte(`"mismatch":4`)) {
		t.Errorf("a differing label is not reported: %s", bytes.Join(more, []byte("\n")))
	}
}

// The terminal view of a real transmission: a line per checkpoint, all
// matched, a summary, nothing wider than 80 columns.
func TestTerminalView(t *testing.T) {
	bin := testBinaries(t)
	var out, log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := Run(ctx, Config{Bin: bin, Scene: "hypothesis", Pace: 0, Terminal: true}, &out, &log)
	if err != nil {
		t.Fatalf("terminal run: %v\n%s\n%s", err, out.String(), log.String())
	}
	text := out.String()
	t.Logf("\n%s", text)
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	matched := 0
	for _, l := range lines {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line of %d columns: %q", n, l)
		}
		if strings.HasSuffix(l, "  match") {
			matched++
		}
	}
	if matched != 11 || !strings.Contains(text, "11 checkpoints matched") || !strings.Contains(text, "EDL = MDL − n·L_test") {
		t.Errorf("want 11 matched checkpoint lines and the summary, got %d:\n%s", matched, text)
	}
}

// Binaries that predate --events are refused with the fix named.
func TestUsableNeedsEvents(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"alice", "bob"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\necho usage\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := usable(dir); err == nil || !strings.Contains(err.Error(), "make build") {
		t.Fatalf("usable = %v, want a refusal naming make build", err)
	}
}

// Bob's decoded labels can reach the hub before Alice's coded ones (her
// event stream lags behind his); the count of his labels equal to hers
// must still reach the page once her rows arrive. It once did not: the
// count travelled only with Bob's own events, and a finished run's page
// showed the last few of his labels missing.
func TestHubCountsBobsLabelsThatArriveFirst(t *testing.T) {
	h := newHub()
	h.reset(runInfo{Scene: Scene{Name: "x"}})
	h.event(&events.Event{Event: "start", Side: "alice", N: 6, Classes: 3})
	const n = 6
	for i := int64(0); i < n; i++ {
		h.event(&events.Event{Event: "example", Side: "bob", Index: i, Label: int(i % 3)})
	}
	h.flush()
	for i := int64(0); i < n; i++ {
		h.event(&events.Event{Event: "example", Side: "alice", Index: i, Label: int(i % 3)})
		if i == 2 {
			h.flush()
		}
	}
	h.ended()
	msgs, _, _ := h.since(-1, 0)
	last := int64(-1)
	for _, m := range msgs {
		var v struct {
			Type   string `json:"type"`
			Agreed int64  `json:"agreed"`
		}
		if err := json.Unmarshal(m, &v); err != nil {
			t.Fatalf("message %s: %v", m, err)
		}
		if v.Type == "bob" {
			last = v.Agreed
		}
	}
	if last != n {
		t.Errorf("the page's last word: %d of Bob's labels equal to Alice's, want all %d", last, n)
	}
}
