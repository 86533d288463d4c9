package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/cmd/internal/cliusage"
	"github.com/edlwire/edlwire/cmd/internal/specflag"
	"github.com/edlwire/edlwire/proto/predictor"
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
	beforeSpec := cliusage.MarkNow(fs)
	sf := registerSpec(fs)
	specFlags := beforeSpec.Since(fs)
	maxMemory := int64(alice.DefaultMaxMemory)
	cliusage.BytesVar(fs, &maxMemory, "max-memory", "refuse a spec whose estimated memory (alice's and bob's sessions together) exceeds this, before generating anything")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines sharing large layers (changes speed, never results)")
	modelOut := fs.String("model-out", "", "write the final canonical model parameters to this file")
	checkpointOut := fs.String("checkpoint-out", "", "write a checkpoint of θ* (model and optimizer state, tied to the spec) to this file: a --base for later runs")
	quiet := fs.Bool("quiet", false, "no readable summary on stderr")
	plugin := predictor.Launch{Stderr: stderr}
	plugin.RegisterFlags(fs)
	help := cliusage.Help{
		Name:     "edl run",
		Synopsis: "[spec flags] [output flags]",
		Summary:  "Codes one experiment in-process, Alice's sender and Bob's receiver joined in memory, and prints Alice's verified report.",
		Examples: []string{
			"edl run --n 10000 --classes 10 --dim 16 --seed 1",
			"edl run --data ../shared/data/digits.csv.gz --model mlp --hidden 64 --shuffle 1 --model-out digits.model",
		},
		Groups: []cliusage.Group{
			{Title: "The spec (what is coded)", Flags: append([]string{"data", "label-column", "standardize", "shuffle"}, specFlags...)},
			{Title: "Outputs", Flags: []string{"model-out", "checkpoint-out", "quiet"}},
			{Title: "Speed and resources (never change a bit of the result)", Flags: []string{"workers", "max-memory"}},
			{Title: "Predictor plugin (model external, with --predictor-spec)", Flags: predictor.Flags},
		},
		Footer: "Prints one JSON line on stdout and a readable summary on stderr.\nExit status: 0 on a verified run, 1 on failure, 2 on usage errors.",
	}
	if code, ok := cliusage.Parse(fs, args, help, stdout, stderr); !ok {
		return code
	}
	sp, _, base, err := sf.resolve()
	if err == nil {
		err = plugin.Validate(sp)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	// Refused here, before anything is generated, as a usage error.
	if err := alice.CheckLocalMemory(sp, maxMemory); err != nil {
		fmt.Fprintf(stderr, "edl run: %v\n", err)
		return 2
	}
	if plugin.Path != "" {
		// An interrupt kills both plugins; the run then fails on their error.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		predictor.KillOnDone(ctx)
	}
	prog := newProgress(stderr, "edl run")
	rep, sess, err := alice.Local(alice.Config{Spec: sp, Data: sf.table, Workers: *workers, Base: base, MaxMemory: maxMemory, Predictor: plugin,
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
		final, err := sess.EncodeModel()
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
