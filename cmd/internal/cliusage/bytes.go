package cliusage

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/edlwire/edlwire/shared/spec"
)

// Bytes is a flag.Value holding a byte count written as 16GiB, 512MiB,
// 4GB or a plain number of bytes: memory budgets read better so than as
// 17179869184.
type Bytes struct{ p *int64 }

// BytesVar defines a byte-count flag stored in p, with p's value as default.
func BytesVar(fs *flag.FlagSet, p *int64, name, usage string) {
	fs.Var(Bytes{p}, name, usage+" (bytes; suffixes KiB, MiB, GiB, TiB, KB, MB, GB, TB)")
}

var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}, {"b", 1},
}

// ParseBytes reads a byte count such as 16GiB, 1.5GB or 1048576.
func ParseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range byteUnits {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return 0, fmt.Errorf("want a byte count such as 16GiB, got %q", s)
	}
	v := f * float64(mult)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("byte count %q is too large", s)
	}
	return int64(v), nil
}

func (b Bytes) String() string {
	if b.p == nil {
		return ""
	}
	return strings.ReplaceAll(spec.FormatBytes(*b.p), " ", "")
}

func (b Bytes) Set(s string) error {
	v, err := ParseBytes(s)
	if err != nil {
		return err
	}
	*b.p = v
	return nil
}
