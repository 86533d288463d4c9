package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Format is the version of the plan directory's layout and files.
const Format = 1

// File and directory names inside a plan directory.
const (
	PlanFile   = "plan.json"
	MergeFile  = "merge.json"
	ShardsDir  = "shards"
	ResultsDir = "results"
	LogsDir    = "logs"
	CacheDir   = "cache"
)

// ErrOtherPlan is returned by Write when the directory already holds a
// different plan.
var ErrOtherPlan = errors.New("sweep: the directory holds another plan")

// Plan is DIR/plan.json.
type Plan struct {
	Format  int    `json:"format"`
	Command string `json:"command"` // the edl command: curve, elicit, ...
	// Args are the command's arguments as given, the --plan flag included;
	// each shard parses them again to rebuild the configuration, and the
	// merge turns --plan DIR into --out OUT (OutArgs) to reproduce the
	// one-machine command line that outputs record.
	Args []string `json:"args"`
	// Cwd is the working directory the plan was made in: shards and the
	// merge read relative paths in Args (a --data file, a --base) from it.
	Cwd    string `json:"cwd"`
	Shards int    `json:"shards"`
	// Config is the command's whole resolved configuration. A shard checks
	// that its own parse of Args gives the same bytes, so a changed dataset,
	// base checkpoint or edl version is refused instead of merged.
	Config json.RawMessage `json:"config"`
	// Dir is the plan directory (set by Create and Open, not stored):
	// shards of a command whose units share a deterministic input, such as
	// a pre-trained base, may keep it there once for all (see Kind).
	Dir string `json:"-"`
}

// Job is DIR/shards/NNNNNN.json: everything one shard needs besides the
// files its arguments name.
type Job struct {
	Format     int             `json:"format"`
	Command    string          `json:"command"`
	Args       []string        `json:"args"`
	PlanSHA256 string          `json:"plan_sha256"`
	Shard      int             `json:"shard"`
	Job        json.RawMessage `json:"job"`
}

// result is DIR/results/NNNNNN.json.
type result struct {
	PlanSHA256   string          `json:"plan_sha256"`
	Shard        int             `json:"shard"`
	ResultSHA256 string          `json:"result_sha256"`
	Result       json.RawMessage `json:"result"`
}

// Dir is an open plan directory.
type Dir struct {
	Path string
	Plan Plan
	// Hash is the hex SHA-256 of plan.json's bytes: it names the plan in
	// jobs and results.
	Hash string
}

func shardName(i int) string { return fmt.Sprintf("%06d.json", i) }

// JobPath is the path of shard i's job description.
func (d *Dir) JobPath(i int) string { return filepath.Join(d.Path, ShardsDir, shardName(i)) }

// ResultPath is the path of shard i's result.
func (d *Dir) ResultPath(i int) string { return filepath.Join(d.Path, ResultsDir, shardName(i)) }

// LogDir is where engines write the shards' logs.
func (d *Dir) LogDir() string { return filepath.Join(d.Path, LogsDir) }

func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return append(b, '\n'), nil
}

// WriteFile writes data to path atomically: a temporary file in the same
// directory, synced, then renamed over path. A reader (or a merge on another
// machine of a shared filesystem) sees the old file, or none, or all of the
// new one; a shard killed mid-write leaves only a temporary file behind.
func WriteFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// Create writes a plan with one job per element of jobs into dir. When dir
// already holds the same plan, its finished results are kept (so a re-run
// runs only what is missing); when it holds another plan, Create fails with
// ErrOtherPlan and changes nothing.
func Create(dir, command string, args []string, config any, jobs []any) (*Dir, error) {
	cfg, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("sweep: config: %w", err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	p := Plan{Format: Format, Command: command, Args: append([]string{}, args...), Cwd: cwd, Shards: len(jobs), Config: cfg}
	if p.Shards == 0 {
		return nil, errors.New("sweep: a plan needs at least one shard")
	}
	b, err := marshal(p)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	planPath := filepath.Join(abs, PlanFile)
	old, err := os.ReadFile(planPath)
	switch {
	case err == nil && !bytes.Equal(old, b):
		// Arguments carry the --plan path as given; the same configuration
		// planned from another working directory is still the same plan.
		var op Plan
		if json.Unmarshal(old, &op) == nil && op.Command == p.Command && bytes.Equal(op.Config, p.Config) && op.Shards == p.Shards {
			return Open(abs)
		}
		return nil, fmt.Errorf("%w (%s); remove it or plan into a new directory", ErrOtherPlan, planPath)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("sweep: %w", err)
	}
	for _, sub := range []string{ShardsDir, ResultsDir, LogsDir} {
		if err := os.MkdirAll(filepath.Join(abs, sub), 0o755); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
	}
	p.Dir = abs
	d := &Dir{Path: abs, Plan: p, Hash: hashHex(b)}
	for i, job := range jobs {
		raw, err := json.Marshal(job)
		if err != nil {
			return nil, fmt.Errorf("sweep: job %d: %w", i, err)
		}
		jb, err := marshal(Job{Format: Format, Command: command, Args: p.Args, PlanSHA256: d.Hash, Shard: i, Job: raw})
		if err != nil {
			return nil, err
		}
		if err := WriteFile(d.JobPath(i), jb); err != nil {
			return nil, err
		}
	}
	// plan.json last: a directory with a plan has all its jobs.
	if err := WriteFile(planPath, b); err != nil {
		return nil, err
	}
	return d, nil
}

// Open reads the plan in dir.
func Open(dir string) (*Dir, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(abs, PlanFile))
	if err != nil {
		return nil, fmt.Errorf("sweep: no plan: %w", err)
	}
	d := &Dir{Path: abs, Hash: hashHex(b)}
	if err := json.Unmarshal(b, &d.Plan); err != nil {
		return nil, fmt.Errorf("sweep: %s: %w", PlanFile, err)
	}
	d.Plan.Dir = abs
	if d.Plan.Format != Format {
		return nil, fmt.Errorf("sweep: %s has format %d, this edl reads %d", PlanFile, d.Plan.Format, Format)
	}
	if d.Plan.Shards < 1 {
		return nil, fmt.Errorf("sweep: %s: %d shards", PlanFile, d.Plan.Shards)
	}
	return d, nil
}

// Job reads shard i's job description and checks it belongs to this plan.
func (d *Dir) Job(i int) (*Job, error) {
	if i < 0 || i >= d.Plan.Shards {
		return nil, fmt.Errorf("sweep: shard %d outside [0, %d)", i, d.Plan.Shards)
	}
	b, err := os.ReadFile(d.JobPath(i))
	if err != nil {
		return nil, fmt.Errorf("sweep: shard %d: %w", i, err)
	}
	var j Job
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("sweep: shard %d: job: %w", i, err)
	}
	if j.PlanSHA256 != d.Hash || j.Shard != i || j.Command != d.Plan.Command {
		return nil, fmt.Errorf("sweep: shard %d: its job belongs to another plan or shard", i)
	}
	return &j, nil
}

// WriteResult stores shard i's result atomically.
func (d *Dir) WriteResult(i int, payload []byte) error {
	if i < 0 || i >= d.Plan.Shards {
		return fmt.Errorf("sweep: shard %d outside [0, %d)", i, d.Plan.Shards)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, payload); err != nil {
		return fmt.Errorf("sweep: shard %d: result: %w", i, err)
	}
	b, err := json.Marshal(result{PlanSHA256: d.Hash, Shard: i, ResultSHA256: hashHex(compact.Bytes()), Result: compact.Bytes()})
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return WriteFile(d.ResultPath(i), append(b, '\n'))
}

// Result reads shard i's result. A missing one is an error satisfying
// errors.Is(err, fs.ErrNotExist); anything else wrong with it is corrupt.
func (d *Dir) Result(i int) (json.RawMessage, error) {
	b, err := os.ReadFile(d.ResultPath(i))
	if err != nil {
		return nil, fmt.Errorf("sweep: shard %d: %w", i, err)
	}
	var r result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("sweep: shard %d: corrupt result: %w", i, err)
	}
	switch {
	case r.PlanSHA256 != d.Hash:
		return nil, fmt.Errorf("sweep: shard %d: corrupt result: it belongs to another plan", i)
	case r.Shard != i:
		return nil, fmt.Errorf("sweep: shard %d: corrupt result: it is shard %d's", i, r.Shard)
	case hashHex(r.Result) != r.ResultSHA256:
		return nil, fmt.Errorf("sweep: shard %d: corrupt result: checksum mismatch", i)
	}
	return r.Result, nil
}

// Status is which shards have a valid result.
type Status struct {
	Done    []int
	Missing []int
	Corrupt map[int]error
}

// Complete reports whether every shard has a valid result.
func (s Status) Complete() bool { return len(s.Missing) == 0 && len(s.Corrupt) == 0 }

// Todo lists the shards to run, missing and corrupt, in order.
func (s Status) Todo() []int {
	out := append([]int{}, s.Missing...)
	for i := range s.Corrupt {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// Err names the missing and corrupt shards by index, nil when complete.
func (s Status) Err() error {
	if s.Complete() {
		return nil
	}
	var parts []string
	if len(s.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("%d missing (%s)", len(s.Missing), Ranges(s.Missing)))
	}
	if len(s.Corrupt) > 0 {
		var idx []int
		for i := range s.Corrupt {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		var why []string
		for _, i := range idx {
			why = append(why, s.Corrupt[i].Error())
		}
		parts = append(parts, fmt.Sprintf("%d corrupt (%s: %s)", len(idx), Ranges(idx), strings.Join(why, "; ")))
	}
	return fmt.Errorf("sweep: shards %s", strings.Join(parts, ", "))
}

// Status checks every shard's result.
func (d *Dir) Status() Status {
	s := Status{Corrupt: map[int]error{}}
	for i := 0; i < d.Plan.Shards; i++ {
		_, err := d.Result(i)
		switch {
		case err == nil:
			s.Done = append(s.Done, i)
		case errors.Is(err, fs.ErrNotExist):
			s.Missing = append(s.Missing, i)
		default:
			s.Corrupt[i] = err
		}
	}
	return s
}

// Results reads every result in shard order, or fails naming the missing
// and corrupt shards.
func (d *Dir) Results() ([]json.RawMessage, error) {
	out := make([]json.RawMessage, d.Plan.Shards)
	s := Status{Corrupt: map[int]error{}}
	for i := range out {
		r, err := d.Result(i)
		switch {
		case err == nil:
			out[i] = r
		case errors.Is(err, fs.ErrNotExist):
			s.Missing = append(s.Missing, i)
		default:
			s.Corrupt[i] = err
		}
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Ranges writes sorted indices compactly, as Slurm's --array takes them:
// "0-3,5,7-9".
func Ranges(idx []int) string {
	var b strings.Builder
	for k := 0; k < len(idx); {
		j := k
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(idx[k]))
		if j > k {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(idx[j]))
		}
		k = j + 1
	}
	return b.String()
}

// Kind is what a command brings to sweeps.
type Kind struct {
	// Shard runs one job of plan p and returns its result (JSON). Jobs are
	// self-contained; where several share a deterministic input that is
	// costly to compute (a pre-trained base), Shard may keep it in
	// Cache(p) with WriteFile, so the first job to need it computes it
	// and the others read it. A job's result must not depend on which.
	Shard func(p *Plan, job json.RawMessage) (json.RawMessage, error)
	// Merge writes into out exactly what the one-machine command writes
	// with --out out, from every shard's result in index order, and
	// returns the files written. args are the plan's arguments with
	// --plan DIR turned into --out out.
	Merge func(p *Plan, args []string, results []json.RawMessage, out string, stdout io.Writer) ([]string, error)
}

// Cache is the directory of plan p's shared inputs (see Kind), created
// on demand.
func Cache(p *Plan) (string, error) {
	dir := filepath.Join(p.Dir, CacheDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("sweep: %w", err)
	}
	return dir, nil
}

// Registry maps command names to their Kind.
type Registry map[string]Kind

func (r Registry) kind(d *Dir) (Kind, error) {
	k, ok := r[d.Plan.Command]
	if !ok {
		return Kind{}, fmt.Errorf("sweep: this edl cannot run %q plans", d.Plan.Command)
	}
	return k, nil
}

// RunShard runs shard i of the plan in dir unless it already has a valid
// result, and stores the result atomically. It reports whether it ran.
func (r Registry) RunShard(dir string, i int) (ran bool, err error) {
	d, err := Open(dir)
	if err != nil {
		return false, err
	}
	if _, err := d.Result(i); err == nil {
		return false, nil
	}
	k, err := r.kind(d)
	if err != nil {
		return false, err
	}
	j, err := d.Job(i)
	if err != nil {
		return false, err
	}
	out, err := k.Shard(&d.Plan, j.Job)
	if err != nil {
		return false, fmt.Errorf("sweep: shard %d: %w", i, err)
	}
	return true, d.WriteResult(i, out)
}

// mergeRecord is DIR/merge.json.
type mergeRecord struct {
	PlanSHA256 string   `json:"plan_sha256"`
	Out        string   `json:"out"`
	Files      []string `json:"files"`
}

// Merge assembles the outputs of the plan in dir into the directory
// outDir and records the merge in DIR/merge.json (which engines wait for).
// out is the output directory as the user typed it: the merged command
// line (OutArgs) carries it, as the one-machine run's would.
func (r Registry) Merge(dir, out, outDir string, stdout io.Writer) ([]string, error) {
	d, err := Open(dir)
	if err != nil {
		return nil, err
	}
	k, err := r.kind(d)
	if err != nil {
		return nil, err
	}
	results, err := d.Results()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(outDir)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	files, err := k.Merge(&d.Plan, OutArgs(d.Plan.Args, out), results, abs, stdout)
	if err != nil {
		return nil, err
	}
	b, err := marshal(mergeRecord{PlanSHA256: d.Hash, Out: abs, Files: files})
	if err != nil {
		return nil, err
	}
	return files, WriteFile(filepath.Join(d.Path, MergeFile), b)
}

// Merged reports whether the plan in d was merged into out (DIR/merge.json
// names this plan and out).
func (d *Dir) Merged(out string) bool {
	b, err := os.ReadFile(filepath.Join(d.Path, MergeFile))
	if err != nil {
		return false
	}
	var m mergeRecord
	abs, err := filepath.Abs(out)
	return json.Unmarshal(b, &m) == nil && err == nil && m.PlanSHA256 == d.Hash && m.Out == abs
}

// ForgetMerge removes DIR/merge.json, before a new merge is submitted.
func (d *Dir) ForgetMerge() error {
	err := os.Remove(filepath.Join(d.Path, MergeFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// OutArgs turns a command's arguments with --plan DIR (or -plan, or
// --plan=DIR) into the same arguments with --out OUT in its place: the
// command line of the one-machine run that a merge reproduces.
func OutArgs(args []string, out string) []string {
	var res []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(res, args[i:]...)
		}
		switch {
		case a == "--plan" || a == "-plan":
			res = append(res, "--out", out)
			i++ // skip DIR
		case strings.HasPrefix(a, "--plan=") || strings.HasPrefix(a, "-plan="):
			res = append(res, "--out="+out)
		default:
			res = append(res, a)
		}
	}
	return res
}
