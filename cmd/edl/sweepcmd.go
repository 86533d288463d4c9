package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/slurm"
	"github.com/edlwire/edlwire/cmd/internal/sweep"
)

// kinds are the commands that plan sweeps (--plan DIR).
var kinds = sweep.Registry{"curve": curveKind, "elicit": elicitKind("elicit"), "intervene": elicitKind("intervene"), "capacity": capacityKind}

// planned writes a sweep plan and says what to do next.
func planned(stdout, stderr io.Writer, dir, command string, args []string, config any, jobs []any) int {
	d, err := sweep.Create(dir, command, args, config, jobs)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	st := d.Status()
	fmt.Fprintf(stdout, "planned %d shards of edl %s in %s (%d done, %d to run)\n", d.Plan.Shards, command, d.Path, len(st.Done), len(st.Todo()))
	fmt.Fprintf(stdout, "run them: edl submit %s --slurm [--wait] | edl submit %s --local --jobs J | edl shard %s I (I = 0…%d); then edl merge %s --out OUT\n",
		d.Path, d.Path, d.Path, d.Plan.Shards-1, d.Path)
	return 0
}

// replan parses a plan's arguments again with the command's own parser and
// checks that they give the configuration the plan recorded: a dataset,
// base checkpoint or edl that changed since planning is refused here
// rather than merged into figures that mix two experiments.
func replan[C any](p *sweep.Plan, parse func(args []string, stderr io.Writer) (C, any, bool)) (C, error) {
	var why bytes.Buffer
	cfg, record, ok := parse(p.Args, &why)
	if !ok {
		return cfg, fmt.Errorf("edl: the plan's arguments no longer parse: %s", strings.TrimSpace(why.String()))
	}
	b, err := json.Marshal(record)
	if err != nil {
		return cfg, fmt.Errorf("edl: %w", err)
	}
	// plan.json holds the configuration indented.
	var planned bytes.Buffer
	if err := json.Compact(&planned, p.Config); err != nil {
		return cfg, fmt.Errorf("edl: plan config: %w", err)
	}
	if !bytes.Equal(b, planned.Bytes()) {
		return cfg, fmt.Errorf("edl: the plan's arguments now give another configuration than planned (a changed dataset, base file or edl version?):\nplanned %s\nnow     %s", p.Config, b)
	}
	return cfg, nil
}

// enterPlan opens the plan in dir and moves into the directory it was
// planned in, where relative paths in its arguments point. edl shard and
// edl merge are processes of their own, so changing the working directory
// touches nothing else.
func enterPlan(dir string) (*sweep.Dir, error) {
	d, err := sweep.Open(dir)
	if err != nil {
		return nil, err
	}
	if d.Plan.Cwd != "" {
		if err := os.Chdir(d.Plan.Cwd); err != nil {
			return nil, fmt.Errorf("edl: the plan's working directory: %w", err)
		}
	}
	return d, nil
}

func cmdShard(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: edl shard DIR I   (run shard I of the plan in DIR; a finished shard is left alone)")
		return 2
	}
	i, err := strconv.Atoi(args[1])
	if err != nil {
		fmt.Fprintf(stderr, "edl shard: %q is not a shard index\n", args[1])
		return 2
	}
	d, err := enterPlan(args[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ran, err := kinds.RunShard(d.Path, i)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if ran {
		fmt.Fprintf(stdout, "shard %d done: %s\n", i, d.ResultPath(i))
	} else {
		fmt.Fprintf(stdout, "shard %d was already done: %s\n", i, d.ResultPath(i))
	}
	return 0
}

// splitDir takes the plan directory, the first argument, off args so that
// flags may follow it (the flag package stops at the first non-flag).
func splitDir(args []string) (string, []string) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", args
	}
	return args[0], args[1:]
}

func cmdMerge(args []string, stdout, stderr io.Writer) int {
	dir, rest := splitDir(args)
	fs := flag.NewFlagSet("edl merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory for the outputs: exactly what the planned command writes with --out OUT")
	if err := fs.Parse(rest); err != nil {
		return 2
	}
	if dir == "" || *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: edl merge DIR --out OUT")
		return 2
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	d, err := enterPlan(dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	// The outputs go where OUT named from here; the command line they
	// record keeps OUT as typed, as the one-machine run records it.
	if _, err := kinds.Merge(d.Path, *out, abs, stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

func cmdSubmit(args []string, stdout, stderr io.Writer) int {
	dir, rest := splitDir(args)
	fs := flag.NewFlagSet("edl submit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	useSlurm := fs.Bool("slurm", false, "submit to Slurm: an array job of the missing shards and a merge job after it (afterok)")
	local := fs.Bool("local", false, "run the missing shards here as local processes, then merge")
	jobs := fs.Int("jobs", 2, "--local: shards at once")
	out := fs.String("out", "", "merge into this directory (default DIR/out)")
	wait := fs.Bool("wait", false, "--slurm: follow the jobs with squeue until the merge is written; a failed shard is named with its log")
	poll := fs.Duration("poll", 5*time.Second, "--slurm --wait: how often to ask squeue")
	var o slurm.Options
	fs.StringVar(&o.Exe, "edl", "", "--slurm: the edl binary the nodes run, on the shared filesystem (default: this one)")
	fs.StringVar(&o.Partition, "partition", "", "--slurm: sbatch --partition")
	fs.StringVar(&o.Time, "time", "", "--slurm: sbatch --time per shard (such as 30, 2:00:00, 1-0)")
	fs.IntVar(&o.CPUs, "cpus", 1, "--slurm: sbatch --cpus-per-task per shard (a shard is one coded pass or one θ*ₙ run: 1 is right)")
	fs.StringVar(&o.Mem, "mem", "", "--slurm: sbatch --mem per shard (such as 2G)")
	fs.StringVar(&o.Account, "account", "", "--slurm: sbatch --account")
	fs.StringVar(&o.QOS, "qos", "", "--slurm: sbatch --qos")
	fs.IntVar(&o.MaxRunning, "max-running", 0, "--slurm: at most this many shards at once (--array=…%K; 0: no limit)")
	fs.Func("sbatch-arg", "--slurm: another sbatch option for both jobs, such as --constraint=avx2 (repeatable)", func(v string) error {
		o.Extra = append(o.Extra, v)
		return nil
	})
	if err := fs.Parse(rest); err != nil {
		return 2
	}
	if dir == "" || *useSlurm == *local || fs.NArg() > 0 || *jobs < 1 {
		fmt.Fprintln(stderr, "usage: edl submit DIR --slurm [--wait] [sbatch options] | edl submit DIR --local [--jobs J]   (exactly one of --slurm, --local)")
		return 2
	}
	d, err := sweep.Open(dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *out == "" {
		*out = filepath.Join(d.Path, "out")
	}
	if o.Out, err = filepath.Abs(*out); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if o.Exe == "" {
		if o.Exe, err = os.Executable(); err != nil {
			fmt.Fprintln(stderr, "edl submit:", err)
			return 1
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *local {
		err := sweep.RunLocal(ctx, d, o.Exe, *jobs, func(done, total, i int, err error) {
			if err != nil {
				fmt.Fprintln(stderr, err)
			}
			fmt.Fprintf(stderr, "edl submit: %d/%d shards run\n", done, total)
		})
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		if _, err := kinds.Merge(d.Path, *out, o.Out, stdout); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	s, err := slurm.Submit(ctx, d, o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if s.ArrayID != "" {
		fmt.Fprintf(stdout, "submitted shards %s as array job %s (%s); logs %s\n", sweep.Ranges(s.Todo), s.ArrayID, s.Scripts[0], filepath.Join(d.LogDir(), "shard-I."+s.ArrayID+".log"))
	} else {
		fmt.Fprintln(stdout, "every shard is done: no array job")
	}
	fmt.Fprintf(stdout, "submitted the merge into %s as job %s (%s); log %s\n", o.Out, s.MergeID, s.Scripts[len(s.Scripts)-1], slurm.MergeLog(d, s.MergeID))
	if !*wait {
		return 0
	}
	if err := slurm.Wait(ctx, d, s, *poll, stderr); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "merged into %s\n", o.Out)
	return 0
}
