package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
)

// LocalLog is the log of shard i run by RunLocal.
func (d *Dir) LocalLog(i int) string {
	return filepath.Join(d.LogDir(), "shard-"+strconv.Itoa(i)+".local.log")
}

// RunLocal runs every shard of d without a valid result as a process
// `exe shard DIR I`, jobs at a time (at least 1), each logging its stdout
// and stderr to LocalLog(I). progress, if set, is called after every shard
// with the number finished, the number to run and the failure, if any. It
// returns an error naming every failed shard and its log.
func RunLocal(ctx context.Context, d *Dir, exe string, jobs int, progress func(done, total int, i int, err error)) error {
	todo := d.Status().Todo()
	jobs = max(1, min(jobs, len(todo)))
	type outcome struct {
		i   int
		err error
	}
	work := make(chan int)
	outs := make(chan outcome)
	var wg sync.WaitGroup
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				outs <- outcome{i, d.runLocal(ctx, exe, i)}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, i := range todo {
			select {
			case work <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(outs) }()
	var errs []error
	done := 0
	for o := range outs {
		done++
		if o.err != nil {
			errs = append(errs, o.err)
		}
		if progress != nil {
			progress(done, len(todo), o.i, o.err)
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, fmt.Errorf("sweep: %w", err))
	}
	return errors.Join(errs...)
}

func (d *Dir) runLocal(ctx context.Context, exe string, i int) error {
	log, err := os.Create(d.LocalLog(i))
	if err != nil {
		return fmt.Errorf("sweep: shard %d: %w", i, err)
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, exe, "shard", d.Path, strconv.Itoa(i))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("sweep: shard %d failed (%w); log %s", i, err, d.LocalLog(i))
	}
	// An exit status 0 without a valid result is a failure too.
	if _, err := d.Result(i); err != nil {
		return fmt.Errorf("%w; log %s", err, d.LocalLog(i))
	}
	return nil
}
