package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/events"
)

// tick is how often the hub turns what the processes said into messages
// for the pages: often enough to look live, seldom enough that a run at
// full speed does not flood a browser.
const tick = 40 * time.Millisecond

// message is one server-sent event for the page: a JSON object with a
// "type". Kinds in latestOnly are replaced by their successor when a page
// joins late.
type message struct {
	kind string
	data []byte
}

var latestOnly = map[string]bool{"show": true, "bob": true, "status": true}

// cpRow is one checkpoint as both sides reported it.
type cpRow struct {
	Example int64  `json:"example"`
	Alice   string `json:"alice,omitempty"`
	Bob     string `json:"bob,omitempty"`
	Phase   string `json:"phase"`
	Match   bool   `json:"match"`
}

// runInfo heads a run's messages.
type runInfo struct {
	Type    string  `json:"type"` // reset
	Run     int     `json:"run"`
	Scene   Scene   `json:"scene"`
	Random  bool    `json:"random"`
	Scenes  []Scene `json:"scenes"`
	Paused  bool    `json:"paused"`
	DelayMS float64 `json:"delay_ms"`
}

// statusMsg is the run's state.
type statusMsg struct {
	Type    string  `json:"type"`   // status
	Status  string  `json:"status"` // starting, running, done, failed
	Paused  bool    `json:"paused"`
	DelayMS float64 `json:"delay_ms"`
	Error   string  `json:"error,omitempty"`
}

// pairFunc is told each checkpoint once both sides have reported it, with
// Alice's coded bits and bytes up to it.
type pairFunc func(cp cpRow, start *events.Event, bits float64, bytes int64)

// hub gathers one run's events and reports and serves them to pages.
type hub struct {
	mu   sync.Mutex
	gen  int
	log  []message
	subs map[chan struct{}]struct{}

	start    *events.Event
	aliceY   []int     // Alice's labels by index
	bobY     []int     // Bob's decoded labels by index (-1: not yet)
	cumBits  []float64 // Alice's −log₂p summed through each index (training phase only)
	bytesAt  []int64   // Alice's bytes produced through each index
	rows     []byte    // pending rows, JSON arrays joined by commas
	show     *events.Event
	bobLast  *events.Event
	bobDirty bool
	agreed   int64 // Bob's labels equal to Alice's, counted from the start without a gap
	mismatch int64 // the first index where they differ, or -1
	cps      map[int64]*cpRow
	cpDirty  []int64
	status   statusMsg
	aliceRep json.RawMessage
	bobRep   json.RawMessage
	repSent  bool
	onPair   pairFunc
	onEnd    func(alice, bob json.RawMessage, failure string)
	// onStart, if set, is told Alice's start line and may return how the
	// examples' inputs are drawn (nil: as coded).
	onStart  func(start *events.Event) func(i int64) []float64
	picture  func(i int64) []float64
	finished bool
}

func newHub() *hub {
	return &hub{subs: map[chan struct{}]struct{}{}}
}

// reset starts a new run: pages joining from now see only it.
func (h *hub) reset(info runInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gen++
	info.Type, info.Run = "reset", h.gen
	h.log = nil
	h.start, h.show, h.bobLast, h.bobDirty = nil, nil, nil, false
	h.aliceY, h.bobY, h.cumBits, h.bytesAt, h.rows = nil, nil, nil, nil, nil
	h.agreed, h.mismatch = 0, -1
	h.cps, h.cpDirty = map[int64]*cpRow{}, nil
	h.aliceRep, h.bobRep, h.repSent, h.finished = nil, nil, false, false
	h.status = statusMsg{Type: "status", Status: "starting", Paused: info.Paused, DelayMS: info.DelayMS}
	h.appendLocked("reset", info)
	h.appendLocked("status", h.status)
	h.notifyLocked()
}

func (h *hub) appendLocked(kind string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	h.log = append(h.log, message{kind: kind, data: b})
}

func (h *hub) notifyLocked() {
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// setPace records the pacing state for the pages.
func (h *hub) setPace(paused bool, delay time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status.Paused, h.status.DelayMS = paused, float64(delay)/float64(time.Millisecond)
	h.appendLocked("status", h.status)
	h.notifyLocked()
}

func (h *hub) phase(i int64) string {
	if h.start == nil {
		return events.PhaseTrain
	}
	switch {
	case i < h.start.N:
		return events.PhaseTrain
	case i < h.start.N+h.start.Validation:
		return events.PhaseValid
	}
	return events.PhaseTest
}

func grow[T any](s []T, n int, fill T) []T {
	for len(s) < n {
		s = append(s, fill)
	}
	return s
}

// event takes one line of either side's stream.
func (h *hub) event(ev *events.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case ev.Event == "start" && ev.Side == "alice":
		h.start = ev
		h.picture = nil
		if h.onStart != nil {
			h.picture = h.onStart(ev)
		}
		h.status.Status = "running"
		h.appendLocked("start", map[string]any{"type": "start", "spec": ev})
		h.appendLocked("status", h.status)
	case ev.Event == "example" && ev.Side == "alice":
		i := ev.Index
		if i < 0 || i != int64(len(h.aliceY)) {
			return // a stream out of order: not from alice
		}
		h.aliceY = append(h.aliceY, ev.Label)
		prev := 0.0
		if i > 0 {
			prev = h.cumBits[i-1]
		}
		if ev.Phase == events.PhaseTrain {
			prev += ev.Bits
		}
		h.cumBits = append(h.cumBits, prev)
		h.bytesAt = append(h.bytesAt, ev.Bytes)
		if len(h.rows) > 0 {
			h.rows = append(h.rows, ',')
		}
		h.rows = append(h.rows, '[')
		h.rows = strconv.AppendInt(h.rows, i, 10)
		h.rows = append(h.rows, ',')
		h.rows = strconv.AppendInt(h.rows, int64(ev.Label), 10)
		h.rows = append(h.rows, ',')
		h.rows = strconv.AppendFloat(h.rows, ev.Bits, 'g', -1, 64)
		h.rows = append(h.rows, ',')
		h.rows = strconv.AppendInt(h.rows, ev.Bytes, 10)
		if len(ev.X) == 1 {
			// One-number inputs (keys, the hypothesis task's x) ride along:
			// the page draws which keys have been seen.
			h.rows = append(h.rows, ',')
			h.rows = strconv.AppendFloat(h.rows, ev.X[0], 'g', -1, 64)
		}
		h.rows = append(h.rows, ']')
		if h.picture != nil {
			if x := h.picture(i); x != nil {
				ev.X = x
			}
		}
		h.show = ev
		h.agreeLocked()
	case ev.Event == "example" && ev.Side == "bob":
		i := ev.Index
		if i < 0 || i > 50_000_000 {
			return
		}
		h.bobY = grow(h.bobY, int(i)+1, -1)
		h.bobY[i] = ev.Label
		ev.X, ev.Probs, ev.Top = nil, nil, nil
		h.bobLast, h.bobDirty = ev, true
		h.agreeLocked()
	case ev.Event == "checkpoint":
		cp := h.cps[ev.Example]
		if cp == nil {
			cp = &cpRow{Example: ev.Example, Phase: h.phase(ev.Example - 1)}
			h.cps[ev.Example] = cp
		}
		if ev.Side == "alice" {
			cp.Alice = ev.Fingerprint
		} else {
			cp.Bob = ev.Fingerprint
		}
		was := cp.Match
		cp.Match = cp.Alice != "" && cp.Alice == cp.Bob
		h.cpDirty = append(h.cpDirty, ev.Example)
		if cp.Alice != "" && cp.Bob != "" && !was && h.onPair != nil && int(ev.Example) <= len(h.cumBits) && ev.Example > 0 {
			h.onPair(*cp, h.start, h.cumBits[ev.Example-1], h.bytesAt[ev.Example-1])
		}
	}
}

// agreeLocked advances the count of Bob's labels that equal Alice's. The
// count travels in the "bob" message, which is therefore due whenever it
// changes, also on one of Alice's events: when Bob's decoded labels reach
// the hub before Alice's coded ones (her stream lags behind his), only her
// later rows advance the count, and without a message of their own the
// page of a finished run showed a few of Bob's labels short.
func (h *hub) agreeLocked() {
	agreed, mismatch := h.agreed, h.mismatch
	defer func() {
		if h.agreed != agreed || h.mismatch != mismatch {
			h.bobDirty = true
		}
	}()
	for h.mismatch < 0 && h.agreed < int64(len(h.aliceY)) && h.agreed < int64(len(h.bobY)) {
		b := h.bobY[h.agreed]
		if b < 0 {
			return
		}
		if b != h.aliceY[h.agreed] {
			h.mismatch = h.agreed
			return
		}
		h.agreed++
	}
}

func (h *hub) aliceReport(raw json.RawMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.aliceRep = raw
}

func (h *hub) bobReport(raw json.RawMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bobRep = raw
}

func (h *hub) failed(msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status.Status, h.status.Error = "failed", msg
	h.appendLocked("status", h.status)
	if h.onEnd != nil && !h.finished {
		h.finished = true
		h.onEnd(h.aliceRep, h.bobRep, msg)
	}
	h.notifyLocked()
}

// ended is told when both processes have exited and every stream is read.
func (h *hub) ended() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.flushLocked()
	if h.status.Status != "failed" {
		h.status.Status = "done"
		h.appendLocked("status", h.status)
	}
	if h.onEnd != nil && !h.finished {
		h.finished = true
		h.onEnd(h.aliceRep, h.bobRep, h.status.Error)
	}
	h.notifyLocked()
}

// flush turns what arrived since the last tick into messages.
func (h *hub) flush() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.flushLocked() {
		h.notifyLocked()
	}
}

func (h *hub) flushLocked() bool {
	n := len(h.log)
	if len(h.rows) > 0 {
		b := append([]byte(`{"type":"ex","rows":[`), h.rows...)
		b = append(b, "]}"...)
		h.log = append(h.log, message{kind: "ex", data: b})
		h.rows = nil
	}
	if h.show != nil {
		h.appendLocked("show", map[string]any{"type": "show", "ex": h.show})
		h.show = nil
	}
	if h.bobDirty {
		h.appendLocked("bob", map[string]any{"type": "bob", "ex": h.bobLast, "agreed": h.agreed, "mismatch": h.mismatch})
		h.bobDirty = false
	}
	for _, e := range h.cpDirty {
		if cp := h.cps[e]; cp != nil {
			h.appendLocked("cp", map[string]any{"type": "cp", "cp": cp})
		}
	}
	h.cpDirty = nil
	if !h.repSent && h.aliceRep != nil && h.bobRep != nil {
		h.appendLocked("report", map[string]any{"type": "report", "alice": h.aliceRep, "bob": h.bobRep})
		h.repSent = true
	}
	return len(h.log) > n
}

// since returns the messages a page at (gen, cursor) has not seen: all of
// this run's (the superseded ones of latestOnly kinds left out) when it is
// at another run.
func (h *hub) since(gen, cursor int) ([][]byte, int, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out [][]byte
	if gen != h.gen || cursor > len(h.log) {
		last := map[string]int{}
		for i, m := range h.log {
			last[m.kind] = i
		}
		for i, m := range h.log {
			if latestOnly[m.kind] && last[m.kind] != i {
				continue
			}
			out = append(out, m.data)
		}
		return out, h.gen, len(h.log)
	}
	for _, m := range h.log[cursor:] {
		out = append(out, m.data)
	}
	return out, gen, len(h.log)
}

func (h *hub) subscribe() chan struct{} {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	h.subs[c] = struct{}{}
	h.mu.Unlock()
	return c
}

func (h *hub) unsubscribe(c chan struct{}) {
	h.mu.Lock()
	delete(h.subs, c)
	h.mu.Unlock()
}

// setPictures makes the hub draw scene sc's inputs with its pictures
// function, if it has one.
func (h *hub) setPictures(sc Scene, dataDir string, log io.Writer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.onStart = nil
	if sc.pictures == nil {
		return
	}
	h.onStart = func(start *events.Event) func(int64) []float64 {
		f, err := sc.pictures(dataDir, start)
		if err != nil {
			fmt.Fprintln(log, "edl demo:", err)
			return nil
		}
		return f
	}
}
