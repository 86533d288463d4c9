#!/usr/bin/env bash
# The one install step of the project: `make test` runs it first and `.ci/run`
# calls it, so what a fresh machine needs is written down once.
#
# It checks for every program the tests use beyond Go and installs the missing
# Debian packages when it runs as root (as CI does). Otherwise it prints the one
# apt-get command to run and exits non-zero before any test starts.
set -euo pipefail

# program -> Debian package providing it
needs=(
  "protoc protobuf-compiler"            # make check-proto regenerates proto/wirepb
  "make make"
  "qemu-aarch64-static qemu-user-static" # make test-arm64 and the arm64 Bob in integration/
  "ip iproute2"                         # network-namespace fault tests (integration/netns_test.go)
  "tc iproute2"
  "iptables iptables"                   # packet loss where the kernel lacks sch_netem
  "chromium chromium"                   # the teaching demo's browser test (cmd/internal/demo)
  "slurmctld slurm-wlm"                 # a one-node Slurm for the sweep tests (cmd/internal/slurm/slurmtest)
  "slurmd slurm-wlm"
  "sbatch slurm-wlm"
  "munged munge"
)

missing=()
for pair in "${needs[@]}"; do
  set -- $pair
  command -v "$1" >/dev/null 2>&1 && continue
  # one package gives several programs (iproute2: ip, tc): list it once
  [[ " ${missing[*]-} " == *" $2 "* ]] || missing+=("$2")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing Debian packages; install them, then run make test again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
