package slurm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/sweep"
)

// Options are the sbatch settings of a submission.
type Options struct {
	// Exe is the absolute path of the edl binary the nodes run.
	Exe string
	// Out is the directory the merge job writes the outputs into.
	Out string
	// Partition, Time (sbatch's --time: "30", "1:00:00", "1-0"), Account,
	// QOS and Mem (per node: "4G") are passed on when set.
	Partition, Time, Account, QOS, Mem string
	// CPUs is --cpus-per-task for the shards (at least 1).
	CPUs int
	// MaxRunning limits the array's tasks running at once (--array=…%K);
	// 0 means no limit.
	MaxRunning int
	// Extra are further sbatch options, one per #SBATCH line.
	Extra []string
}

// Scripts' file names in the plan directory.
const (
	ArrayScript = "slurm-array.sh"
	MergeScript = "slurm-merge.sh"
)

// quote is s as one word of a shell command.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (o Options) common(b *strings.Builder) {
	for _, kv := range [][2]string{{"partition", o.Partition}, {"time", o.Time}, {"account", o.Account}, {"qos", o.QOS}, {"mem", o.Mem}} {
		if kv[1] != "" {
			fmt.Fprintf(b, "#SBATCH --%s=%s\n", kv[0], kv[1])
		}
	}
	for _, e := range o.Extra {
		fmt.Fprintf(b, "#SBATCH %s\n", e)
	}
}

// Validate checks the options; paths in #SBATCH lines cannot hold spaces.
func (o Options) Validate() error {
	var errs []error
	if !filepath.IsAbs(o.Exe) {
		errs = append(errs, fmt.Errorf("slurm: the edl binary %q is not an absolute path", o.Exe))
	}
	if !filepath.IsAbs(o.Out) {
		errs = append(errs, fmt.Errorf("slurm: the output directory %q is not an absolute path", o.Out))
	}
	if o.CPUs < 1 {
		errs = append(errs, fmt.Errorf("slurm: %d CPUs per task", o.CPUs))
	}
	if o.MaxRunning < 0 {
		errs = append(errs, fmt.Errorf("slurm: at most %d tasks at once", o.MaxRunning))
	}
	return errors.Join(errs...)
}

// Array is the batch script of the array job that runs the shards todo
// (sorted) of the plan in d: task I runs `edl shard DIR I`.
func Array(d *sweep.Dir, o Options, todo []int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n# edl %s: %d of the plan's %d shards (edl submit wrote this; sbatch runs it once per index).\n",
		d.Plan.Command, len(todo), d.Plan.Shards)
	fmt.Fprintf(&b, "#SBATCH --job-name=edl-%s\n", d.Plan.Command)
	array := sweep.Ranges(todo)
	if o.MaxRunning > 0 {
		array += "%" + strconv.Itoa(o.MaxRunning)
	}
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", array)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(d.LogDir(), "shard-%a.%A.log"))
	fmt.Fprintf(&b, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%d\n", o.CPUs)
	o.common(&b)
	fmt.Fprintf(&b, "set -eu\nexec %s shard %s \"$SLURM_ARRAY_TASK_ID\"\n", quote(o.Exe), quote(d.Path))
	return b.String()
}

// Merge is the batch script of the merge job.
func Merge(d *sweep.Dir, o Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n# edl %s: merge the plan's %d shards into %s (edl submit wrote this).\n", d.Plan.Command, d.Plan.Shards, o.Out)
	fmt.Fprintf(&b, "#SBATCH --job-name=edl-%s-merge\n", d.Plan.Command)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(d.LogDir(), "merge.%j.log"))
	b.WriteString("#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n")
	o.common(&b)
	fmt.Fprintf(&b, "set -eu\nexec %s merge %s --out %s\n", quote(o.Exe), quote(d.Path), quote(o.Out))
	return b.String()
}

// ShardLog is the log of array task i of job id.
func ShardLog(d *sweep.Dir, id string, i int) string {
	return filepath.Join(d.LogDir(), fmt.Sprintf("shard-%d.%s.log", i, id))
}

// MergeLog is the log of merge job id.
func MergeLog(d *sweep.Dir, id string) string {
	return filepath.Join(d.LogDir(), "merge."+id+".log")
}

// Submission is what Submit queued.
type Submission struct {
	ArrayID string // empty when no shard was missing
	MergeID string
	Todo    []int // the array's indices
	Out     string
	Scripts []string
}

// Submit writes the scripts into the plan directory and queues the array
// of the shards without a valid result, then the merge job, dependent on
// the array (afterok) when there is one.
func Submit(ctx context.Context, d *sweep.Dir, o Options) (*Submission, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := d.ForgetMerge(); err != nil {
		return nil, err
	}
	s := &Submission{Todo: d.Status().Todo(), Out: o.Out}
	if len(s.Todo) > 0 {
		path := filepath.Join(d.Path, ArrayScript)
		if err := sweep.WriteFile(path, []byte(Array(d, o, s.Todo))); err != nil {
			return nil, err
		}
		s.Scripts = append(s.Scripts, path)
		id, err := sbatch(ctx, path)
		if err != nil {
			return nil, err
		}
		s.ArrayID = id
	}
	path := filepath.Join(d.Path, MergeScript)
	if err := sweep.WriteFile(path, []byte(Merge(d, o))); err != nil {
		return nil, err
	}
	s.Scripts = append(s.Scripts, path)
	var args []string
	if s.ArrayID != "" {
		args = append(args, "--dependency=afterok:"+s.ArrayID)
	}
	id, err := sbatch(ctx, path, args...)
	if err != nil {
		if s.ArrayID != "" {
			_ = Cancel(ctx, s.ArrayID)
		}
		return nil, err
	}
	s.MergeID = id
	return s, nil
}

// sbatch queues a script and returns its job id.
func sbatch(ctx context.Context, script string, args ...string) (string, error) {
	out, err := command(ctx, "sbatch", append(append([]string{"--parsable"}, args...), script)...)
	if err != nil {
		return "", err
	}
	// --parsable prints "id" or "id;cluster".
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return "", fmt.Errorf("slurm: sbatch printed %q, not a job id", out)
	}
	return id, nil
}

// Cancel cancels jobs.
func Cancel(ctx context.Context, ids ...string) error {
	_, err := command(ctx, "scancel", ids...)
	return err
}

func command(ctx context.Context, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("slurm: %s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// queue is what squeue lists of a submission: the array's tasks by index
// and their state, and the merge job's state ("" when it has left).
type queue struct {
	tasks map[int]string
	merge string
}

func readQueue(ctx context.Context, s *Submission) (queue, error) {
	q := queue{tasks: map[int]string{}}
	ids := []string{s.MergeID}
	if s.ArrayID != "" {
		ids = append(ids, s.ArrayID)
	}
	// -r lists every array task on its own line, pending ones too.
	out, err := command(ctx, "squeue", "--noheader", "--array", "--jobs="+strings.Join(ids, ","), "--format=%i %T")
	if err != nil {
		// Jobs slurmctld has forgotten (MinJobAge) are no longer queued.
		if strings.Contains(err.Error(), "Invalid job id") {
			return q, nil
		}
		return q, err
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		id, state, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok {
			continue
		}
		if job, task, isTask := strings.Cut(id, "_"); isTask && job == s.ArrayID {
			i, err := strconv.Atoi(task)
			if err != nil {
				// A pending array squeue did not split ("123_[4-7]"):
				// count it as pending without indices.
				q.tasks[-1] = state
				continue
			}
			q.tasks[i] = state
		} else if id == s.MergeID {
			q.merge = state
		}
	}
	return q, sc.Err()
}

// Wait follows a submission every poll until the merge job has written
// its outputs, printing a line to progress whenever the counts change. A
// shard that left the queue without a valid result is reported with its
// log when it is noticed; once the array is over, Wait cancels the merge
// job (its dependency can never be met) and returns an error naming every
// failed shard and its log.
func Wait(ctx context.Context, d *sweep.Dir, s *Submission, poll time.Duration, progress io.Writer) error {
	failed := map[int]bool{}
	var order []int
	last := ""
	// A shard that just ended may show its result a moment later on a
	// network filesystem: it fails only when it is still missing one poll
	// after it left the queue.
	gone := map[int]bool{}
	for {
		q, err := readQueue(ctx, s)
		if err != nil {
			return err
		}
		st := d.Status()
		done := map[int]bool{}
		for _, i := range st.Done {
			done[i] = true
		}
		var running, pending, finished int
		for _, i := range s.Todo {
			state, queued := q.tasks[i]
			switch {
			case done[i]:
				finished++
			case queued && state == "PENDING":
				pending++
			case queued:
				running++
			case len(q.tasks) > 0 && q.tasks[-1] != "":
				pending++ // inside a pending range squeue did not split
			case failed[i]:
			case gone[i]:
				failed[i] = true
				order = append(order, i)
				fmt.Fprintf(progress, "edl submit: shard %d failed (no result); log %s\n", i, ShardLog(d, s.ArrayID, i))
			default:
				gone[i] = true
			}
		}
		line := fmt.Sprintf("edl submit: %d/%d shards done, %d running, %d pending, %d failed", finished, len(s.Todo), running, pending, len(failed))
		if q.merge != "" {
			line += "; merge " + strings.ToLower(q.merge)
		}
		if line != last {
			fmt.Fprintln(progress, line)
			last = line
		}
		arrayOver := running == 0 && pending == 0 && finished+len(failed) == len(s.Todo)
		if arrayOver && len(failed) > 0 {
			if q.merge != "" {
				_ = Cancel(ctx, s.MergeID)
			}
			var why []string
			for _, i := range order {
				why = append(why, fmt.Sprintf("shard %d (log %s)", i, ShardLog(d, s.ArrayID, i)))
			}
			return fmt.Errorf("slurm: %d of %d shards failed: %s; the merge job %s is cancelled; edl submit again runs only them",
				len(failed), len(s.Todo), strings.Join(why, ", "), s.MergeID)
		}
		if arrayOver && q.merge == "" {
			if d.Merged(s.Out) {
				return nil
			}
			return fmt.Errorf("slurm: the merge job %s ended without merging; log %s", s.MergeID, MergeLog(d, s.MergeID))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("slurm: waiting for job %s: %w (the jobs go on; edl submit --wait again follows nothing: use squeue)", s.ArrayID, ctx.Err())
		case <-time.After(poll):
		}
	}
}
