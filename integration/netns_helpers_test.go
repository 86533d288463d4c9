package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// netnsPair is two network namespaces, "bob" and "alice", joined by a veth
// pair: two hosts on one machine, with their own interfaces, routes, TCP
// stacks and queueing disciplines (issue 7, item 6).
type netnsPair struct {
	bobNS, aliceNS     string // namespace names
	bobVeth, aliceVeth string // each namespace's end of the pair
	bobIP, aliceIP     string // 10.77.0.1 and 10.77.0.2
}

var netnsSeq atomic.Int64

// newNetnsPair creates the namespaces and the link, up and addressed, and
// removes them in t.Cleanup (registered first, so it runs after the
// cleanups of the processes started inside). It skips the test, saying
// why, when not root, when iproute2's ip (or tc, if needTC) is missing or
// when the kernel refuses namespaces.
func newNetnsPair(t *testing.T, needTC bool) *netnsPair {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network-namespace test: needs root (ip netns); run the integration suite as root, as .ci/run does")
	}
	tools := []string{"ip"}
	if needTC {
		tools = append(tools, "tc")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("network-namespace test: %s not found (apt-get install iproute2): %v", tool, err)
		}
	}
	id := fmt.Sprintf("%d%d", os.Getpid()%100000, netnsSeq.Add(1))
	p := &netnsPair{
		bobNS: "edlbob" + id, aliceNS: "edlalice" + id,
		bobVeth: "eb" + id, aliceVeth: "ea" + id, // at most 15 bytes
		bobIP: "10.77.0.1", aliceIP: "10.77.0.2",
	}
	if out, err := exec.Command("ip", "netns", "add", p.bobNS).CombinedOutput(); err != nil {
		t.Skipf("network-namespace test: the kernel or container refuses namespaces: ip netns add: %v: %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		for _, ns := range []string{p.bobNS, p.aliceNS} {
			// Deleting a namespace destroys its end of the veth pair, and
			// so the pair.
			_ = exec.Command("ip", "netns", "del", ns).Run()
		}
	})
	p.run(t, "", "ip", "netns", "add", p.aliceNS)
	p.run(t, "", "ip", "link", "add", p.bobVeth, "netns", p.bobNS, "type", "veth", "peer", "name", p.aliceVeth, "netns", p.aliceNS)
	for _, end := range []struct{ ns, dev, ip string }{{p.bobNS, p.bobVeth, p.bobIP}, {p.aliceNS, p.aliceVeth, p.aliceIP}} {
		p.run(t, end.ns, "ip", "addr", "add", end.ip+"/24", "dev", end.dev)
		p.run(t, end.ns, "ip", "link", "set", "dev", end.dev, "up")
		p.run(t, end.ns, "ip", "link", "set", "dev", "lo", "up")
	}
	return p
}

// command is argv run inside namespace ns (the root namespace if ns is
// empty). ip netns exec execs argv in place, so the process's pid is the
// program's.
func (p *netnsPair) command(ctx context.Context, ns string, argv ...string) *exec.Cmd {
	if ns == "" {
		return exec.CommandContext(ctx, argv[0], argv[1:]...)
	}
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns}, argv...)...)
}

// run runs argv in namespace ns and fails the test on an error.
func (p *netnsPair) run(t *testing.T, ns string, argv ...string) {
	t.Helper()
	if out, err := p.command(context.Background(), ns, argv...).CombinedOutput(); err != nil {
		t.Fatalf("%s (namespace %q): %v\n%s", strings.Join(argv, " "), ns, err, out)
	}
}

// tryRun runs argv in namespace ns and returns its error with the output.
func (p *netnsPair) tryRun(ns string, argv ...string) error {
	if out, err := p.command(context.Background(), ns, argv...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// ends are the two (namespace, device) ends of the link.
func (p *netnsPair) ends() [][2]string {
	return [][2]string{{p.bobNS, p.bobVeth}, {p.aliceNS, p.aliceVeth}}
}

// impair puts the same delay and loss on both ends of the link. With tc
// netem: `netem delay 20ms 5ms loss 1%` (or whatever netemArgs says).
// Kernels built without sch_netem (some VMs) get the closest thing they
// support, said in the returned description: 1% loss from an iptables
// statistic match on what each side receives (INPUT: the packet crossed
// the link, so TCP must retransmit it), and a tbf rate limit whose queue
// delays bursts; without either the test is skipped.
func (p *netnsPair) impair(t *testing.T, netemArgs ...string) string {
	t.Helper()
	var errs []string
	ok := true
	for _, e := range p.ends() {
		if err := p.tryRun(e[0], append([]string{"tc", "qdisc", "add", "dev", e[1], "root", "netem"}, netemArgs...)...); err != nil {
			errs = append(errs, err.Error())
			ok = false
			break
		}
	}
	if ok {
		return "tc netem " + strings.Join(netemArgs, " ") + " on both ends"
	}
	ipt, err := exec.LookPath("iptables")
	if err != nil {
		t.Skipf("network-namespace test: tc netem is unavailable (%s) and iptables, the fallback for loss, is not installed", strings.Join(errs, "; "))
	}
	for _, e := range p.ends() {
		_ = p.tryRun(e[0], "tc", "qdisc", "del", "dev", e[1], "root")
		if err := p.tryRun(e[0], ipt, "-A", "INPUT", "-i", e[1], "-m", "statistic", "--mode", "random", "--probability", "0.01", "-j", "DROP"); err != nil {
			t.Skipf("network-namespace test: tc netem is unavailable (%s) and the iptables fallback fails: %v", strings.Join(errs, "; "), err)
		}
		if err := p.tryRun(e[0], "tc", "qdisc", "add", "dev", e[1], "root", "tbf", "rate", "4mbit", "burst", "16kb", "latency", "100ms"); err != nil {
			t.Skipf("network-namespace test: tc netem is unavailable (%s) and tbf fails too: %v", strings.Join(errs, "; "), err)
		}
	}
	desc := "tc netem unavailable in this kernel (" + strings.Join(errs, "; ") + "): 1% loss by iptables -m statistic on INPUT and a 4 Mbit/s tbf bottleneck (queueing delay) on both ends"
	t.Log(desc)
	return desc
}

// drops is the packets dropped on purpose on both ends so far: by netem
// or tbf (tc -s qdisc "dropped N") and by the iptables loss rule.
func (p *netnsPair) drops(t *testing.T) int64 {
	t.Helper()
	var n int64
	for _, e := range p.ends() {
		if out, err := p.command(context.Background(), e[0], "tc", "-s", "qdisc", "show", "dev", e[1]).Output(); err == nil {
			for _, m := range droppedRE.FindAllStringSubmatch(string(out), -1) {
				v, _ := strconv.ParseInt(m[1], 10, 64)
				n += v
			}
		}
		if ipt, err := exec.LookPath("iptables"); err == nil {
			if out, err := p.command(context.Background(), e[0], ipt, "-nvxL", "INPUT").Output(); err == nil {
				for _, line := range strings.Split(string(out), "\n") {
					if f := strings.Fields(line); len(f) > 2 && f[2] == "DROP" {
						v, _ := strconv.ParseInt(f[0], 10, 64)
						n += v
					}
				}
			}
		}
	}
	return n
}

var droppedRE = regexp.MustCompile(`dropped (\d+)`)

// tcpStats reads a namespace's TCP counters (Tcp: line of /proc/net/snmp,
// per namespace): segments sent and retransmitted.
func (p *netnsPair) tcpStats(t *testing.T, ns string) (outSegs, retransSegs int64) {
	t.Helper()
	out, err := p.command(context.Background(), ns, "cat", "/proc/net/snmp").Output()
	if err != nil {
		t.Logf("no TCP counters for %s: %v", ns, err)
		return 0, 0
	}
	var names, values []string
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "Tcp: ") {
			continue
		}
		if names == nil {
			names = strings.Fields(line)
		} else {
			values = strings.Fields(line)
		}
	}
	for i := range names {
		if i >= len(values) {
			break
		}
		v, _ := strconv.ParseInt(values[i], 10, 64)
		switch names[i] {
		case "OutSegs":
			outSegs = v
		case "RetransSegs":
			retransSegs = v
		}
	}
	return outSegs, retransSegs
}

// startBobIn launches bob in namespace ns, listening on ip (a free port),
// and waits for his "listening" line. Like startBob, but through
// ip netns exec.
func (p *netnsPair) startBobIn(t *testing.T, ns, ip string, args ...string) *bobProc {
	t.Helper()
	argv := append([]string{filepath.Join(binDir, "bob"), "--listen", ip + ":0"}, args...)
	return startBobCmd(t, p.command(context.Background(), ns, argv...))
}

// startBobCmd starts cmd (a bob) and reads its JSON event lines.
func startBobCmd(t *testing.T, cmd *exec.Cmd) *bobProc {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	b := &bobProc{cmd: cmd, events: make(chan map[string]any, 1024), stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = b.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				ev = map[string]any{"event": "unparsed", "line": sc.Text()}
			}
			b.events <- ev
		}
		close(b.events)
		b.err = cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-b.done
		if t.Failed() {
			t.Logf("bob stderr:\n%s", b.stderr.String())
		}
	})
	ev := b.next(t, "listening", 30*time.Second)
	b.addr, _ = ev["addr"].(string)
	if b.addr == "" {
		t.Fatalf("bob's listening line has no addr: %v", ev)
	}
	return b
}

// aliceIn runs alice in namespace ns. Unlike runAlice it never calls
// t.Fatal, so that it may run on other goroutines: a failure to start or
// an unparsable report is in err.
func (p *netnsPair) aliceIn(ctx context.Context, ns string, args ...string) (res aliceResult, err error) {
	cmd := p.command(ctx, ns, append([]string{filepath.Join(binDir, "alice")}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	res = aliceResult{stdout: stdout.String(), stderr: stderr.String()}
	if runErr != nil {
		ee, ok := runErr.(*exec.ExitError)
		if !ok {
			return res, fmt.Errorf("alice: %v", runErr)
		}
		res.exitCode = ee.ExitCode()
		return res, nil
	}
	if err := json.Unmarshal(stdout.Bytes(), &res.report); err != nil {
		return res, fmt.Errorf("alice's stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	return res, nil
}

// vmRSS is a process's resident set (VmRSS) and its peak (VmHWM), in kB,
// from /proc/PID/status.
func vmRSS(t *testing.T, pid int) (rss, hwm int64) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read bob's memory: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = v
		case "VmHWM:":
			hwm = v
		}
	}
	return rss, hwm
}
