package contract

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbiddenImports may not appear in non-test files under shared/.
var forbiddenImports = map[string]string{
	"os":        "the core does no I/O",
	"net":       "the core does no I/O",
	"time":      "time is not an input of the core",
	"math/rand": "v1's sequences are not locked; use shared/rng",
	"log":       "the core does not log",
	"log/slog":  "the core does not log",
}

// forbiddenPrefixes catch whole module trees.
var forbiddenPrefixes = []string{"google.golang.org/grpc", "google.golang.org/protobuf", "github.com/edlwire/edlwire/proto"}

// forbiddenCalls are package-level functions whose results differ between
// architectures or CPUs (assembly or FMA paths, or math.Exp inside).
var forbiddenCalls = map[string][]string{
	"math":         {"Exp", "Exp2", "Expm1", "Log", "Log1p", "Log2", "Log10", "Pow", "Pow10", "Tanh", "Sinh", "Cosh", "Sin", "Cos", "Tan", "Atan", "Atan2", "Asin", "Acos", "Erf", "Erfc", "Gamma", "Lgamma", "FMA", "Cbrt", "Hypot"},
	"math/rand/v2": {"NormFloat64", "ExpFloat64"},
}

// forbiddenMethods are methods with the same problem, matched by name on
// any receiver (rand.Rand's normal and exponential draws call math.Exp).
var forbiddenMethods = []string{"NormFloat64", "ExpFloat64"}

func TestForbiddenImports(t *testing.T) {
	problems, files, err := checkTree("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	if files < 10 {
		t.Fatalf("checked only %d files: is the walk rooted at shared/?", files)
	}
	t.Logf("checked %d non-test files under shared/", files)
}

// The checker itself must catch what it claims to: testdata/bad breaks
// every rule once.
func TestCheckerCatchesViolations(t *testing.T) {
	problems, files, err := checkTree("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	if files != 1 {
		t.Fatalf("checked %d files, want 1", files)
	}
	joined := strings.Join(problems, "\n")
	for _, want := range []string{`imports "os"`, `imports "time"`, `imports "math/rand"`, `imports "google.golang.org/grpc"`, "uses math.Exp", "uses math.Log", "calls .NormFloat64"} {
		if !strings.Contains(joined, want) {
			t.Errorf("checker missed %s; it reported:\n%s", want, joined)
		}
	}
}

// checkTree reports every violation in the non-test Go files under root.
func checkTree(root string) (problems []string, files int, err error) {
	fset := token.NewFileSet()
	report := func(pos token.Pos, format string, args ...any) {
		problems = append(problems, fset.Position(pos).String()+": "+fmt.Sprintf(format, args...))
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		names := map[string]string{} // local name -> import path
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if why, bad := forbiddenImports[p]; bad {
				report(imp.Pos(), "imports %q: %s", p, why)
			}
			for _, pre := range forbiddenPrefixes {
				if strings.HasPrefix(p, pre) {
					report(imp.Pos(), "imports %q: the core knows nothing of the wire", p)
				}
			}
			name := p[strings.LastIndex(p, "/")+1:]
			if p == "math/rand/v2" {
				name = "rand"
			}
			if imp.Name != nil {
				name = imp.Name.Name
			}
			names[name] = p
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok {
				for _, fn := range forbiddenCalls[names[id.Name]] {
					if sel.Sel.Name == fn {
						report(sel.Pos(), "uses %s.%s: not reproducible across architectures; use shared/detmath", names[id.Name], fn)
					}
				}
			}
			for _, m := range forbiddenMethods {
				if sel.Sel.Name == m {
					report(sel.Pos(), "calls .%s: it uses math.Exp/math.Log inside", m)
				}
			}
			return true
		})
		return nil
	})
	return problems, files, err
}
