#!/usr/bin/env bash
# The README's decode command, taken from the README itself, on a rotated
# recording: discon-record --rotate-size with a decimal size and a unit
# (several files) into -o a/b whose parents do not exist; the command's
# output holds every event the tools read, one header per file and one end
# record. Also: discon-record's summary says nothing of vCPUs beyond
# max_vcpus when there are none, and counts the traps of every file by
# kind as the report does.
. "$(dirname "$0")/lib.sh"
cmd=$(grep -m1 '^cat DIR/\*\.discon | lz4 -dc | protoc ' "$SRCDIR/README.md") ||
  fail "the README has no 'cat DIR/*.discon | lz4 -dc | protoc ...' line"
build_svc_guest 100000

out=$tmp/not/yet/there
"$DISCON_RECORD" -o "$out" --returns off --rotate-size 0.004MB --flush-ms 20 -- "$QEMU" "${svc_guest_qemu[@]}" \
  -kernel "$tmp/guest.elf" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "discon-record failed"; }
files=$(ls "$out"/*.discon | wc -l)
[ "$files" -ge 3 ] || fail "--rotate-size 0.004MB gave $files file(s), expected several"
echo "ok: -o with missing parents, --rotate-size 0.004MB: $files files"

# The README's line, DIR replaced, run from the source tree as written.
(cd "$SRCDIR" && bash -o pipefail -c "${cmd//DIR/$out}") >"$tmp/decoded" ||
  fail "the README's decode command failed: $cmd"
events=$(grep -c '^ *time_delta:' "$tmp/decoded")
headers=$(grep -c '^ *header {' "$tmp/decoded")
ends=$(grep -c '^ *end {' "$tmp/decoded")
expect_eq "events decoded" $((count + 1)) "$events"
expect_eq "headers decoded (one per file)" "$files" "$headers"
expect_eq "end records decoded" 1 "$ends"
echo "ok: the README's decode command read $events events from $files files"
# The same as the lone-file form fails with several files (why the README
# says cat): lz4 takes the second file for an output name.
! lz4 -dc "$out"/*.discon </dev/null >/dev/null 2>&1 || fail "lz4 -dc with $files files worked: the README note is wrong"

grep -q "beyond max_vcpus" "$tmp/err" && fail "summary speaks of vCPUs beyond max_vcpus: $(cat "$tmp/err")"
# The summary's traps by kind read back all the rotated files.
check_summary_kinds "$out" "$tmp/err"
expect_eq "traps in the summary of $files files" $((count + 1)) "$summary_traps"
"$REPORT" "$out" | grep -q "events      $((count + 1)) raw -> $((count + 1)) traps" ||
  fail "the report does not read the rotated files whole"
echo "ok: the summary has no '0 of vCPUs beyond max_vcpus'; the report reads all $files files"
