package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/cmd/internal/specflag"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// specFlags are alice's spec flags plus her dataset flags.
type specFlags struct {
	fs    *flag.FlagSet
	spec  *spec.Spec
	data  *string
	table *task.Table // the loaded dataset, after resolve
}

func registerSpec(fs *flag.FlagSet) *specFlags {
	sf := &specFlags{fs: fs, spec: specflag.Register(fs)}
	sp := sf.spec
	sf.data = fs.String("data", "", "CSV dataset (numeric features and an integer label; header optional; .gz allowed): the file task")
	fs.StringVar(&sp.LabelColumn, "label-column", "", "file task: label column, 0-based index or header name (default: the last)")
	fs.BoolVar(&sp.Standardize, "standardize", false, "file task: scale each feature to mean 0, variance 1 over the file")
	fs.Func("shuffle", "file and mnist tasks: code the rows in an order seeded by this number (default: file order)", func(v string) error {
		seed, err := strconv.ParseUint(v, 10, 64)
		sp.Shuffle, sp.ShuffleSeed = true, seed
		return err
	})
	return sf
}

// baseFile reads the base checkpoint given with --base (nil without one).
func (sf *specFlags) baseFile() ([]byte, error) {
	p := specflag.BasePath(sf.fs)
	if p == "" {
		return nil, nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("edl: base checkpoint: %w", err)
	}
	return b, nil
}

// resolve loads the dataset, if any, and the base checkpoint given with
// --base (nil without one), and returns the spec, a builder of its inputs
// and labels, and the base.
func (sf *specFlags) resolve() (spec.Spec, func(spec.Spec) (*task.Inputs, *task.Labels, error), []byte, error) {
	var table *task.Table
	if *sf.data != "" {
		t, err := alice.LoadData(*sf.data, sf.spec.LabelColumn)
		if err != nil {
			return spec.Spec{}, nil, nil, err
		}
		set := map[string]bool{}
		sf.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		task.UseData(sf.spec, t, func(name string) bool { return set[name] })
		table = t
		sf.table = t
	}
	if err := sf.spec.Validate(); err != nil {
		return spec.Spec{}, nil, nil, err
	}
	base, err := sf.baseFile()
	if err != nil {
		return spec.Spec{}, nil, nil, err
	}
	build := func(s spec.Spec) (*task.Inputs, *task.Labels, error) { return task.Build(s, table, nil) }
	return *sf.spec, build, base, nil
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edl run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := registerSpec(fs)
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines sharing large layers (changes speed, never results)")
	modelOut := fs.String("model-out", "", "write the final canonical model parameters to this file")
	checkpointOut := fs.String("checkpoint-out", "", "write a checkpoint of θ* (model and optimizer state, tied to the spec) to this file: a --base for later runs")
	quiet := fs.Bool("quiet", false, "no readable summary on stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "edl run: unexpected arguments %q\n", fs.Args())
		return 2
	}
	sp, _, base, err := sf.resolve()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	prog := newProgress(stderr, "edl run")
	rep, sess, err := alice.Local(alice.Config{Spec: sp, Data: sf.table, Workers: *workers, Base: base,
		Progress: func(done, total int64) { prog.Update(int(done), int(total)) }})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *checkpointOut != "" {
		b, err := sess.Save()
		if err == nil {
			err = os.WriteFile(*checkpointOut, b, 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "edl:", err)
			return 1
		}
	}
	if *modelOut != "" {
		final, err := model.Encode(sess.Model())
		if err == nil {
			err = os.WriteFile(*modelOut, final, 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "edl:", err)
			return 1
		}
	}
	if !*quiet {
		fmt.Fprint(stderr, rep.Summary())
	}
	if err := json.NewEncoder(stdout).Encode(rep); err != nil {
		fmt.Fprintln(stderr, "edl:", err)
		return 1
	}
	return 0
}
