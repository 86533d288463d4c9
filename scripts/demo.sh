#!/usr/bin/env bash
# Starts Bob on a free loopback port, runs Alice on the default task against
# him, prints Alice's readable summary and JSON result, and stops Bob.
set -euo pipefail
bin=${1:-bin}
tmp=$(mktemp -d)
bob_pid=
cleanup() { [ -n "$bob_pid" ] && kill "$bob_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
mkfifo "$tmp/bob.out"
"$bin/bob" --listen 127.0.0.1:0 --once >"$tmp/bob.out" 2>"$tmp/bob.err" &
bob_pid=$!
exec 3<"$tmp/bob.out"
read -r line <&3 || { echo "bob did not start:"; cat "$tmp/bob.err"; exit 1; }
addr=$(printf '%s' "$line" | sed -n 's/.*"addr":"\([^"]*\)".*/\1/p')
[ -n "$addr" ] || { echo "unexpected first line from bob: $line"; exit 1; }
echo "bob listening on $addr; running alice on the default task ..." >&2
shift || true
"$bin/alice" --bob "$addr" "$@" >"$tmp/alice.json"
echo "alice's JSON result:" >&2
cat "$tmp/alice.json"
while read -r line <&3; do
  case "$line" in *'"event":"session"'*) echo "bob's session line:" >&2; echo "$line"; break;; esac
done
wait "$bob_pid"; bob_pid=
