package main

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/edlwire/edlwire/shared/prequential"
)

// peerResult is one line of the peer section: what scripts/bench_peer.py
// needs to build the same shape in PyTorch, and edlwire's rate on it.
type peerResult struct {
	Shape          string  `json:"shape"`
	Dim            int64   `json:"dim"`
	Hidden         []int64 `json:"hidden"`
	Classes        int64   `json:"classes"`
	Batch          int64   `json:"batch"`
	N              int64   `json:"n"`
	LR             float64 `json:"lr"`
	InitScale      float64 `json:"init_scale"`
	Workers        int     `json:"workers"`
	ExamplesPerSec float64 `json:"examples_per_s"`
}

// peer times every pass shape whose name contains only (all for "") on
// each worker count and prints one JSON line each. It is one round of make bench-peer's interleaved comparison; the
// human-readable table is the driver's.
func peer(t timer, only string, workers []int) error {
	enc := json.NewEncoder(os.Stdout)
	for _, sh := range prequential.PassShapes {
		name := sh.Name()
		if only != "" && !strings.Contains(name, only) {
			continue
		}
		sp, in, lab, err := sh.Data()
		if err != nil {
			return err
		}
		for _, w := range workers {
			rate, err := passRate(t, sp, in, lab, w)
			if err != nil {
				return err
			}
			if err := enc.Encode(peerResult{name, sp.Dim, sp.Hidden, sp.Classes, sp.Batch, sp.N, sp.LR, sp.InitScale, w, rate}); err != nil {
				return err
			}
		}
	}
	return nil
}
