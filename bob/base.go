package bob

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/edlwire/edlwire/shared/checkpoint"
	"github.com/edlwire/edlwire/shared/spec"
)

// baseFile reads Bob's copy of the base checkpoint a spec names, found by
// its file name (base_name) under --data-dir, and checks its SHA-256
// against base_sha256. It returns nil for a spec without a base. A missing
// or different file is refused naming the file and both hashes.
func (s *Server) baseFile(sp spec.Spec) ([]byte, error) {
	if sp.Base == "" {
		return nil, nil
	}
	if s.cfg.DataDir == "" {
		return nil, fmt.Errorf("base_name: %s (base_sha256 %s): bob has no --data-dir to find the base checkpoint in", sp.BaseName, sp.Base)
	}
	path := filepath.Join(s.cfg.DataDir, sp.BaseName)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("base_name: %s not found in bob's --data-dir (alice's base_sha256 %s): %w", sp.BaseName, sp.Base, err)
	}
	defer f.Close()
	// A checkpoint holds the model and at most a few optimizer vectors of
	// the spec's size: refuse to read far more than that.
	limit := int64(1<<20) + 32*min(sp.NumParams(), 1<<40)
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("base_name: %s: %w", sp.BaseName, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("base_name: %s is larger than a checkpoint of %d parameters can be (%d bytes)", sp.BaseName, sp.NumParams(), limit)
	}
	if got := checkpoint.Hash(data); got != sp.Base {
		return nil, fmt.Errorf("base_sha256: bob's copy of %s hashes to %s, alice's spec names %s", sp.BaseName, got, sp.Base)
	}
	return data, nil
}
