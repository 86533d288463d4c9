// Package slurm runs a sweep plan (package sweep) on a Slurm cluster: one
// array job whose task I runs "edl shard DIR I", and a merge job that
// depends on it (--dependency=afterok) and runs "edl merge DIR --out OUT".
//
// Slurm is the engine; this package only writes the batch scripts, calls
// sbatch, squeue and scancel, and reads the plan directory. The plan
// directory, the edl binary and the files the plan's arguments name must be
// on a filesystem every node mounts at the same path: the scripts hold
// absolute paths and the nodes write their results and logs there.
//
// Whether a shard succeeded is read from its result file, not from Slurm's
// accounting: sacct needs slurmdbd, which many small clusters (and the
// one-node test cluster) lack, and a result file is what the merge needs
// anyway. A task that has left squeue without a valid result has failed;
// its log is DIR/logs/shard-I.JOBID.log. The merge job's success is
// DIR/merge.json naming the plan and the output directory.
//
// Package slurmtest starts a real one-node cluster (munged, slurmctld,
// slurmd) for tests.
package slurm
