// Command edlbench prints, in one readable report, the figures the project
// tracks for speed and accounting:
//
//  1. the code-length accounting of realistic learned runs (an MLP on the
//     UCI digits data, and the default synthetic task): float ideal bits,
//     quantized ideal bits, coded bits (the real encoder's bytes × 8, decoded
//     back in process and checked), the uniform code n·log2 K, and zstd and
//     gzip (best compression) of the raw label bytes (one byte per label),
//     each also in bits per label;
//  2. the examples per second of one online prequential pass (predict, code,
//     learn; float64; SGD) for issue 3's MLP shapes with 1 and 2 workers, the
//     multi-core speedup of the largest model, and this machine's
//     core-scaling ceiling (independent float work on 1 and 2 goroutines);
//  3. the peak resident memory of a child `edl run` against n (issue 20),
//     with the spec's memory estimate beside it (-edl PATH; make bench
//     builds it);
//  4. the range coder's ns per symbol (encode, decode, and both) and its
//     overhead over the exact quantized ideal, per alphabet size K, without a
//     model, plus Quantize per table.
//
// Everything runs in process on the shared packages (no network). Usage:
//
//	go run ./cmd/edlbench                  # all sections (make bench runs this)
//	go run ./cmd/edlbench -only accounting # one section: accounting, pass, peer, memory or coder
//
// The peer section prints one JSON line per pass shape and worker count
// (examples/s of one timed pass set) for scripts/bench_peer.py, which
// interleaves it with the same shapes in PyTorch (make bench-peer).
//
// The digits file is looked up at -data (default ../shared/data/digits.csv.gz,
// the datasets beside the project); without it that column is skipped.
// Timings on a shared machine vary by ±20% between runs; each figure is the
// best of -repeat timed runs of at least -time each.
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/coder/codertest"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/report"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	xmit "github.com/edlwire/edlwire/shared/transmit"
)

func main() {
	data := flag.String("data", filepath.Join("..", "shared", "data", "digits.csv.gz"), "UCI digits CSV (gzip allowed) for the accounting table")
	only := flag.String("only", "", "run one section: accounting, pass, peer, memory or coder (default: all but peer)")
	minTime := flag.Duration("time", 400*time.Millisecond, "minimum duration of one timed run")
	repeat := flag.Int("repeat", 3, "timed runs per figure; the best is reported")
	peerShape := flag.String("shape", "", "peer section: only the shapes whose name contains this, e.g. mlp64-512")
	peerWorkers := flag.String("workers", "1,2", "peer section: worker counts")
	flag.Var(&digitsCfg.hidden, "digits-hidden", "digits run: mlp hidden widths, e.g. 64 or 128,64")
	flag.Float64Var(&digitsCfg.lr, "digits-lr", digitsCfg.lr, "digits run: SGD learning rate")
	flag.Int64Var(&digitsCfg.batch, "digits-batch", digitsCfg.batch, "digits run: minibatch size")
	flag.Float64Var(&digitsCfg.initScale, "digits-init-scale", digitsCfg.initScale, "digits run: standard deviation of the normal initialization")
	edlPath := flag.String("edl", "", "memory section: the edl binary to run as a child (skipped without it)")
	memoryN := int64List{1e4, 1e6, 1e7}
	flag.Var(&memoryN, "memory-n", "memory section: the values of n")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "edlbench: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	t := timer{min: *minTime, repeat: max(1, *repeat)}
	fmt.Printf("edlbench: %s/%s, %d cores (GOMAXPROCS %d), %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	sections := []struct {
		name string
		run  func() error
	}{
		{"accounting", func() error { return accounting(*data) }},
		{"pass", func() error { return passes(t) }},
		{"peer", func() error {
			var ws []int
			for _, f := range strings.Split(*peerWorkers, ",") {
				w, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || w < 1 {
					return fmt.Errorf("-workers %q: want a list of positive integers", *peerWorkers)
				}
				ws = append(ws, w)
			}
			return peer(t, *peerShape, ws)
		}},
		{"memory", func() error { return memory(*edlPath, memoryN) }},
		// Short runs, more of them: the best of many catches a quiet moment
		// on a shared machine.
		{"coder", func() error { return coderSpeed(timer{min: t.min / 2, repeat: 2 * t.repeat}) }},
	}
	ran := false
	for _, s := range sections {
		if *only != s.name && (*only != "" || s.name == "peer") {
			continue
		}
		ran = true
		if err := s.run(); err != nil {
			fmt.Fprintf(os.Stderr, "edlbench: %s: %v\n", s.name, err)
			os.Exit(1)
		}
		fmt.Println()
	}
	if !ran {
		fmt.Fprintf(os.Stderr, "edlbench: -only %q: want accounting, pass, peer, memory or coder\n", *only)
		os.Exit(2)
	}
}

// ---------------------------------------------------------------------------
// Accounting

// run is one coded transmission's bookkeeping.
type run struct {
	name, desc string
	n, k       int64
	float      float64 // Σ −log2 p(y), float distribution
	quantized  float64 // Σ −log2(f_y/2^P), the coder's frequencies
	coded      float64 // 8 × payload bytes
	uniform    float64 // n·log2 K
	zstd, gzip float64 // compressed raw label bytes, bits
	floored    int     // labels coded at frequency 1, the quantizer's floor
}

func accounting(dataPath string) error {
	var runs []run
	switch d, err := digitsRun(dataPath); {
	case err == nil:
		runs = append(runs, d)
	case errors.Is(err, os.ErrNotExist):
		fmt.Printf("(digits skipped: %v)\n", err)
	default:
		return err
	}
	sp := spec.Default()
	in, lab, err := task.Build(sp, nil, nil)
	if err != nil {
		return err
	}
	r, err := transmit(sp, in, lab.Train)
	if err != nil {
		return fmt.Errorf("synthetic: %w", err)
	}
	r.name = "synthetic"
	r.desc = fmt.Sprintf("default spec: %s, dim %d, softmax, sgd lr %g, batch %d", sp.Task, sp.Dim, sp.LR, sp.Batch)
	runs = append(runs, r)

	fmt.Println("== Code length of one prequential pass (issue 4 item 8; EDL.md \"Accounting\") ==")
	for _, r := range runs {
		fmt.Printf("  %-10s %s; n=%d, K=%d\n", r.name, r.desc, r.n, r.k)
	}
	fmt.Println("  coded = the encoder's real bytes × 8, decoded back by a second session (labels and fingerprint checked);")
	fmt.Println("  zstd/gzip: best compression of the raw labels, one byte per label.")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "measure\t"
	sub := "\t"
	for _, r := range runs {
		head += r.name + "\t\t"
		sub += "bits\tbits/label\t"
	}
	fmt.Fprintln(tw, head)
	fmt.Fprintln(tw, sub)
	rows := []struct {
		label string
		get   func(run) float64
	}{
		{"float ideal", func(r run) float64 { return r.float }},
		{"quantized ideal", func(r run) float64 { return r.quantized }},
		{"coded", func(r run) float64 { return r.coded }},
		{"uniform n·log2 K", func(r run) float64 { return r.uniform }},
		{"zstd -best, raw labels", func(r run) float64 { return r.zstd }},
		{"gzip -9, raw labels", func(r run) float64 { return r.gzip }},
	}
	for _, row := range rows {
		line := row.label + "\t"
		for _, r := range runs {
			v := row.get(r)
			line += fmt.Sprintf("%.1f\t%.4f\t", v, v/float64(r.n))
		}
		fmt.Fprintln(tw, line)
	}
	line := "coded − quantized ideal\t"
	for _, r := range runs {
		line += fmt.Sprintf("%.1f\t%.2e\t", r.coded-r.quantized, (r.coded-r.quantized)/float64(r.n))
	}
	fmt.Fprintln(tw, line)
	line = "quantized − float ideal\t"
	for _, r := range runs {
		line += fmt.Sprintf("%.2f\t%.2e\t", r.quantized-r.float, (r.quantized-r.float)/float64(r.n))
	}
	fmt.Fprintln(tw, line)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range runs {
		if r.floored > 0 {
			fmt.Printf("  %s: %d labels had float probability < ~1.5·2^-24 and were coded at the quantizer's floor\n", r.name, r.floored)
			fmt.Println("    frequency 1 (24 bits each): that is why the quantized ideal can be below the float ideal.")
		}
	}
	return nil
}

// widths is a flag.Value for a comma-separated list of layer widths.
type widths []int64

func (w *widths) String() string { return joinInts(*w) }

func (w *widths) Set(v string) error {
	var out []int64
	for _, f := range strings.Split(v, ",") {
		var x int64
		if _, err := fmt.Sscan(strings.TrimSpace(f), &x); err != nil || x < 1 {
			return fmt.Errorf("bad width %q", f)
		}
		out = append(out, x)
	}
	*w = out
	return nil
}

// digitsCfg is the digits run's learner (flags -digits-*).
var digitsCfg = struct {
	hidden        widths
	lr, initScale float64
	batch         int64
}{hidden: widths{64}, lr: 0.05, initScale: 0.1, batch: 1}

// digitsRun codes the UCI digits labels with an MLP 64→64→10, the rows in
// a seeded order, features standardized, the last fifth held out (as alice
// --data does by default).
func digitsRun(path string) (run, error) {
	f, err := os.Open(path)
	if err != nil {
		return run{}, err
	}
	defer f.Close()
	tab, err := task.ReadCSV(f, filepath.Base(path), "", true)
	if err != nil {
		return run{}, err
	}
	sp := spec.Default()
	task.UseData(&sp, tab, func(string) bool { return false }) // the last fifth held out
	sp.Standardize, sp.Shuffle, sp.ShuffleSeed = true, true, 1
	sp.Model, sp.Hidden, sp.Activation = spec.ModelMLP, digitsCfg.hidden, spec.ActReLU
	sp.Init, sp.InitScale = spec.InitNormal, digitsCfg.initScale
	sp.LR, sp.Batch = digitsCfg.lr, digitsCfg.batch
	sp.CheckpointEvery = 100
	in, lab, err := task.Build(sp, tab, nil)
	if err != nil {
		return run{}, err
	}
	r, err := transmit(sp, in, lab.Train)
	if err != nil {
		return run{}, fmt.Errorf("%s: %w", tab.Name, err)
	}
	r.name = "digits"
	r.desc = fmt.Sprintf("%s: mlp %d→%s→%d %s, init normal %g, sgd lr %g, batch %d, standardized, shuffled",
		tab.Name, sp.Dim, joinInts(sp.Hidden), sp.Classes, sp.Activation, sp.InitScale, sp.LR, sp.Batch)
	return r, nil
}

func joinInts(v []int64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, "→")
}

// transmit codes labels with Alice's session and decodes the stream with a
// second session (Bob's, in process: transmit.Pipe, which checks that both
// agree), counting the labels coded at frequency 1 (probability below
// about 1.5·2^-P: the quantizer raises it to 2^-P, so such a label costs P
// bits where the float code charges more).
func transmit(sp spec.Spec, in *task.Inputs, labels []int) (run, error) {
	a, err := prequential.New(sp, in)
	if err != nil {
		return run{}, err
	}
	b, err := prequential.New(sp, in)
	if err != nil {
		return run{}, err
	}
	floored := 0
	p, err := xmit.Pipe(a, b, &task.Labels{Train: labels}, xmit.PipeHooks{Example: func(ex xmit.Example) {
		if ex.Freqs[ex.Label] == 1 {
			floored++
		}
	}})
	if err != nil {
		return run{}, err
	}

	raw := edl.LabelBytes(labels[:sp.N], int(sp.Classes))
	zbits, err := report.ZstdBits(raw)
	if err != nil {
		return run{}, err
	}
	var gz bytes.Buffer
	gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	gw.Write(raw)
	if err := gw.Close(); err != nil {
		return run{}, err
	}
	return run{
		n:         sp.N,
		k:         sp.Classes,
		float:     p.Figures.IdealBits,
		quantized: p.Figures.QuantizedIdealBits,
		coded:     float64(8 * p.Figures.PayloadBytes),
		uniform:   edl.UniformBits(sp.N, int(sp.Classes)),
		zstd:      float64(zbits),
		gzip:      float64(8 * gz.Len()),
		floored:   floored,
	}, nil
}

// ---------------------------------------------------------------------------
// Timing

type timer struct {
	min    time.Duration
	repeat int
}

// best returns the lowest seconds per unit over t.repeat runs: each run
// calls f(n), which does n units of work and returns the time to count,
// with n doubled until a run lasts at least t.min.
func (t timer) best(f func(n int) time.Duration) float64 {
	n := 1
	for {
		if d := f(n); d >= t.min/4 || n >= 1<<40 {
			// Aim at t.min from this estimate.
			n = max(n, int(float64(n)*float64(t.min)/float64(max(d, time.Microsecond))))
			break
		}
		n *= 2
	}
	best := math.Inf(1)
	for range t.repeat {
		d := f(n)
		best = min(best, d.Seconds()/float64(n))
	}
	return best
}

// ---------------------------------------------------------------------------
// Prequential pass

// passTargets are issue 3's targets and its PyTorch 1.13 + OpenBLAS
// figures, in examples/s, for prequential.PassShapes in order.
var passTargets = []struct{ target, pytorch float64 }{{45000, 3600}, {95000, 64000}, {19000, 19000}, {3000, 4200}}

func passes(t timer) error {
	fmt.Println("== One online prequential pass: predict, code, learn; float64; SGD (issue 3 item 5) ==")
	fmt.Println("  examples/s (best of runs; model building excluded); target and PyTorch 1.13 + OpenBLAS from issue 3")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "shape\tparams\tworkers=1\tworkers=2\tspeedup\ttarget\tPyTorch\t")
	var last [2]float64
	for i, sh := range prequential.PassShapes {
		sp, in, lab, err := sh.Data()
		if err != nil {
			return err
		}
		var rate [2]float64
		for w := range 2 {
			if rate[w], err = passRate(t, sp, in, lab, w+1); err != nil {
				return err
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.2f×\t≥ %.0f\t%.0f\t\n", sh.Title(), sp.NumParams(), rate[0], rate[1], rate[1]/rate[0], passTargets[i].target, passTargets[i].pytorch)
		last = rate
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ceiling := coreScaling(t)
	fmt.Printf("  multi-core speedup, largest model (workers 2 / 1): %.2f× (target ≥ 1.6× on 2 cores)\n", last[1]/last[0])
	fmt.Printf("  core-scaling ceiling of this machine: %.2f× (independent 4-lane dot products on 2 goroutines vs 1,\n", ceiling)
	fmt.Println("    no sharing: BenchmarkCoreScaling; bounds what workers=2 can gain here)")
	return nil
}

// passRate is the examples per second of one online prequential pass
// (predict, code, learn) on workers goroutines, the best of t's runs;
// building the session (the seeded initialization) and collecting its
// garbage are not timed.
func passRate(t timer, sp spec.Spec, in *task.Inputs, lab *task.Labels, workers int) (float64, error) {
	var ferr error
	sec := t.best(func(n int) time.Duration {
		var total time.Duration
		for range n {
			s, err := prequential.NewWithWorkers(sp, in, workers)
			if err != nil {
				ferr = err
				return time.Hour
			}
			// Collect the garbage of building the session now, so that a
			// collection it triggers does not run during the timed pass (a
			// pass allocates nothing per example).
			runtime.GC()
			start := time.Now()
			snd, err := xmit.NewSender(s, lab)
			if err == nil {
				_, err = snd.Run()
			}
			if err != nil {
				ferr = err
				return time.Hour
			}
			total += time.Since(start)
		}
		return total
	})
	return float64(sp.N) / sec, ferr
}

// coreScaling is BenchmarkCoreScaling's measure: the same pure float work
// (2 × 2000 dot products of 1024) on one goroutine, then split over two.
func coreScaling(t timer) float64 {
	work := prequential.ScalingWork
	x, y := make([]float64, 1024), make([]float64, 1024)
	var sink float64
	one := t.best(func(n int) time.Duration {
		start := time.Now()
		for range n {
			sink += work(x) + work(y)
		}
		return time.Since(start)
	})
	two := t.best(func(n int) time.Duration {
		start := time.Now()
		for range n {
			done := make(chan float64)
			go func() { done <- work(y) }()
			sink += work(x) + <-done
		}
		return time.Since(start)
	})
	_ = sink
	return one / two
}

// ---------------------------------------------------------------------------
// Coder

// The timed loops run n symbols of a codertest script (the one the coder's
// BenchmarkCoder codes) from its start, wrapping around (a fresh stream
// every 2^16 symbols), with the frequency tables or (cum) their prefix
// sums.

func encodeLoop(cs *codertest.Script, cum bool) func(n int) time.Duration {
	return func(n int) time.Duration {
		e, _ := coder.NewEncoder(codertest.Precision)
		start := time.Now()
		for j := range n {
			i := j & (codertest.Symbols - 1)
			if i == 0 {
				e.Reset()
			}
			var err error
			if y := cs.Syms[i]; cum {
				c := cs.Cums[cs.Which[i]]
				err = e.EncodeCum(c[y], c[y+1]-c[y])
			} else {
				err = e.Encode(cs.Freqs(i), y)
			}
			if err != nil {
				panic(err)
			}
			e.Take()
		}
		return time.Since(start)
	}
}

func decodeLoop(cs *codertest.Script, cum bool) func(n int) time.Duration {
	return func(n int) time.Duration {
		d, _ := coder.NewDecoder(codertest.Precision)
		start := time.Now()
		for j := range n {
			i := j & (codertest.Symbols - 1)
			if i == 0 {
				d.Reset()
				d.Write(cs.Data)
				d.CloseWrite()
			}
			var y int
			var err error
			if cum {
				y, err = d.DecodeCumulative(cs.Cums[cs.Which[i]])
			} else {
				y, err = d.Decode(cs.Freqs(i))
			}
			if err != nil || y != cs.Syms[i] {
				panic(fmt.Sprint("decode: ", err))
			}
		}
		return time.Since(start)
	}
}

func quantizeLoop(cs *codertest.Script) func(n int) time.Duration {
	return func(n int) time.Duration {
		dst := make([]uint32, cs.K)
		start := time.Now()
		for j := range n {
			if err := coder.Quantize(dst, cs.Probs[j&15], codertest.Precision); err != nil {
				panic(err)
			}
		}
		return time.Since(start)
	}
}

func coderSpeed(t timer) error {
	fmt.Println("== Range coder, no model (issue 4 item 7): ns per symbol, 2^16 symbols over 16 random tables, P = 24 ==")
	fmt.Println("  table: Encode/Decode with the frequency table (O(K) check and search per symbol);")
	fmt.Println("  prefix sums: EncodeCum/DecodeCumulative with precomputed cumulative tables (O(1) / O(log K)).")
	fmt.Println("  enc+dec is the per-symbol sum; target: ≤ 40 ns for K ≤ 256. overhead: coded − exact quantized ideal.")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "K\tencode\tdecode\tenc+dec\tencodeCum\tdecodeCum\tenc+dec (prefix sums)\tQuantize/table\tQuantize/symbol\toverhead bits/symbol\t")
	for _, k := range []int{2, 10, 256, 32768} {
		cs, err := codertest.New(k)
		if err != nil {
			return err
		}
		ns := func(f func(int) time.Duration) float64 { return 1e9 * t.best(f) }
		enc, dec := ns(encodeLoop(cs, false)), ns(decodeLoop(cs, false))
		encC, decC := ns(encodeLoop(cs, true)), ns(decodeLoop(cs, true))
		q := ns(quantizeLoop(cs))
		over := (float64(8*len(cs.Data)) - cs.Ideal) / codertest.Symbols
		fmt.Fprintf(tw, "%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%.2f\t%.2e\t\n", k, enc, dec, enc+dec, encC, decC, encC+decC, q, q/float64(k), over)
	}
	return tw.Flush()
}
