#!/bin/bash
# discon-report --format perfetto, decoded by protoc against the project's
# Perfetto subset (tools/perfetto/perfetto_trace.proto) and replayed as
# trace_processor would (perfetto_summary.py): on the recorded x86_64 boot,
# its tracks, instants and counter sums equal the CSV report's vCPUs,
# traps and kind counts, and every interned name, category and string
# value it uses was defined before in its sequence (a file without its
# interned names must fail that check); on the hand-made returns-a64 trace
# (tests/edge_returns.c), every trap is a slice, nested as the pairing
# says, with the durations the database gives. Then the refusals.
# Environment: REPORT, EDGE, SRCDIR.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$EDGE" "$tmp"
proto=$SRCDIR/tools/perfetto
summary() { # TRACE.pf -> summary on stdout
    protoc --proto_path="$proto" --decode=perfetto.protos.Trace "$proto/perfetto_trace.proto" \
        < "$1" > "$1.txt" || fail "protoc cannot decode $1"
    python3 "$SRCDIR/tests/tools/perfetto_summary.py" < "$1.txt" || fail "bad slices in $1"
}
# CSV section NAME of report $1: its rows, without the header line.
section() { awk -v s="# $2" '$0 == s { on = 1; getline; next } on && /^$/ { exit } on' "$1"; }

# 1. The x86_64 boot, no returns: traps are instants.
boot=("$SRCDIR/tests/data/x86_64-boot" --symbols "$SRCDIR/tests/data/x86_64-boot.syms")
"$REPORT" --format csv "${boot[@]}" > "$tmp/x86.csv"
"$REPORT" --format perfetto -o "$tmp/x86.pf" "${boot[@]}"
summary "$tmp/x86.pf" > "$tmp/x86.sum"
get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
traps=$(awk -F, '$1 == "traps" { print $2 }' "$tmp/x86.csv")
[ "$traps" -gt 40000 ] || fail "the boot has $traps traps"
eq "x86 vCPU tracks" "$(get "$tmp/x86.sum" tracks)" "$(section "$tmp/x86.csv" vcpus | awk -F, '$3 > 0' | wc -l)"
eq "x86 counter tracks" "$(get "$tmp/x86.sum" counter_tracks)" "$(section "$tmp/x86.csv" trap_kinds | wc -l)"
eq "x86 instants" "$(get "$tmp/x86.sum" instants)" "$traps"
eq "x86 slices" "$(get "$tmp/x86.sum" begins)/$(get "$tmp/x86.sum" ends)" "0/0"
eq "x86 per vCPU" "$(awk '$1 == "track" { print $3 "=" $5 }' "$tmp/x86.sum" | sort)" \
   "$(section "$tmp/x86.csv" vcpus | awk -F, '$3 > 0 { print $1 "=" $3 }' | sort)"
eq "x86 counters" "$(sed -n 's/^counter \(.*\) (traps per 10 ms) \([0-9]*\)$/\1=\2/p' "$tmp/x86.sum" | sort)" \
   "$(section "$tmp/x86.csv" trap_kinds | awk -F, '{ print $1 "=" $3 }' | sort)"
# Names through the interned tables: the page faults are named by kind and
# handler, their handler is their to_symbol, their category their type.
pf=$(section "$tmp/x86.csv" trap_kinds | awk -F, '$1 == "#PF" { print $3 }')
eq "x86 instants named '#PF asm_exc_page_fault+0x0'" \
   "$(sed -n 's/^name #PF asm_exc_page_fault+0x0 //p' "$tmp/x86.sum")" "$pf"
eq "x86 to_symbol asm_exc_page_fault+0x0" \
   "$(sed -n 's/^annotation to_symbol asm_exc_page_fault+0x0 //p' "$tmp/x86.sum")" "$pf"
eq "x86 categories" "$(sed -n 's/^category //p' "$tmp/x86.sum" | sort)" \
   "$(section "$tmp/x86.csv" summary | awk -F, '($1 == "exception" || $1 == "interrupt") && $2 > 0 { print $1, $2 }' | sort)"
[ "$(grep -c '^name ' "$tmp/x86.sum")" -lt 100 ] || fail "event names are not interned once each"
eq "x86 track events with strings, not iids" "$(get "$tmp/x86.sum" literal_strings)" 0
# The check can fail: without the first event name's definition, or with a
# first packet that does not clear the state, the file is refused.
awk '/^    event_names \{/ && !done { skip = 4; done = 1 } skip { skip--; next } 1' "$tmp/x86.pf.txt" |
    python3 "$SRCDIR/tests/tools/perfetto_summary.py" >/dev/null 2>"$tmp/bad.err" &&
    fail "an undefined name_iid was accepted"
grep -q "event_names iid 1 used before it is defined" "$tmp/bad.err" || fail "undefined iid: $(cat "$tmp/bad.err")"
sed '0,/sequence_flags: 1/s//sequence_flags: 2/' "$tmp/x86.pf.txt" |
    python3 "$SRCDIR/tests/tools/perfetto_summary.py" >/dev/null 2>&1 && fail "an uncleared sequence was accepted"
bytes=$(stat -c %s "$tmp/x86.pf")
echo "ok: x86_64 boot: $traps instants on 2 vCPU tracks, $(get "$tmp/x86.sum" counter_tracks) counter tracks, as the CSV says;" \
     "names interned ($bytes bytes, $((bytes / traps)) per trap)"

# 2. Returns: slices, nested. edge_returns.c: vCPU 0 has traps 0 (returns
# after 4000 ns) holding 1 and 3 (500, 400), then 7 holding 8 open at the
# end; vCPU 1 has 0 holding 1, both lost, then 6 (200).
"$REPORT" --format csv "$tmp/returns-a64.discon" > "$tmp/r.csv"
"$REPORT" --format perfetto -o "$tmp/r.pf" "$tmp/returns-a64.discon"
summary "$tmp/r.pf" > "$tmp/r.sum"
traps=$(awk -F, '$1 == "traps" { print $2 }' "$tmp/r.csv")
eq "returns slices" "$(get "$tmp/r.sum" begins)/$(get "$tmp/r.sum" ends)/$(get "$tmp/r.sum" instants)" "$traps/$traps/0"
eq "vCPU 0 depths" "$(sed -n 's/^depths vCPU 0 //p' "$tmp/r.sum")" "0 1 1 0 1"
eq "vCPU 1 depths" "$(sed -n 's/^depths vCPU 1 //p' "$tmp/r.sum")" "0 1 0"
eq "vCPU 0 durations" "$(sed -n 's/^durations vCPU 0 //p' "$tmp/r.sum" | cut -d' ' -f1-3)" "4000 500 400"
eq "vCPU 1 durations" "$(sed -n 's/^durations vCPU 1 //p' "$tmp/r.sum" | cut -d' ' -f3)" "200"
grep -q '^annotation end open at the end ' "$tmp/r.sum" || fail "a trap open at the end does not say so"
grep -q '^annotation end events lost ' "$tmp/r.sum" || fail "a lost trap does not say so"
echo "ok: returns-a64: $traps nested slices, depths and durations as paired"

# 3. Refusals: one line, non-zero, nothing left behind.
if "$REPORT" --format perfetto -o "$tmp/no/such/dir/x.pf" "$tmp/returns-a64.discon" 2> "$tmp/err"; then
    fail "an unwritable -o was accepted"
fi
eq "unwritable -o" "$(wc -l < "$tmp/err")" "1"
if "$REPORT" --format svg "$tmp/returns-a64.discon" 2> "$tmp/err"; then fail "--format svg accepted"; fi
grep -q "expected text, json, csv, html or perfetto" "$tmp/err" || fail "--format svg: $(cat "$tmp/err")"
echo "ok: refusals"
