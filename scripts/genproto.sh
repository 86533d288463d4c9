#!/usr/bin/env bash
# Generates the Go code for proto/edlwire.proto into the folder $1 with
# Debian's protoc and the plugin versions pinned in go.mod (go get -tool).
set -euo pipefail
out=${1:?usage: genproto.sh OUTDIR}
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
plugins=$(mktemp -d)
trap 'rm -rf "$plugins"' EXIT
go build -o "$plugins/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
go build -o "$plugins/protoc-gen-go-grpc" google.golang.org/grpc/cmd/protoc-gen-go-grpc
mkdir -p "$out"
gen=$(mktemp -d)
trap 'rm -rf "$plugins" "$gen"' EXIT
PATH="$plugins:$PATH" protoc -I proto \
  --go_out="$gen" --go_opt=paths=source_relative \
  --go-grpc_out="$gen" --go-grpc_opt=paths=source_relative \
  proto/edlwire.proto
# protoc-gen-go writes the protoc version into the header; it is part of the
# generated file, so check-proto compares it too.
mv "$gen"/edlwire.pb.go "$gen"/edlwire_grpc.pb.go "$out"/
