package prequential

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/checkpoint"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/train"
)

// NewFromBase builds a session whose model starts from a pre-trained base
// checkpoint: baseFile is the bytes of the file the spec names (base_name,
// base_sha256). It is refused when its SHA-256 differs from the spec's
// (the error names the file and both hashes), when it is damaged, or when
// its model's architecture differs from the spec's (the error names the
// fields). The base's parameters replace the spec's initialization; an
// adapter (lora, sparse) is then built on top of them, and the optimizer
// starts fresh (the base's optimizer state belongs to its own run). For a
// spec that names no base, baseFile must be nil and NewFromBase is
// NewWithOptions.
func NewFromBase(s spec.Spec, in *task.Inputs, baseFile []byte, opts Options) (*Session, error) {
	if s.Base == "" {
		if baseFile != nil {
			return nil, fmt.Errorf("prequential: a base file was given but the spec names no base_sha256")
		}
		return NewWithOptions(s, in, opts)
	}
	c, err := checkpoint.OpenBase(s, baseFile)
	if err != nil {
		return nil, fmt.Errorf("prequential: %w", err)
	}
	opts.Base = c.Model
	return NewWithOptions(s, in, opts)
}

// Optimizer returns the session's optimizer (nil for counting models).
// Callers must not step it.
func (s *Session) Optimizer() train.Optimizer { return s.opt }

// Save returns a checkpoint file of the learner as it stands: the spec,
// the examples coded so far, the canonical model and the optimizer state.
// It is refused in the middle of a minibatch, whose update is pending. For
// an external learner it is the learner's own state (the plugin's Save,
// which its Load restores exactly), not an edlwire checkpoint file.
func (s *Session) Save() ([]byte, error) {
	if s.batchFill != 0 {
		return nil, fmt.Errorf("prequential: save: a minibatch is half coded (example %d)", s.step)
	}
	if s.ext != nil {
		sv, ok := s.ext.(externalSaver)
		if !ok {
			return nil, fmt.Errorf("prequential: save: the external learner cannot save its state")
		}
		b, err := sv.Save()
		if err != nil {
			return nil, fmt.Errorf("prequential: save: %w", err)
		}
		return b, nil
	}
	c, err := checkpoint.New(s.spec, s.step, s.model, s.opt)
	if err != nil {
		return nil, fmt.Errorf("prequential: save: %w", err)
	}
	return c.Encode(), nil
}

// externalSaver is an external learner that can hand out its state
// (proto/predictor's Client: the plugin's Save).
type externalSaver interface {
	Save() ([]byte, error)
}

// EncodeModel is the final model's bytes for --model-out: the canonical
// parameters (model.Encode), or for an external learner its own state (Save).
func (s *Session) EncodeModel() ([]byte, error) {
	if s.ext != nil {
		return s.Save()
	}
	return model.Encode(s.model)
}
