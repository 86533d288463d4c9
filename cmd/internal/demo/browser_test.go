package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var update = flag.Bool("update", false, "rewrite docs/demo.png (the README's screenshot) from the browser test")

// screenshotPath is the README's screenshot, from this package's folder.
const screenshotPath = "../../../docs/demo.png"

// findChromium returns Debian's chromium (or another Chrome) on PATH.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// pageState is what the test reads off the finished page.
type pageState struct {
	Keys     map[string]string `json:"keys"`  // data-key → data-value
	Texts    map[string]string `json:"texts"` // data-key → shown text
	Live     map[string]string `json:"live"`  // the live summary's data attributes
	Synced   string            `json:"synced"`
	NLTest   string            `json:"nltest"`
	ExIndex  string            `json:"ex_index"`
	ExTotal  string            `json:"ex_total"`
	Matching int               `json:"matching_rows"`
	Rows     int               `json:"rows"`
}

const readPage = `(() => {
  const keys = {}, texts = {};
  for (const e of document.querySelectorAll("[data-key]")) { keys[e.dataset.key] = e.dataset.value; texts[e.dataset.key] = e.textContent; }
  const ls = document.getElementById("live-summary").dataset;
  return {
    keys, texts,
    live: { examples: ls.examples, train_bits: ls.trainBits, pass_bytes: ls.passBytes, agreed: ls.agreed, matched: ls.matched },
    synced: document.getElementById("sync-count").dataset.value,
    nltest: document.getElementById("r-nltest").textContent,
    ex_index: document.getElementById("ex-index").textContent,
    ex_total: document.getElementById("ex-total").textContent,
    matching_rows: document.querySelectorAll("#sync-rows tr.match").length,
    rows: document.querySelectorAll("#sync-rows tr").length,
  };
})()`

// A real browser follows a live demo run: the page loads while the
// transmission is held at its first example, Step codes exactly one,
// Resume runs it to the end; then every number the page shows equals the
// JSON reports alice and bob printed, the counts made live from the event
// streams agree with them, and a screenshot is saved (with -update, as the
// README's docs/demo.png).
func TestBrowserShowsTheReports(t *testing.T) {
	if testing.Short() {
		t.Skip("launches alice, bob and a browser")
	}
	chrome := findChromium()
	if chrome == "" {
		t.Skip("no chromium on PATH: apt-get install chromium (.ci/run installs it, so CI runs this test)")
	}
	bin := testBinaries(t)
	scene, data := "digits", dataDir()
	if data == "" {
		t.Logf("datasets not beside the project: the teacher scene instead of the digits")
		scene = "teacher"
	}
	deadline := time.Now().Add(90 * time.Second)
	if d, ok := t.Deadline(); ok && d.Before(deadline) {
		deadline = d.Add(-5 * time.Second)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()

	save := t.TempDir()
	urls := make(chan string, 1)
	served := make(chan error, 1)
	var log bytes.Buffer
	go func() {
		served <- Run(ctx, Config{Addr: "127.0.0.1:0", Bin: bin, DataDir: data, Scene: scene, Pace: time.Millisecond,
			Paused: true, Save: save, Ready: func(u string) { urls <- u }}, &bytes.Buffer{}, &log)
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-served:
		t.Fatalf("demo ended before serving: %v\n%s", err, log.String())
	case <-ctx.Done():
		t.Fatal("demo did not start")
	}
	t.Cleanup(func() {
		cancel()
		<-served
	})

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1600, 1900),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	start := time.Now()
	// Held at the first example: the page knows the run, shows no example.
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1600, 1900),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`#pause[aria-pressed="true"]`)),
	); err != nil {
		t.Fatalf("browser: %v\ndemo log:\n%s", err, log.String())
	}
	first, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("ex-index")))
	if err != nil {
		t.Fatal(err)
	}
	// Step codes exactly one example; Resume (the same button) runs on.
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.ID("step")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.getElementById("ex-index").textContent === "1"`, chromedp.WithPollingTimeout(20*time.Second))(ctx, tg)
			return err
		}),
		chromedp.Sleep(300*time.Millisecond),
	); err != nil {
		t.Fatalf("step: %v\ndemo log:\n%s", err, log.String())
	}
	afterStep, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("ex-index")))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.ID("pause")), // labelled Resume now
		// The page sets data-state in the frame that draws every panel from
		// the same state, and "done" is the hub's last message: once it
		// shows, every figure on the page is final.
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="done"]`)),
	); err != nil {
		t.Fatalf("resume: %v\ndemo log:\n%s", err, log.String())
	}
	t.Logf("page followed the run to the end in %v", time.Since(start).Round(time.Millisecond))
	if first != "–" || afterStep != "1" {
		t.Errorf("paused page showed example %q, after one step %q; want – then 1", first, afterStep)
	}
	st, err := chromedp.Run(bctx, chromedp.Evaluate[pageState](readPage))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}

	alice := readReport(t, filepath.Join(save, "alice.json"))
	bob := readReport(t, filepath.Join(save, "bob.json"))
	// Every number with a data-key is the report's, exactly.
	for key, want := range map[string]any{
		"alice.n": alice["n"], "alice.coded_bits": alice["coded_bits"], "alice.payload_bytes": alice["payload_bytes"],
		"alice.uniform_bits": alice["uniform_bits"], "alice.test_loss_bits": alice["test_loss_bits"],
		"alice.edl_bits": alice["edl_bits"], "alice.checkpoints_matched": alice["checkpoints_matched"],
		"alice.fingerprint": alice["fingerprint"], "alice.bob_verified": alice["bob_verified"],
		"bob.edl_bits": bob["edl_bits"], "bob.fingerprint": bob["fingerprint"],
	} {
		got, ok := st.Keys[key]
		if !ok {
			t.Errorf("page has no value for %s", key)
			continue
		}
		if !sameValue(got, want) {
			t.Errorf("%s: page %q, report %v", key, got, want)
		}
	}
	// What the page shows is the report's figure, in its unit.
	num := func(m map[string]any, k string) float64 { v, _ := m[k].(float64); return v }
	for key, want := range map[string]string{
		"alice.coded_bits":     groupInt(num(alice, "coded_bits")) + " bits",
		"alice.payload_bytes":  groupInt(num(alice, "payload_bytes")) + " bytes",
		"alice.edl_bits":       groupFixed(num(alice, "edl_bits"), 1) + " bits",
		"bob.edl_bits":         groupFixed(num(bob, "edl_bits"), 1) + " bits",
		"alice.test_loss_bits": groupFixed(num(alice, "test_loss_bits"), 4) + " bits/example",
		"alice.uniform_bits":   groupFixed(num(alice, "uniform_bits"), 1) + " bits",
	} {
		if st.Texts[key] != want {
			t.Errorf("%s shown as %q, want %q", key, st.Texts[key], want)
		}
	}
	if want := groupFixed(num(alice, "n")*num(alice, "test_loss_bits"), 1) + " bits"; st.NLTest != want {
		t.Errorf("n·L_test shown as %q, want %q", st.NLTest, want)
	}
	// The page's own counts, made from the live event streams, agree.
	n := num(alice, "n")
	total := n + num(alice, "validation") + num(alice, "test")
	liveNum := func(k string) float64 {
		v, err := strconv.ParseFloat(st.Live[k], 64)
		if err != nil {
			t.Errorf("live %s = %q: %v", k, st.Live[k], err)
		}
		return v
	}
	if liveNum("examples") != total || liveNum("agreed") != total {
		t.Errorf("page counted %v labels (%v of Bob's equal to Alice's), want %v", st.Live["examples"], st.Live["agreed"], total)
	}
	if 8*liveNum("pass_bytes") != num(alice, "coded_bits") {
		t.Errorf("page's bytes after the pass %v, report's coded bits %v", st.Live["pass_bytes"], num(alice, "coded_bits"))
	}
	if q := num(alice, "quantized_ideal_bits"); math.Abs(liveNum("train_bits")-q) > 1e-6*q {
		t.Errorf("page's Σ−log₂p %v, report's quantized ideal %v", st.Live["train_bits"], q)
	}
	cps := num(alice, "checkpoints_matched")
	if liveNum("matched") != cps || st.Synced != st.Live["matched"] || float64(st.Matching) != cps || st.Rows != st.Matching {
		t.Errorf("page: %v matched checkpoints, %d green of %d rows; report %v", st.Live["matched"], st.Matching, st.Rows, cps)
	}
	if st.ExIndex != groupInt(total) || st.ExTotal != groupInt(total) {
		t.Errorf("page ends at example %q of %q, want %v", st.ExIndex, st.ExTotal, total)
	}

	if len(shot) < 20_000 || !bytes.HasPrefix(shot, []byte("\x89PNG")) {
		t.Fatalf("screenshot is %d bytes, not a PNG of the page", len(shot))
	}
	path := filepath.Join(t.TempDir(), "demo.png")
	if *update {
		path = screenshotPath
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes); coded %v bits, EDL %v bits, %v checkpoints matched", path, len(shot), alice["coded_bits"], alice["edl_bits"], cps)
}

func readReport(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// sameValue compares a data-value attribute (JavaScript's String(v)) with
// a value decoded from the report's JSON: numbers as float64, exactly.
func sameValue(attr string, want any) bool {
	switch w := want.(type) {
	case float64:
		v, err := strconv.ParseFloat(attr, 64)
		return err == nil && v == w
	case bool:
		return attr == strconv.FormatBool(w)
	case string:
		return attr == w
	}
	return false
}

// groupInt and groupFixed format like the page (en-US grouping).
func groupInt(v float64) string { return groupFixed(v, 0) }

func groupFixed(v float64, digits int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', digits, 64)
	intPart, frac := s, ""
	if i := bytes.IndexByte([]byte(s), '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var b []byte
	for i, c := range []byte(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	sign := ""
	if v < 0 && s != strconv.FormatFloat(0, 'f', digits, 64) {
		sign = "-"
	}
	return fmt.Sprintf("%s%s%s", sign, b, frac)
}
