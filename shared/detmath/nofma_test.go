package detmath

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// fusedOp matches fused multiply-add mnemonics in `go build -gcflags=-S`
// output for arm64, ppc64le, s390x, riscv64 and amd64 (v3 and above).
var fusedOp = regexp.MustCompile(`\t(V?F(N)?M(ADD|SUB)[A-Z0-9]*|WFM[AS]DB|VFN?M[AS][A-Z0-9]*)\t`)

// TestNoFusedMultiplyAdd compiles this package (and rng) for architectures
// where Go may fuse x*y+z and fails if any fused instruction is emitted.
// It needs the go tool and takes ~30 s on a cold build cache, so it runs
// only with EDLWIRE_LONG=1 (or EDLWIRE_FMA_CHECK=1).
func TestNoFusedMultiplyAdd(t *testing.T) {
	if os.Getenv("EDLWIRE_LONG") != "1" && os.Getenv("EDLWIRE_FMA_CHECK") != "1" {
		t.Skip("set EDLWIRE_FMA_CHECK=1 or EDLWIRE_LONG=1 to compile for arm64/ppc64le/s390x/riscv64/amd64-v3")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		t.Skip("go tool not found")
	}
	targets := [][2]string{{"arm64", ""}, {"ppc64le", ""}, {"s390x", ""}, {"riscv64", ""}, {"amd64", "v3"}}
	for _, tg := range targets {
		cmd := exec.Command(gobin, "build", "-gcflags=-S", "-o", os.DevNull, ".", "../rng")
		cmd.Env = append(os.Environ(), "GOARCH="+tg[0], "GOOS=linux", "CGO_ENABLED=0")
		if tg[1] != "" {
			cmd.Env = append(cmd.Env, "GOAMD64="+tg[1])
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", tg, err, out)
		}
		if !strings.Contains(string(out), "TEXT") {
			t.Fatalf("%v: no assembly listing in compiler output", tg)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if fusedOp.MatchString(line) {
				t.Errorf("%v: fused multiply-add emitted: %s", tg, strings.TrimSpace(line))
			}
		}
	}
}
