package contract

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fusedOps matches fused multiply-add mnemonics in the compiler's -S output
// (Go assembler syntax) for the architectures whose compilers fuse x*y + z.
var fusedOps = map[string]*regexp.Regexp{
	"arm64": regexp.MustCompile(`\b(FMADD[DS]|FMSUB[DS]|FNMADD[DS]|FNMSUB[DS]|VFMLA|VFMLS)\b`),
	// In every table: a control case in shared/detmath's history showed
	// t := x*y; return t - z compiling to FNMSUBD on arm64.
	"ppc64le": regexp.MustCompile(`\b(FMADDS?|FMSUBS?|FNMADDS?|FNMSUBS?|XSMADD\w*|XSMSUB\w*|XVMADD\w*)\b`),
	"s390x":   regexp.MustCompile(`\b(FMADDS?|FMSUBS?|WFMADB|WFMSDB|VFMA\w*)\b`),
	"riscv64": regexp.MustCompile(`\b(FMADD[DS]|FMSUB[DS]|FNMADD[DS]|FNMSUB[DS])\b`),
	"amd64":   regexp.MustCompile(`\bVFN?M(ADD|SUB)\w*\b`),
}

// TestNoFusedMultiplyAdd compiles every package under shared/ for each
// architecture that can fuse and fails on any fused instruction. The go
// command replays a cached compilation's -S output, so warm runs are fast.
func TestNoFusedMultiplyAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles shared/ for five targets")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	for _, arch := range []string{"arm64", "ppc64le", "s390x", "riscv64", "amd64"} {
		t.Run(arch, func(t *testing.T) {
			// The control must show a fused instruction, or the pattern is blind.
			if n, _, _ := fusedIn(t, arch, "./testdata/fused"); n == 0 {
				t.Fatalf("%s: the control x*y + z shows no fused instruction: the pattern is wrong", arch)
			}
			n, lines, where := fusedIn(t, arch, "../...")
			if lines < 1000 {
				t.Fatalf("%s: only %d lines of assembly: did the compiler run?", arch, lines)
			}
			for _, w := range where {
				t.Errorf("%s: fused instruction %s", arch, w)
			}
			if n > 0 {
				t.Errorf("%s: %d fused multiply-add instructions in shared/ (write float64(x*y) + z)", arch, n)
			}
		})
	}
}

// fusedIn compiles pkgs for arch with -S and returns the number of fused
// instructions, the number of assembly lines and the first few hits.
func fusedIn(t *testing.T, arch, pkgs string) (n, lines int, where []string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-gcflags=-S", "-o", os.DevNull, pkgs)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "GOAMD64=v3", "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build for %s: %v\n%s", arch, err, out.String())
	}
	re := fusedOps[arch]
	fn := ""
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		lines++
		if strings.Contains(line, " STEXT") {
			fn = strings.Fields(line)[0]
		}
		if re.MatchString(line) {
			n++
			if len(where) < 20 {
				where = append(where, "in "+fn+": "+strings.TrimSpace(line))
			}
		}
	}
	return n, lines, where
}

// TestAssemblyHasNoFusedMultiplyAdd reads every hand-written assembly file
// under shared/ (the compiler's -S output above does not include them) and
// fails on any fused multiply-add mnemonic of any architecture.
func TestAssemblyHasNoFusedMultiplyAdd(t *testing.T) {
	var all []*regexp.Regexp
	for _, re := range fusedOps {
		all = append(all, re)
	}
	fused := func(line string) bool {
		code, _, _ := strings.Cut(line, "//")
		for _, re := range all {
			if re.MatchString(strings.ToUpper(code)) {
				return true
			}
		}
		return false
	}
	for _, control := range []string{"\tVFMADD231PD Y1, Y2, Y3", "\tFMADDD F1, F2, F3, F4", "\tVFNMSUB213SD X1, X2, X3"} {
		if !fused(control) {
			t.Fatalf("the pattern misses %q", control)
		}
	}
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".s") {
			return err
		}
		files++
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if fused(line) {
				t.Errorf("%s:%d: fused multiply-add: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no assembly file found under shared/: is the walk rooted there?")
	}
	t.Logf("checked %d assembly files", files)
}
