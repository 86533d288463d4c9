package predictor

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
)

// Launch is how a command starts the predictor of a spec whose model is
// external: alice and bob start one plugin per transmission, edl run one
// for each side. The zero Launch starts nothing, and refuses an external
// spec.
type Launch struct {
	Path    string        // the plugin executable (--predictor)
	Seed    uint64        // the plugin's seed when SeedSet (--predictor-seed)
	SeedSet bool          // false: the spec's seed
	Timeout time.Duration // every call's deadline (--predictor-timeout; 0: DefaultCallTimeout)
	Stderr  io.Writer     // the plugin's stderr (discarded if nil)
}

// RegisterFlags adds --predictor, --predictor-seed and --predictor-timeout
// to fs, filling l.
func (l *Launch) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&l.Path, "predictor", "", "model external: the predictor plugin executable `PATH` (README, Measure your own model)")
	fs.Func("predictor-seed", "model external: seed the plugin with this number instead of the spec's seed (both sides must agree)", func(v string) error {
		seed, err := strconv.ParseUint(v, 10, 64)
		l.Seed, l.SeedSet = seed, true
		return err
	})
	fs.DurationVar(&l.Timeout, "predictor-timeout", DefaultCallTimeout, "model external: the deadline of every call to the plugin")
}

// Flags are the flag names RegisterFlags adds, for a help group.
var Flags = []string{"predictor", "predictor-seed", "predictor-timeout"}

// Validate checks l against the spec of a command that runs that spec
// alone (alice, edl run): a plugin exactly for model external. (Bob, who
// serves any spec, needs a plugin only for an external one: Start checks
// that.)
func (l Launch) Validate(sp spec.Spec) error {
	switch {
	case sp.Model == spec.ModelExternal && l.Path == "":
		return fmt.Errorf("predictor: model %s needs a plugin (--predictor PATH)", spec.ModelExternal)
	case sp.Model != spec.ModelExternal && l.Path != "":
		return fmt.Errorf("predictor: a plugin (--predictor %s) is for model %s, not %s", l.Path, spec.ModelExternal, sp.Model)
	case l.Timeout < 0:
		return fmt.Errorf("predictor: negative timeout %v", l.Timeout)
	}
	return nil
}

// Start starts the plugin for sp when its model is external and sets it as
// opts.External; stop kills it (a no-op when nothing was started) and is
// never nil. Nothing is started for another model.
func (l Launch) Start(ctx context.Context, sp spec.Spec, opts *prequential.Options) (stop func(), err error) {
	if sp.Model != spec.ModelExternal {
		return func() {}, nil
	}
	if l.Path == "" {
		return func() {}, fmt.Errorf("predictor: model %s needs a plugin (--predictor PATH)", spec.ModelExternal)
	}
	seed := sp.Seed
	if l.SeedSet {
		seed = l.Seed
	}
	c, err := Start(ctx, Config{
		Path: l.Path, Spec: []byte(sp.Predictor), Seed: seed,
		InputDim: int(sp.Dim), Classes: int(sp.Classes),
		CallTimeout: l.Timeout, Stderr: l.Stderr,
	})
	if err != nil {
		return func() {}, err
	}
	opts.External = c
	return c.Close, nil
}

// KillOnDone kills every plugin still running (plugin.CleanupClients) as
// soon as ctx is done: a command passes its signal context, so that an
// interrupt never leaves a plugin behind, even one in the middle of a call.
func KillOnDone(ctx context.Context) {
	context.AfterFunc(ctx, plugin.CleanupClients)
}
