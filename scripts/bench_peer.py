#!/usr/bin/env python3
"""make bench-peer: edlwire against PyTorch on the same prequential passes.

One online prequential pass per shape (float64, SGD on the minibatch mean
gradient, normal(0, scale) weights, zero biases, 10 classes): for every
minibatch, the forward pass gives the predictive distributions (what the
coder needs) and then one SGD step learns the batch. edlwire also quantizes
and range-codes every label; the PyTorch side only computes the softmax,
so the comparison favours PyTorch slightly.

Rounds are interleaved: each round runs `edlbench -only peer` (every shape
on 1 and 2 workers, one JSON line each) and then the same shapes in PyTorch
on 1 and 2 threads, each in a process of its own (OpenBLAS reads
OPENBLAS_NUM_THREADS when it loads), so that both sides see the same
machine load. The table gives medians over rounds; the ratio is edlwire's
best worker count against PyTorch's best thread count. Debian's PyTorch
uses whatever libblas.so.3 is selected: with only the reference BLAS it is
several times slower, so make bench-peer installs libopenblas0-pthread and
the report names the library that was loaded.

Usage: python3 scripts/bench_peer.py --edlbench bin/edlbench [--rounds 5]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def torch_rate(torch, sh, threads, passes):
    """Examples/s of one PyTorch pass on shape sh: the best of passes passes
    after a warm-up one; building the model is not timed."""
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    sizes = [sh["dim"], *sh["hidden"], sh["classes"]]
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1]).double()
        torch.nn.init.normal_(lin.weight, 0.0, sh["init_scale"])
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    n, batch = sh["n"], sh["batch"]
    xs = torch.randn(n, sh["dim"], dtype=torch.float64)
    ys = torch.randint(0, sh["classes"], (n,))
    opt = torch.optim.SGD(model.parameters(), lr=sh["lr"])
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = [(xs[s:s + batch], ys[s:s + batch]) for s in range(0, n, batch)]

    def one_pass():
        for xb, yb in batches:
            logits = model(xb)
            torch.softmax(logits.detach(), dim=1)  # the predictive distributions
            loss = loss_fn(logits, yb)  # mean over the batch, as edlwire's SGD
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    one_pass()  # warm-up
    best = float("inf")
    for _ in range(passes):
        t0 = time.perf_counter()
        one_pass()
        best = min(best, time.perf_counter() - t0)
    return n / best


def blas_library():
    """The BLAS shared object this process has loaded (after torch)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return ", ".join(sorted(os.path.basename(os.path.dirname(l)) + "/" + os.path.basename(l) for l in libs)) or "none found"
    except OSError:
        return "unknown"


def torch_worker(shapes_json, threads, passes):
    """Child process: time every shape on threads threads, one JSON line each."""
    import torch
    for sh in json.loads(shapes_json):
        rate = torch_rate(torch, sh, threads, passes)
        print(json.dumps({"shape": sh["shape"], "threads": threads, "examples_per_s": rate,
                          "torch": torch.__version__, "blas": blas_library()}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edlbench", default="bin/edlbench")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--passes", type=int, default=5, help="timed passes per figure and round (the best counts)")
    ap.add_argument("--torch-worker", metavar="SHAPES_JSON", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_worker:
        return torch_worker(args.torch_worker, args.threads, args.passes)
    if subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode != 0:
        sys.exit("bench_peer: PyTorch is not installed for %s (Debian: apt-get install python3-torch)" % sys.executable)

    edl = {}    # (shape, workers) -> [examples/s per round]
    peer = {}   # (shape, threads) -> [examples/s per round]
    shapes = {}
    for r in range(args.rounds):
        # -time 1ms: each timed run is a single pass; the best of -repeat.
        out = subprocess.run([args.edlbench, "-only", "peer", "-repeat", str(args.passes), "-time", "1ms"],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            if not line.startswith("{"):
                continue
            res = json.loads(line)
            shapes.setdefault(res["shape"], res)
            edl.setdefault((res["shape"], res["workers"]), []).append(res["examples_per_s"])
        for threads in (1, 2):
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
            out = subprocess.run([sys.executable, __file__, "--torch-worker", json.dumps(list(shapes.values())),
                                  "--threads", str(threads), "--passes", str(args.passes)],
                                 check=True, capture_output=True, text=True, env=env).stdout
            for line in out.splitlines():
                res = json.loads(line)
                peer.setdefault((res["shape"], threads), []).append(res["examples_per_s"])
                about = "PyTorch %s, BLAS %s" % (res["torch"], res["blas"])
        print("round %d/%d done" % (r + 1, args.rounds), file=sys.stderr)

    med = lambda v: statistics.median(v)
    print("edlwire vs %s; float64, one prequential pass per shape;" % about)
    print("examples/s of the best of %d passes per round, median of %d interleaved rounds"
          " (edlwire workers w, PyTorch threads t)" % (args.passes, args.rounds))
    head = "%-28s %10s %10s %10s %10s %8s" % ("shape", "edl w=1", "edl w=2", "torch t=1", "torch t=2", "ratio")
    print(head)
    print("-" * len(head))
    for name in shapes:
        e1, e2 = med(edl[(name, 1)]), med(edl[(name, 2)])
        p1, p2 = med(peer[(name, 1)]), med(peer[(name, 2)])
        print("%-28s %10.0f %10.0f %10.0f %10.0f %7.2f×" % (name, e1, e2, p1, p2, max(e1, e2) / max(p1, p2)))
    print("ratio: edlwire's best worker count / PyTorch's best thread count (higher is better for edlwire)")


if __name__ == "__main__":
    main()
