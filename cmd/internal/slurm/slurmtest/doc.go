// Package slurmtest starts a real one-node Slurm cluster for a test:
// munged with a fresh key, slurmctld and slurmd in the foreground, a
// generated slurm.conf naming this machine with 2 CPUs, every file (state,
// spool, logs, sockets, pid files) in the test's temporary directory, and
// free TCP ports so several clusters can run side by side. The daemons are
// children of the test process and are stopped by pid at cleanup.
//
// It needs root (slurmd runs jobs as their user, munged guards its key) and
// Debian's slurm-wlm and munge (scripts/setup.sh installs them). Without
// them the test is skipped with the reason, except under CI (the CI
// environment variable set), where it fails: CI must run it.
//
// It follows the team's tried recipe (notes/slurm-one-node.md beside the
// design pages), made safe to run beside other clusters: cgroup plugins are
// avoided (proctrack/linuxproc, task/none); there is no slurmdbd, so sacct
// does not answer and jobs are followed with squeue.
package slurmtest
