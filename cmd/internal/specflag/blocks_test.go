package specflag

import (
	"slices"
	"testing"
)

// --blocks brings the blockwise code's defaults (10 epochs, patience 3,
// every 10th example validating), in any flag order, never over a value
// given; without --blocks none of them is set (Validate would refuse them).
func TestBlocksBringTheirDefaults(t *testing.T) {
	for _, tc := range []struct {
		args                      []string
		epochs, patience, validEv int64
	}{
		{[]string{"--n", "512", "--batch", "16", "--blocks", "64,128,256"}, 10, 3, 10},
		{[]string{"--block-epochs", "4", "--blocks", "64,128,256", "--n", "512", "--batch", "16"}, 4, 3, 10},
		{[]string{"--blocks", "64,128,256", "--block-patience", "2", "--block-valid", "5", "--n", "512", "--batch", "16"}, 10, 2, 5},
	} {
		s := parse(t, tc.args...)
		if !slices.Equal(s.Blocks, []int64{64, 128, 256}) || s.BlockEpochs != tc.epochs || s.BlockPatience != tc.patience || s.BlockValid != tc.validEv {
			t.Errorf("%q: blocks %v, epochs %d, patience %d, valid %d; want epochs %d, patience %d, valid %d",
				tc.args, s.Blocks, s.BlockEpochs, s.BlockPatience, s.BlockValid, tc.epochs, tc.patience, tc.validEv)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", tc.args, err)
		}
	}
	if s := parse(t, "--n", "512"); s.BlockEpochs != 0 || s.BlockPatience != 0 || s.BlockValid != 0 || s.Validate() != nil {
		t.Errorf("no --blocks: epochs %d, patience %d, valid %d: %v", s.BlockEpochs, s.BlockPatience, s.BlockValid, s.Validate())
	}
}
