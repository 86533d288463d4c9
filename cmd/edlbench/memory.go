package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/edlwire/edlwire/shared/spec"
)

// memoryRun is one child `edl run` and what it cost.
type memoryRun struct {
	n        int64
	peakKiB  int64   // getrusage ru_maxrss of the child: its peak resident set, KiB
	seconds  float64 // wall clock
	estimate int64   // spec.MemoryEstimate for two sessions (Alice's and Bob's in one process), bytes
	payload  int64   // payload bytes the run reports
}

// memory runs `edl run --quiet --n N` (the default synthetic task
// otherwise) as a child process for each n and reports its peak resident
// set against n, with the spec's estimate beside it. The inputs of a
// seeded task are streamed above spec.StreamInputsAbove and its labels
// generated as they are read, so the figure grows with n only through what
// the program keeps per example: the coded stream (kept to resend), the
// training labels' raw bytes for the report's zstd baseline (one a label
// here), the θ* training copy with epochs (see spec.Memory).
func memory(edlPath string, ns []int64) error {
	fmt.Println("== Peak memory of `edl run` against n (issue 20): the default synthetic task, Alice and Bob in one process ==")
	if edlPath == "" {
		fmt.Println("  (skipped: give -edl PATH, the edl binary; make bench builds it)")
		return nil
	}
	fmt.Println("  peak RSS: getrusage ru_maxrss of the child process; estimate: spec.MemoryEstimate, two sessions")
	var runs []memoryRun
	for _, n := range ns {
		r, err := memoryOf(edlPath, n)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "n\tinputs streamed\tpeak RSS MiB\testimate MiB\tseconds\texamples/s\tpayload bytes\t")
	for _, r := range runs {
		sp := spec.Default()
		sp.N = r.n
		fmt.Fprintf(tw, "%d\t%v\t%.1f\t%.1f\t%.1f\t%.0f\t%d\t\n", r.n, sp.InputsStreamed(), float64(r.peakKiB)/1024,
			float64(r.estimate)/(1<<20), r.seconds, float64(r.n)/r.seconds, r.payload)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if k := len(runs); k >= 2 && runs[k-1].n > runs[k-2].n {
		a, b := runs[k-2], runs[k-1]
		sa, sb := spec.Default(), spec.Default()
		sa.N, sb.N = a.n, b.n
		if sa.InputsStreamed() == sb.InputsStreamed() {
			fmt.Printf("  growth between n=%d and n=%d: %.1f bytes of peak RSS per example (a dense input row of dim %d is %d bytes)\n",
				a.n, b.n, float64(1024*(b.peakKiB-a.peakKiB))/float64(b.n-a.n), sa.Dim, 8*sa.Dim)
		} else {
			// The smaller run holds its inputs, the larger streams them:
			// their difference is no per-example cost.
			fmt.Printf("  n=%d holds its inputs and n=%d streams them: no growth per example between them (give -memory-n two streamed sizes, such as 1e7,2e7)\n", a.n, b.n)
		}
	}
	return nil
}

func memoryOf(edlPath string, n int64) (memoryRun, error) {
	sp := spec.Default()
	sp.N = n
	m := sp.MemoryEstimate()
	r := memoryRun{n: n, estimate: m.Total() + (m.Total() - m.Inputs)}
	var out, errb bytes.Buffer
	cmd := exec.Command(edlPath, "run", "--quiet", "--n", strconv.FormatInt(n, 10))
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return r, fmt.Errorf("edl run --n %d: %w: %s", n, err, strings.TrimSpace(errb.String()))
	}
	r.seconds = time.Since(start).Seconds()
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return r, fmt.Errorf("edl run --n %d: no rusage on %T", n, cmd.ProcessState.SysUsage())
	}
	r.peakKiB = ru.Maxrss // KiB on Linux
	var rep struct {
		PayloadBytes int64 `json:"payload_bytes"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return r, fmt.Errorf("edl run --n %d: report: %w", n, err)
	}
	r.payload = rep.PayloadBytes
	return r, nil
}

// int64List is a comma-separated flag of positive integers.
type int64List []int64

func (l *int64List) String() string {
	var s []string
	for _, v := range *l {
		s = append(s, strconv.FormatInt(v, 10))
	}
	return strings.Join(s, ",")
}

func (l *int64List) Set(v string) error {
	*l = nil
	for _, f := range strings.Split(v, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || x < 1 || x != float64(int64(x)) {
			return fmt.Errorf("want positive integers (1e6 allowed), got %q", f)
		}
		*l = append(*l, int64(x))
	}
	return nil
}
