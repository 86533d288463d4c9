# edlwire: prequential MDL and EDL in bits that cross a wire.
# `make help` lists the targets.

# Recipes piping through tee must fail when the command does.
SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c

GO       ?= go
BOBFUZZTIME ?= 3000x
BIN      := bin
PROTO_SRC := proto/edlwire.proto proto/predictor.proto
# Generated from PROTO_SRC and committed: Go for the wire and the predictor
# plugin protocol, Python for the reference torch plugin.
PROTO_GEN := proto/wirepb/edlwire.pb.go proto/wirepb/edlwire_grpc.pb.go \
	proto/predictorpb/predictor.pb.go proto/predictorpb/predictor_grpc.pb.go \
	predictors/torch/predictor_pb2.py predictors/torch/predictor_pb2_grpc.py

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build alice, bob and edl into bin/
	$(GO) build -o $(BIN)/ ./cmd/...

.PHONY: demo
demo: build ## Start Bob on a free port, run Alice on the default task, print the summary
	@./scripts/demo.sh $(BIN)

.PHONY: setup
setup: ## Install the Debian packages the tests need (as root; otherwise print the apt-get command and stop)
	@./scripts/setup.sh

.PHONY: test
test: setup ## Everything CI checks: setup, generated code, lint, architectures, fuzzing, unit, race and integration tests
	@$(MAKE) --no-print-directory check-proto lint test-arch fuzz
	$(GO) test $$($(GO) list ./... | grep -v -E '$(RACE_ONLY)')
	@$(MAKE) --no-print-directory test-race

FUZZTIME ?= 20000x

.PHONY: fuzz
fuzz: ## Run the coder's fuzz targets (FUZZTIME=20000x) and Bob's message-sequence fuzzer (BOBFUZZTIME=3000x)
	@for f in $$($(GO) test -list '^Fuzz' ./shared/coder/ | grep '^Fuzz'); do \
	  echo "fuzz $$f ($(FUZZTIME))"; \
	  $(GO) test -run='^$$' -fuzz="^$$f\$$" -fuzztime=$(FUZZTIME) ./shared/coder/ || exit 1; \
	done
	@echo "fuzz FuzzBobMessages ($(BOBFUZZTIME))"
	$(GO) test -run='^$$' -fuzz='^FuzzBobMessages$$' -fuzztime=$(BOBFUZZTIME) ./bob/

FLAKE ?= 3
RACE_PKGS := ./alice/ ./bob/ ./proto/... ./cmd/internal/... ./integration/
# make test runs the RACE_PKGS once, under the race detector, and every other
# package without it: running them twice cost about 4 minutes on 2 cores.
RACE_ONLY := ^github.com/edlwire/edlwire/(alice|bob|integration|proto(/.*)?|cmd/internal(/.*)?)$$

# Each round is its own go test run (not -count=N in one binary, whose one
# 10-minute timeout the later rounds would run out of); rounds go on after a
# failure, and the summary counts them.
.PHONY: flake
flake: setup ## The whole suite FLAKE=N times (default 3), packages in parallel, then the race detector over the concurrent packages
	@failed=0; start=$$(date +%s); \
	for i in $$(seq $(FLAKE)); do \
	  echo "== flake round $$i of $(FLAKE)"; \
	  $(GO) test -count=1 ./... || { failed=$$((failed+1)); echo "== round $$i FAILED"; }; \
	done; \
	echo "== race detector"; \
	$(GO) test -race -count=1 $(RACE_PKGS) || { failed=$$((failed+1)); echo "== race run FAILED"; }; \
	echo "== flake: $(FLAKE) rounds and the race run, $$failed failed, $$(( $$(date +%s)-start )) s"; \
	[ $$failed -eq 0 ]

.PHONY: test-race
test-race: ## The race detector over the concurrent packages (alice, bob, proto, cmd/internal, integration)
	$(GO) test -race -count=1 $(RACE_PKGS)

.PHONY: test-short
test-short: ## Unit tests only (no process launching)
	$(GO) test -short ./...

.PHONY: test-arch
test-arch: test-arm64 test-v3 test-fma-off test-gomaxprocs test-noasm ## The determinism contract: shared/ under arm64, GOAMD64=v3, no FMA, GOMAXPROCS 1 and 2, pure Go (noasm); -short (whole quick experiments run once, in go test ./...)

.PHONY: test-arm64
test-arm64: ## shared/ tests built for arm64, run under qemu-aarch64-static (qemu-user-static)
	@command -v qemu-aarch64-static >/dev/null || { echo "test-arm64 needs qemu-aarch64-static: apt-get install qemu-user-static"; exit 1; }
	GOARCH=arm64 $(GO) test -short -exec qemu-aarch64-static ./shared/...

.PHONY: test-v3
test-v3: ## shared/ tests built with GOAMD64=v3 (the compiler may fuse FMA)
	GOAMD64=v3 $(GO) test -short ./shared/...

.PHONY: test-fma-off
test-fma-off: ## shared/ tests with the CPU's FMA hidden from run-time dispatch (amd64, GOAMD64<v3)
	GOAMD64=v1 GODEBUG=cpu.fma=off $(GO) test -short ./shared/...

.PHONY: test-noasm
test-noasm: ## shared/ tests with the assembly kernels compiled out (-tags noasm: the pure-Go fallback must give the same goldens)
	$(GO) test -short -tags noasm ./shared/...

.PHONY: test-gomaxprocs
test-gomaxprocs: ## shared/ tests with GOMAXPROCS=1 and 2 (-count=1: the test cache ignores GOMAXPROCS)
	GOMAXPROCS=1 $(GO) test -short -count=1 ./shared/...
	GOMAXPROCS=2 $(GO) test -short -count=1 ./shared/...

.PHONY: lint
lint: ## gofmt, go vet and go mod tidy must be clean
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

BENCHTIME ?= 500ms

.PHONY: bench
bench: ## Report (cmd/edlbench: accounting table, pass examples/s and speedup, peak RSS against n, coder ns/symbol), the go benchmarks (BENCHTIME=500ms), the torch plugin's per-example overhead
	$(GO) build -o $(BIN)/ ./cmd/edl
	$(GO) run ./cmd/edlbench -edl $(BIN)/edl
	$(GO) test -run='^$$' -bench=. -benchtime=$(BENCHTIME) ./shared/...
	@echo "predictor plugin: digits, batch-32 MLP, through the torch plugin against PyTorch alone (ratio: plugin/alone)"
	$(GO) test -run='^$$' -bench=TorchPlugin -benchtime=10x ./proto/predictor/

PYTHON ?= /usr/bin/python3
PEERROUNDS ?= 5

.PHONY: bench-peer
bench-peer: ## edlwire against PyTorch (Debian's python3-torch, installed if missing and root) on the same passes, interleaved PEERROUNDS=5 times; not a test
	@$(PYTHON) -c 'import torch' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y python3-torch libopenblas0-pthread || { apt-get update && apt-get install -y python3-torch libopenblas0-pthread; }; \
	  else echo "bench-peer needs PyTorch for $(PYTHON): apt-get install python3-torch (as root)"; exit 1; fi; }
	$(GO) build -o $(BIN)/ ./cmd/edlbench
	$(PYTHON) scripts/bench_peer.py --edlbench $(BIN)/edlbench --rounds $(PEERROUNDS)

.PHONY: proto
proto: ## Regenerate proto/wirepb, proto/predictorpb and predictors/torch's Python from the .proto files (needs protoc, python3-grpc-tools)
	@./scripts/genproto.sh .

.PHONY: check-proto
check-proto: ## Fail if the committed generated code differs from a fresh generation
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && ./scripts/genproto.sh $$tmp && \
	  rc=0; for f in $(PROTO_GEN); do diff $$f $$tmp/$$f > $$tmp/diff || { cat $$tmp/diff; rc=1; }; done; \
	  if [ $$rc -ne 0 ]; then echo "generated code is stale: run make proto"; exit 1; fi; \
	  echo "generated code is current"

EXPERIMENTS ?= docs/experiments

.PHONY: experiments
experiments: ## Full-size toy models of EDL.md, EDL curves, elicitation versus teaching, the intervention and capacity, with plots, into docs/experiments (EXPERIMENTS=DIR)
	$(GO) build -o $(BIN)/ ./cmd/edl
	mkdir -p $(EXPERIMENTS)
	$(BIN)/edl toy all --out $(EXPERIMENTS)/toys | tee $(EXPERIMENTS)/toys.txt
	$(BIN)/edl curve --n 10000 --test 10000 --validation 2000 --epochs 30 --lr 0.1 --seeds 3 --grid log:25 \
	  --out $(EXPERIMENTS)/curve-synthetic | tee $(EXPERIMENTS)/curve-synthetic.txt
	$(BIN)/edl curve --task coupon --model table --alpha 1e-6 --classes 16 --batch 1 --n 2000 --test 4000 --seeds 5 --control=false --grid log:30 \
	  --out $(EXPERIMENTS)/curve-coupon | tee $(EXPERIMENTS)/curve-coupon.txt
	$(BIN)/edl curve --task hypothesis --model hypothesis --classes 64 --hypotheses 64 --batch 1 --n 10000 --test 5000 --control=false --grid log:25 \
	  --out $(EXPERIMENTS)/curve-hypothesis | tee $(EXPERIMENTS)/curve-hypothesis.txt
	$(BIN)/edl elicit --out $(EXPERIMENTS)/elicit | tee $(EXPERIMENTS)/elicit.txt
	$(BIN)/edl intervene --out $(EXPERIMENTS)/intervene | tee $(EXPERIMENTS)/intervene.txt
	$(BIN)/edl capacity --out $(EXPERIMENTS)/capacity | tee $(EXPERIMENTS)/capacity.txt
	$(BIN)/edl intervene --target untagged --out $(EXPERIMENTS)/latent | tee $(EXPERIMENTS)/latent.txt
	$(BIN)/edl capacity --target untagged --out $(EXPERIMENTS)/capacity-latent | tee $(EXPERIMENTS)/capacity-latent.txt

.PHONY: clean
clean: ## Remove build outputs
	rm -rf $(BIN)
