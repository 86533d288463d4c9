package main

// The experiments (edl elicit, intervene, capacity) are split into units
// the way curve.Config is: the one-machine command lists its units, runs
// them (runEach) and assembles their results; a sweep (--plan) runs the
// same units as shards and the merge assembles them with the same code.
//
// Units share one kind of input: the pre-trained bases the arms start
// from. They are recomputed, not handed from stage to stage: a base is one
// deterministic pass (curve.Pretrain), the same bytes wherever it runs, so
// a unit that needs one is self-contained and the plan stays one array of
// independent shards (no second stage to schedule after the first, no
// merge of partial results). So that a sweep does not pre-train the same
// base once per shard, the first shard to need it keeps it in the plan's
// cache (planBase); the others, and the merge, read it from there.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/edlwire/edlwire/cmd/internal/sweep"
	"github.com/edlwire/edlwire/shared/experiment"
)

// jobsOf is a plan's jobs: the units of a measurement.
func jobsOf[U any](units []U) []any {
	jobs := make([]any, len(units))
	for i, u := range units {
		jobs[i] = u
	}
	return jobs
}

// planBase returns a pretrainer for a plan's shards and merge: a base is
// read from the plan's cache, or pre-trained and stored there atomically.
// The file is named for the SHA-256 of the base's canonical spec, which
// fixes its bytes; two shards that pre-train it at once write the same
// bytes, and a reader sees a whole file or none.
func planBase(p *sweep.Plan, o experiment.Options) experiment.Pretrainer {
	return func(b *experiment.Base) ([]byte, error) {
		dir, err := sweep.Cache(p)
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256(o.BaseSpec(b).Canonical())
		path := filepath.Join(dir, "base-"+hex.EncodeToString(h[:])+".ckpt")
		f, err := os.ReadFile(path)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("edl: %w", err)
		}
		if f, err = o.Pretrain(b); err != nil {
			return nil, err
		}
		return f, sweep.WriteFile(path, f)
	}
}

// filesUnder lists the files under dir, in lexical order: what a merge
// wrote.
func filesUnder(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, path)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	return out, nil
}

// unitKind is the sweep.Kind of a command measured as units of type U
// with results of type R: open rebuilds the measurement M from a plan, run
// runs one unit, and assemble writes the outputs into out, returning what
// to print (the one-machine command's table) and the files written (nil:
// every file under out, in lexical order).
func unitKind[M, U, R any](command string, open func(*sweep.Plan) (M, error), run func(M, U) (R, error), assemble func(m M, results []R, out, commandLine string) (string, []string, error)) sweep.Kind {
	return sweep.Kind{
		Shard: func(p *sweep.Plan, job json.RawMessage) (json.RawMessage, error) {
			m, err := open(p)
			if err != nil {
				return nil, err
			}
			var u U
			if err := json.Unmarshal(job, &u); err != nil {
				return nil, fmt.Errorf("edl: %s shard: %w", command, err)
			}
			r, err := run(m, u)
			if err != nil {
				return nil, err
			}
			return json.Marshal(r)
		},
		Merge: func(p *sweep.Plan, args []string, results []json.RawMessage, out string, stdout io.Writer) ([]string, error) {
			m, err := open(p)
			if err != nil {
				return nil, err
			}
			rs := make([]R, len(results))
			for i, r := range results {
				if err := json.Unmarshal(r, &rs[i]); err != nil {
					return nil, fmt.Errorf("edl: %s shard %d: %w", command, i, err)
				}
			}
			table, files, err := assemble(m, rs, out, "edl "+command+" "+strings.Join(args, " "))
			if err != nil {
				return nil, err
			}
			fmt.Fprint(stdout, table)
			if files != nil {
				return files, nil
			}
			return filesUnder(out)
		},
	}
}
