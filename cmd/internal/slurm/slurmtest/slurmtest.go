package slurmtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Cluster is a running one-node Slurm.
type Cluster struct {
	// Dir holds everything the cluster writes.
	Dir string
	// Conf is its slurm.conf; every client command needs SLURM_CONF=Conf
	// (Env), which Start also sets in the test's own environment.
	Conf string
	// Node is the node's name (the hostname).
	Node string
	// Env is os.Environ() with SLURM_CONF set, for child processes.
	Env []string
}

// programs the cluster needs, and the Debian package of each.
var programs = [][2]string{
	{"munged", "munge"}, {"slurmctld", "slurm-wlm"}, {"slurmd", "slurm-wlm"},
	{"sbatch", "slurm-wlm"}, {"squeue", "slurm-wlm"}, {"sinfo", "slurm-wlm"}, {"scancel", "slurm-wlm"},
}

// Usable says why a cluster cannot start here, or "" when it can.
func Usable() string {
	if os.Geteuid() != 0 {
		return "slurmtest: a one-node Slurm needs root (slurmd runs jobs as their user)"
	}
	var missing []string
	for _, p := range programs {
		if _, err := exec.LookPath(p[0]); err != nil {
			missing = append(missing, p[0]+" ("+p[1]+")")
		}
	}
	if len(missing) > 0 {
		return "slurmtest: missing " + strings.Join(missing, ", ") + ": run scripts/setup.sh"
	}
	return ""
}

// Start starts a cluster for t, or skips t with the reason when Slurm cannot
// start here; with CI set in the environment it fails instead, as CI must
// run the Slurm tests. The cluster stops at t's cleanup. Start sets
// SLURM_CONF for the rest of t (t.Setenv), so t must not be parallel.
func Start(t *testing.T) *Cluster {
	t.Helper()
	if why := Usable(); why != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s (CI is set: the Slurm tests must run)", why)
		}
		t.Skip(why)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatalf("slurmtest: %v", err)
	}
	// Slurm names the node by its short hostname.
	host, _, _ = strings.Cut(host, ".")
	// Not t.TempDir(): munged wants every directory above its socket
	// searchable by all (os.MkdirTemp makes 0700), and the paths go into
	// slurm.conf, which takes no spaces.
	dir, err := os.MkdirTemp("", "edl-slurm-")
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		t.Fatalf("slurmtest: %v", err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			os.RemoveAll(dir)
		} else {
			t.Logf("slurmtest: the cluster's files are kept in %s", dir)
		}
	})
	c := &Cluster{Dir: dir, Conf: filepath.Join(dir, "slurm.conf"), Node: host}
	for _, sub := range []string{"state", "spool", "log"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatalf("slurmtest: %v", err)
		}
	}
	key := make([]byte, 1024)
	rand.Read(key)
	if err := os.WriteFile(filepath.Join(dir, "munge.key"), key, 0o400); err != nil {
		t.Fatalf("slurmtest: %v", err)
	}
	ports := freePorts(t, 2)
	if err := os.WriteFile(c.Conf, []byte(conf(dir, host, ports[0], ports[1])), 0o644); err != nil {
		t.Fatalf("slurmtest: %v", err)
	}
	c.Env = append(os.Environ(), "SLURM_CONF="+c.Conf)
	t.Setenv("SLURM_CONF", c.Conf)

	c.daemon(t, "munged", "--foreground", "--key-file="+filepath.Join(dir, "munge.key"), "--socket="+filepath.Join(dir, "munge.sock"),
		"--pid-file="+filepath.Join(dir, "munged.pid"), "--log-file="+filepath.Join(dir, "log", "munged.log"),
		"--seed-file="+filepath.Join(dir, "munge.seed"))
	c.waitFor(t, "munged's socket", func() bool {
		_, err := os.Stat(filepath.Join(dir, "munge.sock"))
		return err == nil
	})
	c.daemon(t, "slurmctld", "-D", "-f", c.Conf)
	c.daemon(t, "slurmd", "-D", "-f", c.Conf, "-N", host)
	c.waitFor(t, "the node to be idle in sinfo", func() bool {
		out, err := c.Command(context.Background(), "sinfo", "--noheader", "--format=%t").Output()
		return err == nil && strings.TrimSpace(string(out)) == "idle"
	})
	return c
}

// Command is a command run against the cluster (SLURM_CONF set).
func (c *Cluster) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = c.Env
	return cmd
}

// Logs is the daemons' logs, for a failing test.
func (c *Cluster) Logs() string {
	var b strings.Builder
	for _, f := range []string{"munged.log", "slurmctld.log", "slurmd.log", "slurmctld.out", "slurmd.out"} {
		data, err := os.ReadFile(filepath.Join(c.Dir, "log", f))
		if err == nil {
			fmt.Fprintf(&b, "--- %s\n%s", f, data)
		}
	}
	return b.String()
}

// daemon starts a daemon in the foreground and stops it by pid at cleanup:
// SIGTERM, then SIGKILL if it has not exited within 10 s.
func (c *Cluster) daemon(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := os.Create(filepath.Join(c.Dir, "log", name+".out"))
	if err != nil {
		t.Fatalf("slurmtest: %v", err)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = c.Env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("slurmtest: start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); out.Close(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
}

// waitFor polls cond until it holds, for at most 60 s.
func (c *Cluster) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("slurmtest: timed out waiting for %s\n%s", what, c.Logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePorts returns n TCP ports free at the moment of asking.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", ":0")
		if err != nil {
			t.Fatalf("slurmtest: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// conf is slurm.conf for a one-node cluster in dir.
func conf(dir, host string, ctldPort, slurmdPort int) string {
	return fmt.Sprintf(`# A one-node test cluster (cmd/internal/slurm/slurmtest).
ClusterName=edltest
SlurmctldHost=%[2]s
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=%[1]s/munge.sock
CryptoType=crypto/munge
StateSaveLocation=%[1]s/state
SlurmdSpoolDir=%[1]s/spool
SlurmctldPidFile=%[1]s/slurmctld.pid
SlurmdPidFile=%[1]s/slurmd.pid
SlurmctldLogFile=%[1]s/log/slurmctld.log
SlurmdLogFile=%[1]s/log/slurmd.log
SlurmctldPort=%[3]d
SlurmdPort=%[4]d
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
NodeName=%[2]s CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=main Nodes=%[2]s Default=YES MaxTime=INFINITE State=UP
`, dir, host, ctldPort, slurmdPort)
}
