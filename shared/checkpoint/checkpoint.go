package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/train"
)

// Version heads every checkpoint file.
const Version = "edlwire-checkpoint-v1"

const magic = Version + "\n"

// Errors callers test with errors.Is.
var (
	ErrCorrupt      = errors.New("checkpoint: corrupt file")
	ErrHashMismatch = errors.New("checkpoint: base file does not match the spec's hash")
)

// Checkpoint is a saved learner.
type Checkpoint struct {
	Spec     []byte    // the producing spec's canonical encoding
	Examples int64     // examples learned when it was taken
	Model    []byte    // the canonical model encoding (model.Encode)
	OptState []float64 // the optimizer's canonical state (empty for SGD)
}

// New captures a learner: its spec, the examples it has learned, its model
// and its optimizer (nil for counting models).
func New(s spec.Spec, examples int64, m model.Model, opt train.Optimizer) (*Checkpoint, error) {
	enc, err := model.Encode(m)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	c := &Checkpoint{Spec: s.Canonical(), Examples: examples, Model: enc, OptState: []float64{}}
	if opt != nil {
		c.OptState = opt.State()
	}
	return c, nil
}

// Encode returns the file's bytes.
func (c *Checkpoint) Encode() []byte {
	out := make([]byte, 0, len(magic)+4+len(c.Spec)+16+len(c.Model)+8+8*len(c.OptState)+32)
	out = append(out, magic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(c.Spec)))
	out = append(out, c.Spec...)
	out = binary.LittleEndian.AppendUint64(out, uint64(c.Examples))
	out = binary.LittleEndian.AppendUint64(out, uint64(len(c.Model)))
	out = append(out, c.Model...)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(c.OptState)))
	for _, v := range c.OptState {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	sum := sha256.Sum256(out)
	return append(out, sum[:]...)
}

// Hash is the hex SHA-256 of a file's bytes: what a spec's base_sha256 holds.
func Hash(file []byte) string {
	h := sha256.Sum256(file)
	return hex.EncodeToString(h[:])
}

// Decode parses a checkpoint file.
func Decode(b []byte) (*Checkpoint, error) {
	bad := func(format string, args ...any) (*Checkpoint, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
	}
	if !bytes.HasPrefix(b, []byte(magic)) {
		if i := bytes.IndexByte(b, '\n'); i > 0 && i < 64 && bytes.HasPrefix(b, []byte("edlwire-checkpoint-")) {
			return bad("version %q, this build reads %s", b[:i], Version)
		}
		return bad("not an edlwire checkpoint (no %q header)", Version)
	}
	if len(b) < len(magic)+32 {
		return bad("%d bytes", len(b))
	}
	body, sum := b[:len(b)-32], b[len(b)-32:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return bad("checksum mismatch")
	}
	rest := body[len(magic):]
	var c Checkpoint
	if len(rest) < 4 {
		return bad("truncated spec")
	}
	n := binary.LittleEndian.Uint32(rest)
	rest = rest[4:]
	if uint64(n) > uint64(len(rest)) {
		return bad("spec of %d bytes in %d", n, len(rest))
	}
	c.Spec, rest = append([]byte(nil), rest[:n]...), rest[n:]
	if len(rest) < 16 {
		return bad("truncated header")
	}
	c.Examples = int64(binary.LittleEndian.Uint64(rest))
	nm := binary.LittleEndian.Uint64(rest[8:])
	rest = rest[16:]
	if nm > uint64(len(rest)) {
		return bad("model of %d bytes in %d", nm, len(rest))
	}
	c.Model, rest = append([]byte(nil), rest[:nm]...), rest[nm:]
	if len(rest) < 8 {
		return bad("truncated optimizer state")
	}
	ns := binary.LittleEndian.Uint64(rest)
	rest = rest[8:]
	if ns != uint64(len(rest))/8 || len(rest)%8 != 0 {
		return bad("optimizer state of %d entries in %d bytes", ns, len(rest))
	}
	c.OptState = make([]float64, ns)
	for i := range c.OptState {
		c.OptState[i] = math.Float64frombits(binary.LittleEndian.Uint64(rest[8*i:]))
	}
	if c.Examples < 0 {
		return bad("negative example count %d", c.Examples)
	}
	if _, _, _, err := model.Decode(c.Model); err != nil {
		return bad("%v", err)
	}
	return &c, nil
}

// SpecHash is the SHA-256 of the producing spec's canonical encoding (what
// spec.Hash gives for that spec).
func (c *Checkpoint) SpecHash() [32]byte { return sha256.Sum256(c.Spec) }

// fields parses the recorded canonical spec into name → value.
func (c *Checkpoint) fields() map[string]string {
	out := map[string]string{}
	lines := strings.Split(string(c.Spec), "\n")
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, "="); ok {
			out[k] = v
		}
	}
	return out
}

// specFields is s's canonical encoding as name → value.
func specFields(s spec.Spec) map[string]string {
	out := map[string]string{}
	lines := strings.Split(string(s.Canonical()), "\n")
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, "="); ok {
			out[k] = v
		}
	}
	return out
}

// Architecture lists the spec fields that fix a base model's parameter
// layout: a base checkpoint must agree with the spec on every one.
var Architecture = []string{"model", "classes", "dim", "hidden", "activation", "vocab", "embed"}

// CheckArchitecture reports, naming every field, where the producing spec's
// architecture differs from s's; a checkpoint trained with an adapter is
// not a base (its model is not the plain architecture).
func (c *Checkpoint) CheckArchitecture(s spec.Spec) error {
	have, want := c.fields(), specFields(s)
	var diffs []string
	for _, f := range Architecture {
		if have[f] != want[f] {
			diffs = append(diffs, fmt.Sprintf("%s: base %q, spec %q", f, have[f], want[f]))
		}
	}
	if a := have["adapter"]; a != "" {
		diffs = append(diffs, fmt.Sprintf("adapter: the base was trained with the %s adapter; a base must be a plain model", a))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("checkpoint: the base's architecture differs from the spec's: %s", strings.Join(diffs, "; "))
	}
	return nil
}

// OpenBase checks a base checkpoint file against the spec that names it
// (its SHA-256 against base_sha256, then its format, then its
// architecture) and returns it decoded.
func OpenBase(s spec.Spec, file []byte) (*Checkpoint, error) {
	if s.Base == "" {
		return nil, fmt.Errorf("checkpoint: the spec names no base checkpoint")
	}
	if got := Hash(file); got != s.Base {
		return nil, fmt.Errorf("%w: base_name %s: the file's sha256 is %s, the spec's base_sha256 is %s", ErrHashMismatch, s.BaseName, got, s.Base)
	}
	c, err := Decode(file)
	if err != nil {
		return nil, fmt.Errorf("base_name %s: %w", s.BaseName, err)
	}
	if err := c.CheckArchitecture(s); err != nil {
		return nil, fmt.Errorf("base_name %s: %w", s.BaseName, err)
	}
	return c, nil
}

// Restore loads the checkpoint into a model and optimizer built from the
// very spec that produced it (its canonical encoding must be equal: the
// same model, optimizer and hyperparameters), bit for bit. opt may be nil
// for a counting model's checkpoint (which has no state).
func (c *Checkpoint) Restore(s spec.Spec, m model.Model, opt train.Optimizer) error {
	if !bytes.Equal(c.Spec, s.Canonical()) {
		h, want := c.SpecHash(), s.Hash()
		return fmt.Errorf("checkpoint: produced by spec %x, not this spec %x", h[:8], want[:8])
	}
	if err := model.Load(m, c.Model); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if opt != nil {
		if err := opt.SetState(c.OptState); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
	} else if len(c.OptState) > 0 {
		return fmt.Errorf("checkpoint: %d optimizer state entries and no optimizer", len(c.OptState))
	}
	return nil
}
