#!/usr/bin/env bash
# Stock Debian tools read a trace: `lz4 -dc FILE | protoc --decode=discon.Trace
# schema/discon.proto` works, and its event count equals the reader's.
set -euo pipefail
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
want=$("$GEN" "$tmp/t.discon" | sed -n 's/^events //p')
lz4 -dc "$tmp/t.discon" | protoc --proto_path="$SRCDIR/schema" --decode=discon.Trace \
  "$SRCDIR/schema/discon.proto" >"$tmp/t.txt"
events=$(grep -c '^ *time_delta:' "$tmp/t.txt")
batches=$(grep -c '^ *events {' "$tmp/t.txt")
headers=$(grep -c '^ *header {' "$tmp/t.txt")
ends=$(grep -c '^ *end {' "$tmp/t.txt")
[ "$headers" = 1 ] && [ "$ends" = 1 ] && [ "$batches" -gt 100 ] ||
  { echo "FAIL: headers=$headers ends=$ends batches=$batches"; exit 1; }
echo "protoc decoded $events events in $batches batches"
[ "$events" = "$want" ] || { echo "FAIL: protoc decoded $events events, the reader $want"; exit 1; }
