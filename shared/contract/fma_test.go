package contract

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// fusedOps matches fused multiply-add mnemonics in the compiler's -S output
// (Go assembler syntax) for the architectures whose compilers fuse x*y + z.
var fusedOps = map[string]*regexp.Regexp{
	"arm64":   regexp.MustCompile(`\b(FMADD[DS]|FMSUB[DS]|FNMADD[DS]|FNMSUB[DS]|VFMLA|VFMLS)\b`),
	"ppc64le": regexp.MustCompile(`\b(FMADDS?|FMSUBS?|FNMADDS?|FNMSUBS?|XSMADD\w*|XSMSUB\w*|XVMADD\w*)\b`),
	"s390x":   regexp.MustCompile(`\b(FMADDS?|FMSUBS?|WFMADB|WFMSDB|VFMA\w*)\b`),
	"riscv64": regexp.MustCompile(`\b(FMADD[DS]|FMSUB[DS]|FNMADD[DS]|FNMSUB[DS])\b`),
	"amd64":   regexp.MustCompile(`\bVFN?M(ADD|SUB)\w*\b`),
}

// TestNoFusedMultiplyAdd compiles every package under shared/ for each
// architecture that can fuse and fails on any fused instruction. The build
// uses its own cache folder so the compiler really runs and prints -S.
func TestNoFusedMultiplyAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles shared/ for five targets")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	cache := t.TempDir()
	for _, arch := range []string{"arm64", "ppc64le", "s390x", "riscv64", "amd64"} {
		t.Run(arch, func(t *testing.T) {
			cmd := exec.Command("go", "build", "-gcflags=github.com/edlwire/edlwire/shared/...=-S", "-o", os.DevNull, "../...")
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "GOAMD64=v3", "CGO_ENABLED=0", "GOCACHE="+cache+"/"+arch, "GOFLAGS=-buildvcs=false")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Fatalf("go build for %s: %v\n%s", arch, err, out.String())
			}
			re := fusedOps[arch]
			fn, lines, found := "", 0, 0
			sc := bufio.NewScanner(&out)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				line := sc.Text()
				lines++
				if i := strings.Index(line, " STEXT"); i > 0 {
					fn = strings.Fields(line)[0]
				}
				if re.MatchString(line) {
					found++
					if found <= 20 {
						t.Errorf("%s: fused instruction in %s: %s", arch, fn, strings.TrimSpace(line))
					}
				}
			}
			if lines < 1000 {
				t.Fatalf("%s: only %d lines of assembly: did the compiler run?", arch, lines)
			}
			if found > 0 {
				t.Errorf("%s: %d fused multiply-add instructions in shared/ (write float64(x*y) + z)", arch, found)
			}
		})
	}
}
