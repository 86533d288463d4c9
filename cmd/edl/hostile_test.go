package main

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/edlwire/edlwire/cmd/internal/specflag"
)

// limitAddressSpace caps the test process's virtual memory a little above
// what it uses now, for the rest of the test: an allocation the memory
// estimate failed to refuse then ends the test binary with a Go
// out-of-memory fatal error (a failure here) instead of exhausting a
// shared machine. debug.SetMemoryLimit could not do this: it steers the
// garbage collector and does not stop a single huge make.
func limitAddressSpace(t *testing.T, headroom uint64) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &old); err != nil {
		t.Skipf("no RLIMIT_AS: %v", err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	var vm uint64
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmSize:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			vm = kb << 10
		}
	}
	if vm == 0 {
		t.Skip("no VmSize")
	}
	lim := syscall.Rlimit{Cur: min(vm+headroom, old.Max), Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_AS, &old) })
}

// TestRunHostileSizes drives every integer spec flag of edl run to the
// extremes of its type and range (0, 1, 2^30, 2^40, the largest int64, -1)
// and every float flag to 0, 1, huge, NaN and Inf, one at a time on a small
// run under a small --max-memory, in-process and under an address-space
// limit. Each must end in a clean exit code (0, 1 or 2) with a one-line
// reason, never a panic or a runtime fatal error: no code path allocates
// from a size the estimate did not check.
func TestRunHostileSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("drives every spec flag")
	}
	limitAddressSpace(t, 3<<30)
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	specflag.Register(fs)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	ints := []string{"0", "1", "-1", strconv.Itoa(1 << 30), strconv.Itoa(1 << 40), strconv.FormatInt(math.MaxInt64, 10)}
	floats := []string{"0", "1", "-1", "1e308", "NaN", "Inf"}
	refused := 0
	for _, name := range names {
		var values []string
		switch name {
		case "hidden":
			values = []string{"1", strconv.Itoa(1 << 30), strconv.FormatInt(math.MaxInt64, 10), "1,1,1,1,1,1,1,1", "65536,65536"}
		case "task", "model", "optimizer", "activation", "init", "op", "notation", "adapter", "score", "base":
			continue // names, not sizes: their own tests cover unknown values
		default:
			switch fs.Lookup(name).DefValue {
			case "true", "false":
				continue
			}
			if _, err := strconv.ParseFloat(fs.Lookup(name).DefValue, 64); err != nil {
				continue
			}
			values = ints
			if strings.ContainsAny(fs.Lookup(name).DefValue, ".e") || isFloatFlag(name) {
				values = floats
			}
		}
		for _, v := range values {
			args := []string{"--n", "300", "--test", "100", "--max-memory", "256MiB", "--quiet", "--workers", "1", "--" + name, v}
			var out, errb bytes.Buffer
			code := cmdRun(args, &out, &errb)
			switch code {
			case 0:
			case 1, 2:
				refused++
				if msg := strings.TrimSpace(errb.String()); msg == "" {
					t.Errorf("--%s %s: exit %d with no reason", name, v, code)
				}
			default:
				t.Errorf("--%s %s: exit %d", name, v, code)
			}
		}
	}
	t.Logf("%d extreme values refused cleanly", refused)
	if refused == 0 {
		t.Fatal("no extreme value was refused: the test drove nothing")
	}
}

func isFloatFlag(name string) bool {
	switch name {
	case "noise", "rare-weight", "init-scale", "model-noise", "alpha", "lr", "beta", "beta1", "beta2", "adam-eps", "weight-decay":
		return true
	}
	return false
}

// TestRunRefusesBeyondMemoryBudget: hostile sizes are refused by edl run
// before anything is generated, the error naming the field, its value and
// the limit. The issue's --dim 2000000 now streams its inputs through a
// window (task.NewStreamInputs) and fits; a dim whose model alone exceeds
// the budget (10 classes × 2·10⁸ weights) is refused instead.
func TestRunRefusesBeyondMemoryBudget(t *testing.T) {
	limitAddressSpace(t, 3<<30)
	for _, tc := range []struct{ flag, value, want string }{
		{"n", "1000000000000", "n=1000000000000"},
		{"dim", "200000000", "dim=200000000"},
		{"batch", fmt.Sprint(int64(1) << 40), "batch=1099511627776"},
	} {
		var out, errb bytes.Buffer
		code := cmdRun([]string{"--" + tc.flag, tc.value, "--quiet"}, &out, &errb)
		msg := errb.String()
		if code != 2 || !strings.Contains(msg, "spec: memory:") || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "the limit 16.0 GiB (max-memory)") {
			t.Errorf("--%s %s: exit %d, %q; want exit 2 naming memory, %s and the limit", tc.flag, tc.value, code, msg, tc.want)
		}
	}
}
