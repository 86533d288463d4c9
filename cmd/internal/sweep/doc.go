// Package sweep splits a long edl command into shards that run anywhere and
// merges their results into exactly the files the one-machine command writes.
//
// A plan is a directory on a filesystem every worker sees:
//
//	DIR/plan.json            format, command, its arguments, "shards": N and the
//	                         whole resolved configuration (for people and checks)
//	DIR/shards/NNNNNN.json   one self-contained job description per shard: the
//	                         command, its arguments, the plan's SHA-256 and the job
//	DIR/results/NNNNNN.json  one result per finished shard, written atomically
//	                         (a temporary file in the same directory, synced,
//	                         then renamed), so a reader sees a whole result or none
//	DIR/logs/                what the engines (Slurm, local processes) log per shard
//	DIR/cache/               inputs several shards share and compute the same
//	                         way (pre-trained bases), written atomically by the
//	                         first shard that needs one (see Kind)
//	DIR/merge.json           written by Merge once the outputs are complete
//
// A result carries the plan's SHA-256, its shard index and the SHA-256 of its
// payload; a result that does not parse, belongs to another plan or index, or
// whose payload does not match its checksum is corrupt. Missing and corrupt
// shards are named by index (Ranges: "3,7-9"). Running a shard whose result
// is already valid does nothing; planning again with the same configuration
// keeps every finished result, so an engine re-runs only what is missing. A
// directory holding a different plan is refused rather than overwritten.
//
// The package knows nothing about curves or experiments: a Registry maps a
// command name to its Kind, the functions that run one job and merge all
// results. It does not schedule work either; engines (package slurm, or
// RunLocal's processes) call "edl shard DIR I". Merging is deterministic:
// results are handed to the merger in index order, whatever order or machine
// they ran in.
package sweep
