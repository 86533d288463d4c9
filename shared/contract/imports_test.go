package contract

import (
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
	root := filepath.Join("..")
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata") {
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
				t.Errorf("%s: imports %q: %s", fset.Position(imp.Pos()), p, why)
			}
			for _, pre := range forbiddenPrefixes {
				if strings.HasPrefix(p, pre) {
					t.Errorf("%s: imports %q: the core knows nothing of the wire", fset.Position(imp.Pos()), p)
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
						t.Errorf("%s: uses %s.%s: not reproducible across architectures; use shared/detmath", fset.Position(sel.Pos()), names[id.Name], fn)
					}
				}
			}
			for _, m := range forbiddenMethods {
				if sel.Sel.Name == m {
					t.Errorf("%s: calls .%s: it uses math.Exp/math.Log inside", fset.Position(sel.Pos()), m)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("checked only %d files: is the walk rooted at shared/?", files)
	}
	t.Logf("checked %d non-test files under shared/", files)
}
