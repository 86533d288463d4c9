#!/usr/bin/env bash
# Generates the code of the project's .proto files into the folder $1, laid
# out as in the repository: $1/proto/wirepb and $1/proto/predictorpb (Go,
# Debian's protoc with the plugin versions pinned in go.mod: go get -tool)
# and $1/predictors/torch (Python for the reference plugin: protoc's own
# --python_out, and grpc_tools from Debian's python3-grpc-tools for the
# service stubs). `make proto` passes the repository root; check-proto
# passes a temporary folder and compares.
set -euo pipefail
out=${1:?usage: genproto.sh OUTROOT}
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
# Debian's python3 (not one earlier on PATH): its packages are the ones setup.sh installs.
py=/usr/bin/python3
"$py" -c 'import grpc_tools.protoc' 2>/dev/null || { echo "grpc_tools not found: apt-get install python3-grpc-tools" >&2; exit 1; }
plugins=$(mktemp -d)
gen=$(mktemp -d)
trap 'rm -rf "$plugins" "$gen"' EXIT
go build -o "$plugins/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
go build -o "$plugins/protoc-gen-go-grpc" google.golang.org/grpc/cmd/protoc-gen-go-grpc
for f in edlwire predictor; do
  PATH="$plugins:$PATH" protoc -I proto \
    --go_out="$gen" --go_opt=paths=source_relative \
    --go-grpc_out="$gen" --go-grpc_opt=paths=source_relative \
    "proto/$f.proto"
done
mkdir -p "$gen/py"
protoc -I proto --python_out="$gen/py" proto/predictor.proto
"$py" -m grpc_tools.protoc -I proto --grpc_python_out="$gen/py" proto/predictor.proto
# protoc-gen-go writes the protoc version into the header; it is part of the
# generated file, so check-proto compares it too.
mkdir -p "$out/proto/wirepb" "$out/proto/predictorpb" "$out/predictors/torch"
mv "$gen"/edlwire.pb.go "$gen"/edlwire_grpc.pb.go "$out/proto/wirepb/"
mv "$gen"/predictor.pb.go "$gen"/predictor_grpc.pb.go "$out/proto/predictorpb/"
mv "$gen"/py/predictor_pb2.py "$gen"/py/predictor_pb2_grpc.py "$out/predictors/torch/"
