package prequential

import (
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// taskData builds a built-in task's inputs and labels (task.Build).
func taskData(t testing.TB, sp spec.Spec) (*task.Inputs, *task.Labels) {
	t.Helper()
	in, lab, err := task.Build(sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return in, lab
}

// transmit runs Alice's and Bob's loops in one process: Alice codes every
// label, Bob receives the bytes in chunks of the sizes chunk returns.
type outcome struct {
	aliceCP, bobCP []Checkpoint
	labels         []int
	bytes          []byte
	alice, bob     *Session
}

func transmit(t testing.TB, sp spec.Spec, chunk func() int) outcome {
	t.Helper()
	in, lab := taskData(t, sp)
	a, err := New(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := coder.NewEncoder(uint(sp.Precision))
	if err != nil {
		t.Fatal(err)
	}
	var o outcome
	le := &LabelEncoder{Enc: enc, Labels: lab.Train}
	for !a.Done() {
		r, err := a.Step(le)
		if err != nil {
			t.Fatal(err)
		}
		if r.Checkpoint != nil {
			o.aliceCP = append(o.aliceCP, *r.Checkpoint)
		}
		o.bytes = append(o.bytes, enc.Take()...)
	}
	o.bytes = append(o.bytes, enc.Finish()...)

	b, err := New(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := coder.NewDecoder(uint(sp.Precision))
	if err != nil {
		t.Fatal(err)
	}
	ld := &LabelDecoder{Dec: dec}
	advance := func() {
		for !b.Done() && dec.Ready() {
			r, err := b.Step(ld)
			if err != nil {
				t.Fatal(err)
			}
			if r.Checkpoint != nil {
				o.bobCP = append(o.bobCP, *r.Checkpoint)
			}
		}
	}
	rest := o.bytes
	for len(rest) > 0 {
		n := min(chunk(), len(rest))
		if _, err := dec.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
		advance()
	}
	dec.CloseWrite()
	advance()
	if !b.Done() {
		t.Fatalf("bob decoded %d of %d examples", b.Index(), sp.N)
	}
	if err := dec.Finish(); err != nil {
		t.Fatal(err)
	}
	for i, y := range ld.Labels {
		if y != lab.Train[i] {
			t.Fatalf("label %d: decoded %d, coded %d", i, y, lab.Train[i])
		}
	}
	o.labels, o.alice, o.bob = ld.Labels, a, b
	return o
}

func smallSpec() spec.Spec {
	sp := spec.Default()
	sp.Seed, sp.N, sp.Test, sp.Classes, sp.Dim = 7, 3000, 1000, 5, 8
	sp.Init, sp.InitScale, sp.LR, sp.Batch, sp.CheckpointEvery = spec.InitNormal, 0.1, 0.3, 4, 500
	return sp
}

// Golden fingerprints: the final canonical parameters and the coded bytes of
// fixed specs. They must hold on every architecture (amd64 v1/v3, arm64 under
// qemu) and GOMAXPROCS; a change breaks sync with deployed peers.
func TestGoldenFingerprints(t *testing.T) {
	zeros := spec.Default()
	zeros.N, zeros.Test = 2000, 0
	noisy := smallSpec()
	noisy.Noise, noisy.Batch, noisy.Classes = 0.2, 1, 3
	random := smallSpec()
	random.RandomLabels = true
	mlpRelu := smallSpec()
	mlpRelu.Model, mlpRelu.Hidden, mlpRelu.LR, mlpRelu.N = spec.ModelMLP, []int64{16}, 0.1, 1500
	mlpGELU := mlpRelu
	mlpGELU.Hidden, mlpGELU.Activation, mlpGELU.Batch = []int64{10, 6}, spec.ActGELU, 5
	mlpTanh := mlpRelu
	mlpTanh.Hidden, mlpTanh.Activation, mlpTanh.Batch = []int64{12, 6}, spec.ActTanh, 3
	kt := smallSpec()
	kt.Model, kt.Batch, kt.Noise = spec.ModelKT, 1, 0.5
	hyp := hypothesisSpec(32, 16, 0.05)
	hyp.Batch = 3
	coupon := spec.Default()
	coupon.Task, coupon.Model, coupon.Dim, coupon.Classes, coupon.Keys, coupon.Alpha = spec.TaskCoupon, spec.ModelTable, 1, 6, 50, 0.5
	coupon.N, coupon.Test, coupon.Batch, coupon.Noise = 1200, 0, 2, 0.1
	parity := smallSpec()
	parity.Task, parity.Classes, parity.Dim, parity.ParityBits = spec.TaskParity, 2, 8, 2
	parity.Model, parity.Hidden, parity.Activation, parity.N, parity.Batch = spec.ModelMLP, []int64{16}, spec.ActTanh, 1500, 8
	parity.Optimizer, parity.LR, parity.Beta1, parity.Beta2, parity.AdamEps, parity.WeightDecay = spec.OptimizerAdamW, 0.01, 0.9, 0.999, 1e-8, 0.01
	modular := smallSpec()
	modular.Task, modular.Classes, modular.Dim, modular.Op, modular.Notation = spec.TaskModular, 7, 14, spec.OpAdd, spec.NotationPermuted
	modular.Model, modular.Hidden, modular.N = spec.ModelMLP, []int64{24}, 1500
	modular.Optimizer, modular.Beta, modular.LR = spec.OptimizerMomentum, 0.9, 0.05
	tagged := modular
	tagged.Notation, tagged.Notations, tagged.Classes, tagged.Dim = spec.NotationTagged, 4, 28, 18
	untagged := tagged
	untagged.Notation = spec.NotationUntagged
	rare := smallSpec()
	rare.Task, rare.RareWeight, rare.N = spec.TaskRare, 0.1, 1500
	rare.Optimizer, rare.LR, rare.Beta1, rare.Beta2, rare.AdamEps = spec.OptimizerAdam, 0.01, 0.9, 0.999, 1e-8
	tokens := smallSpec()
	tokens.Task, tokens.Classes, tokens.Dim, tokens.Op, tokens.Notation = spec.TaskModular, 7, 2, spec.OpAdd, spec.NotationTokensPermuted
	tokens.Model, tokens.Vocab, tokens.Embed, tokens.Hidden, tokens.N = spec.ModelTokens, 7, 6, []int64{24}, 1500
	tokens.Optimizer, tokens.Beta, tokens.LR, tokens.InitScale, tokens.Batch = spec.OptimizerMomentum, 0.9, 0.02, 0.5, 8
	lora := mlpRelu
	lora.Adapter, lora.Rank, lora.LR, lora.InitScale = spec.AdapterLoRA, 2, 0.05, 0.3
	lora.Optimizer, lora.Beta1, lora.Beta2, lora.AdamEps = spec.OptimizerAdam, 0.9, 0.999, 1e-8
	sparse := tokens
	sparse.Notation, sparse.Adapter, sparse.SparseParams = spec.NotationTokens, spec.AdapterSparse, 150
	sparse.Optimizer, sparse.Beta, sparse.LR, sparse.Beta1, sparse.Beta2, sparse.AdamEps, sparse.WeightDecay = spec.OptimizerAdamW, 0, 0.02, 0.9, 0.999, 1e-8, 0.01
	cases := []struct {
		name        string
		sp          spec.Spec
		fingerprint string
		stream      string // SHA-256 of the coded bytes
	}{
		{"small-normal-init", smallSpec(),
			"eef7ad79e6698cb7e4b7917be85040c79eb5d2ca03bc36215ec20a08459fcd4c",
			"edee215d543f829dee32c75900b19df901010539c39aa96b7d5f0eab21427b42"},
		{"default-zeros", zeros,
			"5c018aa461e961423dbab62bb1439ce7e69aafda74f0401e5fe16818409dfefc",
			"5cac629bc61beb781402b20489e46707d249930433cb7987362aacb47437aec7"},
		{"noisy-batch1", noisy,
			"bf6d98810bf4d78df1c2a76dfba68af11be4af12d8f64b0e7826ec3d9ac6ab54",
			"aefe3a4ddf4afe6eeef4e296c6b6e2489dbaa202b086c87eda8afa329c441b42"},
		{"mlp-relu", mlpRelu,
			"a667daa8afbe70d14b0a8a747fa51231fb9004e277cade5b9dab8fffed1cc8d2",
			"5d9aacf7edb136db5330edcf49d919cf5863060c569f1257cc0f2c0556a5b2ab"},
		{"mlp-gelu-2layer", mlpGELU,
			"7a78cb15c6c11d05804daf8b55d94e16aded8c42c01e878707a07038d4924ab0",
			"544a3247bbf4dc931363ecdfd87059c00e4e9931a2bfb1e408807f9fe1628165"},
		{"mlp-tanh-2layer", mlpTanh,
			"2c019cecb3bba33af92d01b6b2454742f77f1157ae35f714fdcc2bf525d220f1",
			"2c21a04400fa547fe760af8d660c6a083ebadda682c02695374e2688110eb7e1"},
		{"kt", kt,
			"0cc4b2dc0f7afdc37044d43634750c8b03b83638e69f97e9e9b23ce5c315994f",
			"9aa3d677a7a562e4a9363b926c913387822e30d64b98ca25c8e7a0c2a10f2dd4"},
		{"hypothesis-noisy", hyp,
			"7031e7dd2e6a1fae62a10ceb82a50d591beb3f40233e457d37d8126088c0dc25",
			"9245087a17d4e762caa7145e1d10f9d5101fdd7a6bac47270ebfee46fc80e2e0"},
		{"coupon-table", coupon,
			"5a2729e85b19d3d0d5ccd7426cbbc9a43cf0f5ad124e44021f9254bb8dc38d88",
			"ed9b0ad639448f830beb37659113fe0a5db1b1f55307c40ce0a613dfb421b276"},
		{"parity-mlp-adamw", parity,
			"6e37726ff736545189bc56136713d82fceef6128855b67f4a592cff6d5489c1e",
			"c3b4a989adc34e80b4f64f2fbecf2e6495a6f8f3f2c03cdfc9643d5ae6c884a0"},
		{"modular-permuted-mlp-momentum", modular,
			"0542ccb5c94dd8a1dca529996cdc9ed978f8fb8af2c2b3ea8086b6e7be1113e6",
			"9cadb5e2416d60ebb309cfd3814e849cca17c55229142a7d9dcdb6e5f7af6cda"},
		{"modular-tagged-mlp-momentum", tagged,
			"7729deda7288784393b940c52d4da561f59488492099538d82e386c242be6ee3",
			"fc568b60d08c01999370e7ff6836d5bfc94159567cf4b07ad4fddff289c896b8"},
		{"modular-untagged-mlp-momentum", untagged,
			"ae524cb329e67c89bced01c7eb283de6dfbafd851163364ea9e355ff273d9e14",
			"111d76b0a99a478eb8b65a9707ceb36e487996b1fbf180554fd787306e5bd5f8"},
		{"rare-softmax-adam", rare,
			"c06dee2f72cabc1b8abb681aa599c86209d7ad63e95fc3bade7e36b5cd562313",
			"93016ce5d6e6b067f264debdb82afc3d4edc749f8f7062732aa011b4a5ac11f7"},
		{"tokens-permuted-momentum", tokens,
			"c7831d62b30cbb190f913e4e81770062d09278dee30e8629d308f39473036567",
			"86b30381705faaf22ca647543b21a270e11b909150ad8a3779b780add4d44160"},
		{"mlp-lora-adam", lora,
			"31ccda46de89f3fc8fb459a1ae30467089ca1aa07e6fc5e9b25b0bd487c56695",
			"5d001ce67f2ab4cda477304563a0f3970029087472c11f33558dee6b965e65e6"},
		{"tokens-sparse-adamw", sparse,
			"f6d123a5560db260f8e562143622b171b77e6d6d0e05dc3c43cbb55b17e0d1dd",
			"9de0ba5ef35f11eb35c728d029fa7dbc1e72d2e53c6742dcc0c88ee2d60df249"},
		{"random-labels", random,
			"2cefc84f8428254879b4da1de4c70ad75ca7d6ee2dd3d14ab05fd5dc29a98b1f",
			"e7c9cce8a2624d08aaff0f6c562e09f7374501a8e7f3ed40674473799d805e0d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := transmit(t, c.sp, func() int { return 1 << 20 })
			fp := o.alice.LastCheckpoint().Fingerprint
			got := hex.EncodeToString(fp[:])
			stream := sha256hex(o.bytes)
			if got != c.fingerprint || stream != c.stream {
				t.Errorf("golden changed:\n  fingerprint %s (want %s)\n  stream      %s (want %s)", got, c.fingerprint, stream, c.stream)
			}
		})
	}
}

// The same spec gives the same bytes and models whatever the chunking of
// the stream on Bob's side, and Alice's and Bob's checkpoints are equal.
func TestChunkingInvariance(t *testing.T) {
	sp := smallSpec()
	ref := transmit(t, sp, func() int { return 1 << 20 })
	r := rand.New(rand.NewPCG(1, 2))
	for name, chunk := range map[string]func() int{
		"one-byte": func() int { return 1 },
		"random":   func() int { return 1 + r.IntN(40) },
	} {
		o := transmit(t, sp, chunk)
		if len(o.bobCP) != len(ref.aliceCP) {
			t.Fatalf("%s: %d checkpoints, want %d", name, len(o.bobCP), len(ref.aliceCP))
		}
		for i := range o.bobCP {
			if o.bobCP[i] != ref.aliceCP[i] || o.aliceCP[i] != ref.aliceCP[i] {
				t.Fatalf("%s: checkpoint %d differs", name, i)
			}
		}
	}
	if len(ref.aliceCP) != 6 {
		t.Errorf("%d checkpoints for n=3000 every 500, want 6", len(ref.aliceCP))
	}
}

func TestCheckpointSchedule(t *testing.T) {
	sp := spec.Default()
	sp.N, sp.Batch, sp.CheckpointEvery = 25, 4, 10
	var got []int64
	for c := int64(1); c <= sp.N; c++ {
		if IsCheckpoint(sp, c) {
			got = append(got, c)
		}
	}
	want := []int64{12, 20, 25}
	if len(got) != len(want) {
		t.Fatalf("checkpoints at %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("checkpoints at %v, want %v", got, want)
		}
	}
}

// The accounting brackets the coded length: ideal ≈ quantized ideal ≤ coded.
func TestAccounting(t *testing.T) {
	o := transmit(t, smallSpec(), func() int { return 1 << 20 })
	acct := o.alice.Accounting()
	coded := float64(8 * len(o.bytes))
	if coded < acct.QuantizedIdealBits || coded > acct.QuantizedIdealBits+64 {
		t.Errorf("coded %v bits outside [quantized ideal %v, +64]", coded, acct.QuantizedIdealBits)
	}
	if d := acct.QuantizedIdealBits - acct.IdealBits; d < -1 || d > 0.001*acct.IdealBits+1 {
		t.Errorf("quantization loss %v bits on ideal %v", d, acct.IdealBits)
	}
	if bacct := o.bob.Accounting(); bacct != acct {
		t.Errorf("bob's accounting %+v != alice's %+v", bacct, acct)
	}
}

// A flipped byte desynchronizes Bob: the decode fails or a checkpoint
// differs, never silently.
func TestCorruptByteIsDetected(t *testing.T) {
	sp := smallSpec()
	ref := transmit(t, sp, func() int { return 1 << 20 })
	for _, pos := range []int{0, len(ref.bytes) / 2, len(ref.bytes) - 1} {
		bad := append([]byte(nil), ref.bytes...)
		bad[pos] ^= 0x40
		in, _ := task.NewInputs(sp)
		b, _ := New(sp, in)
		dec, _ := coder.NewDecoder(uint(sp.Precision))
		ld := &LabelDecoder{Dec: dec}
		dec.Write(bad)
		dec.CloseWrite()
		var err error
		var cps []Checkpoint
		for !b.Done() && err == nil {
			var r Result
			r, err = b.Step(ld)
			if r.Checkpoint != nil {
				cps = append(cps, *r.Checkpoint)
			}
		}
		if err == nil {
			err = dec.Finish()
		}
		same := len(cps) == len(ref.aliceCP)
		for i := 0; same && i < len(cps); i++ {
			same = cps[i] == ref.aliceCP[i]
		}
		if err == nil && same {
			t.Errorf("byte %d flipped: no error and all checkpoints match", pos)
		}
	}
}

func TestStepAfterDone(t *testing.T) {
	o := transmit(t, smallSpec(), func() int { return 1 << 20 })
	if _, err := o.alice.Step(nil); !errors.Is(err, ErrDone) {
		t.Fatalf("err = %v, want ErrDone", err)
	}
}
