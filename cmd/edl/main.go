// Command edl runs the edlwire core in one process: a coded pass with the
// same JSON report as alice, EDL(n) curves by the papers' protocol, and the
// toy models of EDL.md against their analytic predictions.
//
//	edl run   [spec flags]                         one coded pass, alice's JSON on stdout
//	edl curve [spec flags] [--seeds 3] [--grid log:25] --out DIR
//	edl curve|elicit|intervene|capacity ... --plan DIR   a sweep plan instead of --out: independent shards
//	edl submit DIR --slurm [--wait] | --local [--jobs J]   run a plan's missing shards, then merge
//	edl shard DIR I                                run shard I of a plan (no-op when done)
//	edl merge DIR --out OUT                        the planned command's outputs, byte for byte
//	edl toy   NAME [--quick] [--out DIR]           NAME: random-labels, hypothesis, rare-inputs, coupon, format, all
//	edl demo  [--scene NAME] [--terminal]          the teaching demo: real alice and bob, live in a browser or the terminal
//	edl pretrain [spec flags] --out FILE           train a base checkpoint (pass, then θ*)
//	edl elicit [--quick] [--seeds 3] --out DIR     elicitation versus teaching on modular addition
//	edl intervene [--quick] [--seeds 3] --out DIR  the teaching arm pre-trained: correct labels, random labels, another operation
//	edl capacity [--quick] --out DIR               LoRA ranks and sparse subsets against full fine-tuning: capacity, P*, PGR
//
// Every figure is in bits. Progress goes to stderr (a bar on a terminal,
// plain lines otherwise). Exit status: 0 on success (for toy: every
// criterion passed), 1 on failure, 2 on usage errors.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/edlwire/edlwire/cmd/internal/demo"
	"github.com/edlwire/edlwire/cmd/internal/mnistfiles"
)

func main() {
	mnistfiles.Register()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: edl COMMAND [flags]

commands:
  run     code one experiment in-process and print alice's JSON report
  mnist   code MNIST training labels with a cnn and the blockwise code, a bob process decoding
          over gRPC (--quick: the first 10 000), bits per block, test accuracy, beside
          Blier & Ollivier's table
  curve   measure EDL(n) curves (seeds, random-label control) into --out DIR: CSV, JSON, plots
  pretrain  train a base checkpoint (one pass, then θ*) for --base
  elicit  elicitation versus teaching: pre-trained body with a new answer notation against
          random init, curves, totals, single-example test, intervention controls
  intervene  the causal intervention: the target after pre-training on the skill (correct
          labels), on random labels (format only) and on an unrelated operation
  capacity  adapters (LoRA r = 1…32, sparse 10, 100, 1000) on both arms against full
          fine-tuning: capacity against EDL/P, the threshold P*, PGR
  toy     run a toy model of EDL.md against its analytic prediction (random-labels,
          hypothesis, rare-inputs, coupon, format, all)
  demo    the coding argument live: real alice and bob, in a browser page or --terminal

sweeps (curve, elicit, intervene, capacity ... --plan DIR writes a plan of independent shards):
  submit  edl submit DIR --slurm [--wait] [--partition P --time T ...]: an sbatch array of the
          missing shards and a dependent merge job; --local --jobs J: local processes
  shard   edl shard DIR I: run shard I (a no-op when its result is there)
  merge   edl merge DIR --out OUT: exactly the files the planned command writes with --out OUT

"edl COMMAND -h" lists a command's flags.
`

// run dispatches on the subcommand: one case per command.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "curve":
		return cmdCurve(args[1:], stdout, stderr)
	case "mnist":
		return cmdMnist(args[1:], stdout, stderr)
	case "toy":
		return cmdToy(args[1:], stdout, stderr)
	case "demo":
		return demo.Main(args[1:], stdout, stderr)
	case "pretrain":
		return cmdPretrain(args[1:], stdout, stderr)
	case "elicit":
		return cmdElicit(args[1:], stdout, stderr)
	case "intervene":
		return cmdIntervene(args[1:], stdout, stderr)
	case "capacity":
		return cmdCapacity(args[1:], stdout, stderr)
	case "shard":
		return cmdShard(args[1:], stdout, stderr)
	case "merge":
		return cmdMerge(args[1:], stdout, stderr)
	case "submit":
		return cmdSubmit(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "edl: unknown command %q\n%s", args[0], usage)
	return 2
}
