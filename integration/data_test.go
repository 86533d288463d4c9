package integration

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A plain list of labels coded by the KT estimator between two processes:
// Bob finds his copy of the file by name (its hash covers the row count
// only, never the labels), and the coded length matches the closed form.
func TestLabelsFileWithKT(t *testing.T) {
	ctx := testContext(t)
	aliceDir, bobDir := t.TempDir(), t.TempDir()
	counts := []int{700, 200, 90, 10}
	var b strings.Builder
	b.WriteString("label\n")
	for i := 0; i < 1000; i++ {
		// A fixed interleaving of the counts.
		k := 0
		for acc, j := 0, i*7919%1000; k < len(counts); k++ {
			acc += counts[k]
			if j < acc {
				break
			}
		}
		fmt.Fprintf(&b, "%d\n", k)
	}
	write := func(dir, content string) {
		if err := os.WriteFile(filepath.Join(dir, "labels.csv"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(aliceDir, b.String())
	// Bob's copy has the same number of rows and different labels: he
	// never reads them, so his inputs hash the same.
	write(bobDir, "label\n"+strings.Repeat("0\n", 1000))

	bob := startBob(t, "--once", "--data-dir", bobDir, "--labels-out", filepath.Join(bobDir, "decoded"))
	res := runAlice(ctx, t, "--bob", bob.addr, "--data", filepath.Join(aliceDir, "labels.csv"), "--model", "kt", "--batch", "1", "--test", "0", "--classes", "4")
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	bob.next(t, "session", 30*time.Second)
	if n := num(t, res.report, "n"); n != 1000 {
		t.Fatalf("n = %v, want every row of the file", n)
	}
	want := dirichletMultinomialBits(counts, 0.5)
	coded, ideal, qideal := num(t, res.report, "coded_bits"), num(t, res.report, "ideal_bits"), num(t, res.report, "quantized_ideal_bits")
	t.Logf("KT over %v: coded %v bits, closed form %.3f, quantized ideal %.3f", counts, coded, want, qideal)
	if math.Abs(ideal-want) > 1e-6 {
		t.Errorf("ideal %v bits, closed form %v", ideal, want)
	}
	if coded > want+(qideal-ideal)+32 {
		t.Errorf("coded %v bits exceeds closed form %.3f + quantization loss + 32", coded, want)
	}
	decoded := readLabels(t, filepath.Join(bobDir, "decoded"))
	got := make([]int, len(counts))
	for _, y := range decoded {
		got[y]++
	}
	for k := range counts {
		if got[k] != counts[k] {
			t.Fatalf("bob decoded counts %v, want %v", got, counts)
		}
	}
}

// A real dataset (UCI iris, from ../shared/data) learned by softmax
// regression between two processes; a Bob whose copy differs, or who has
// none, refuses by name.
func TestRealDatasetAndMismatchedCopy(t *testing.T) {
	src := "../../shared/data/iris.csv"
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("datasets not beside the project: %v", err)
	}
	ctx := testContext(t)
	bob := startBob(t, "--data-dir", filepath.Dir(src))
	res := runAlice(ctx, t, "--bob", bob.addr, "--data", src, "--shuffle", "1", "--standardize", "--lr", "0.1", "--batch", "1", "--checkpoint-every", "10")
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	s := bob.next(t, "session", 30*time.Second)
	if str(t, s, "fingerprint") != str(t, res.report, "fingerprint") {
		t.Fatal("fingerprints differ")
	}
	if c, u := num(t, res.report, "coded_bits"), num(t, res.report, "uniform_bits"); c > 0.5*u {
		t.Errorf("iris: coded %v bits, over half the uniform %v", c, u)
	}

	other := t.TempDir()
	changed := strings.Replace(string(raw), "5.1,3.5,1.4,0.2,0", "5.1,3.5,1.4,0.3,0", 1)
	if err := os.WriteFile(filepath.Join(other, "iris.csv"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	bob2 := startBob(t, "--data-dir", other)
	res = runAlice(ctx, t, "--bob", bob2.addr, "--data", src)
	if res.exitCode == 0 || !strings.Contains(res.stderr, "data_sha256") || !strings.Contains(res.stderr, "iris.csv") {
		t.Errorf("a differing copy was not refused by name (exit %d):\n%s", res.exitCode, res.stderr)
	}
	bob3 := startBob(t, "--data-dir", t.TempDir())
	res = runAlice(ctx, t, "--bob", bob3.addr, "--data", src)
	if res.exitCode == 0 || !strings.Contains(res.stderr, "not found") {
		t.Errorf("a missing copy was not refused clearly (exit %d):\n%s", res.exitCode, res.stderr)
	}
}

// dirichletMultinomialBits is −log₂ Γ(Kα)/Γ(n+Kα) · Π Γ(c_k+α)/Γ(α).
func dirichletMultinomialBits(counts []int, alpha float64) float64 {
	n, lp := 0, 0.0
	for _, c := range counts {
		n += c
		a, _ := math.Lgamma(float64(c) + alpha)
		b, _ := math.Lgamma(alpha)
		lp += a - b
	}
	k := float64(len(counts))
	a, _ := math.Lgamma(k * alpha)
	b, _ := math.Lgamma(float64(n) + k*alpha)
	return -(lp + a - b) / math.Ln2
}

// A JSON Lines training file and a separate CSV test file (UCI wine, every
// fifth row held out): Bob reads both from his --data-dir, the report's
// test loss is over the test file's rows, and a different copy of the test
// file is refused by name.
func TestJSONLTrainingAndSeparateTestFile(t *testing.T) {
	raw, err := os.ReadFile("../../shared/data/wine_data.csv")
	if err != nil {
		t.Skipf("datasets not beside the project: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] // scikit-learn's header line is not column names
	names := make([]string, 13)
	for i := range names {
		names[i] = fmt.Sprintf("f%d", i)
	}
	var train, test strings.Builder
	test.WriteString(strings.Join(names, ",") + ",class\n")
	rows := 0
	for i, line := range lines {
		fields := strings.Split(line, ",")
		if i%5 == 4 {
			test.WriteString(line + "\n")
			continue
		}
		// Keys in a different order on every other row: JSONL columns are
		// matched by key.
		train.WriteString("{")
		if i%2 == 0 {
			train.WriteString(`"class": ` + fields[13] + ", ")
		}
		for j := 0; j < 13; j++ {
			if j > 0 {
				train.WriteString(", ")
			}
			fmt.Fprintf(&train, "%q: %s", names[j], fields[j])
		}
		if i%2 != 0 {
			train.WriteString(`, "class": ` + fields[13])
		}
		train.WriteString("}\n")
		rows++
	}
	dir := t.TempDir()
	for name, content := range map[string]string{"train.jsonl": train.String(), "test.csv": test.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := testContext(t)
	bob := startBob(t, "--once", "--data-dir", dir)
	res := runAlice(ctx, t, "--bob", bob.addr, "--data", filepath.Join(dir, "train.jsonl"), "--test-data", filepath.Join(dir, "test.csv"),
		"--label-column", "class", "--standardize", "--shuffle", "2", "--lr", "0.1", "--batch", "1", "--quiet")
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	s := bob.next(t, "session", 30*time.Second)
	if num(t, res.report, "n") != float64(rows) || num(t, res.report, "test") != float64(len(lines)-rows) {
		t.Errorf("n %v, test %v; want every training row (%d) and every test row (%d)", res.report["n"], res.report["test"], rows, len(lines)-rows)
	}
	for _, k := range []string{"test_loss_bits", "edl_bits", "coded_bits"} {
		if num(t, s, k) != num(t, res.report, k) {
			t.Errorf("%s: bob %v, alice %v", k, s[k], res.report[k])
		}
	}
	if l := num(t, res.report, "test_loss_bits"); l > 0.5 {
		t.Errorf("wine test loss %v bits: the model learned little", l)
	}
	t.Logf("wine, JSONL train %d rows, CSV test %d rows: MDL %v bits, test loss %.4f bits, EDL %.1f bits",
		rows, len(lines)-rows, res.report["coded_bits"], num(t, res.report, "test_loss_bits"), num(t, res.report, "edl_bits"))

	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "train.jsonl"), []byte(train.String()), 0o644)
	os.WriteFile(filepath.Join(other, "test.csv"), []byte(strings.Replace(test.String(), "\n1", "\n2", 1)), 0o644)
	bob2 := startBob(t, "--data-dir", other)
	res = runAlice(ctx, t, "--bob", bob2.addr, "--data", filepath.Join(dir, "train.jsonl"), "--test-data", filepath.Join(dir, "test.csv"), "--label-column", "class")
	if res.exitCode == 0 || !strings.Contains(res.stderr, "test_data_sha256") || !strings.Contains(res.stderr, "test.csv") {
		t.Errorf("a differing test file was not refused by name (exit %d):\n%s", res.exitCode, res.stderr)
	}
}
