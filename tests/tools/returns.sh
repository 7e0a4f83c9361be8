#!/bin/bash
# Traps paired with their returns, on the hand-made traces of
# tests/edge_returns.c (their header comment gives each expected value):
# trace2sqlite's pairing columns, views and unmatched returns, a trap open
# across files loaded in two runs, and discon-report's sections in text
# (80 columns), JSON and CSV, equal from the files and from the database.
# Environment: T2S, REPORT, EDGE.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$EDGE" "$tmp"
q() { sqlite3 -separator '|' "$1" "$2"; }
eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }

# 1. The database: one row per trap with its pairing, exactly.
"$T2S" -o "$tmp/a.db" "$tmp/returns-a64.discon" 2>/dev/null
eq "a64 traps" "$(q "$tmp/a.db" "SELECT vcpu, seq, depth, ifnull(parent_seq, '-'),
    ifnull(return_ns - (SELECT clock_monotonic_ns FROM traces), '-'), ifnull(duration_ns, '-'),
    e.name, never_returned FROM traps JOIN trap_ends e USING (ended) ORDER BY vcpu, seq" | tr '\n' ' ')" \
   "0|0|1|-|5000|4000|returned|0 0|1|2|0|2500|500|returned|0 0|3|2|0|3400|400|returned|0 0|7|1|-|-|-|open at the end|1 0|8|2|7|-|-|open at the end|1 1|0|1|-|-|-|events lost|1 1|1|2|0|-|-|events lost|1 1|6|1|-|3300|200|returned|0 "
eq "a64 events" "$(q "$tmp/a.db" "SELECT COUNT(*), SUM(type = 8) FROM events")" "14|6"
eq "unmatched returns" "$(q "$tmp/a.db" "SELECT vcpu || ':' || seq FROM unmatched_returns ORDER BY vcpu" | tr '\n' ' ')" "0:6 1:5 "
eq "open_traps" "$(q "$tmp/a.db" "SELECT vcpu, seq, depth, ifnull(parent_seq, '-'), ended FROM open_traps" | tr '\n' ' ')" \
   "0|7|1|-|open at the end 0|8|2|7|open at the end "
# Handler time: nearest rank over 2 svc durations (200, 4000): p50 200, p99 4000.
svc=$(q "$tmp/a.db" "SELECT kind FROM handler_time_by_kind ORDER BY total_ns DESC LIMIT 1")
eq "by kind" "$(q "$tmp/a.db" "SELECT count, total_ns, p50_ns, p99_ns, max_ns FROM handler_time_by_kind" | tr '\n' ' ')" \
   "2|4200|200|4000|4000 1|500|500|500|500 1|400|400|400|400 "
eq "by symbol" "$(q "$tmp/a.db" "SELECT to_pc, count, total_ns FROM handler_time_by_symbol" | tr '\n' ' ')" \
   "0xffff800010000400|2|4200 0xffff800010000280|1|500 0xffff800010000200|1|400 "
eq "types stored" "$(q "$tmp/a.db" "SELECT types FROM traces")" "31"
echo "ok: pairing columns, unmatched returns, open traps and handler-time views are exact"

# 2. x86: the exception pair is one trap closed by iretq, the SYSCALL one
# closed by sysretq; a trace without returns has NULL pairing columns.
"$T2S" -o "$tmp/x.db" "$tmp/returns-x86.discon" 2>/dev/null
eq "x86 traps" "$(q "$tmp/x.db" "SELECT seq, type, events, depth, ifnull(parent_seq, '-'), duration_ns FROM traps ORDER BY seq" | tr '\n' ' ')" \
   "0|16|1|1|-|1000 1|2|2|2|0|300 "
eq "x86 syscall" "$(q "$tmp/x.db" "SELECT syscall FROM traps WHERE type = 16")" "110"
"$T2S" -o "$tmp/old.db" "$tmp/causes.discon" 2>/dev/null
eq "no returns" "$(q "$tmp/old.db" "SELECT COUNT(*) FROM traps WHERE depth IS NOT NULL OR ended IS NOT NULL")" "0"
echo "ok: x86 pairs and SYSCALL traps close on their returns; no pairing without returns"

# 3. A trap open across files: loaded in two runs, the same rows as one load.
"$T2S" -o "$tmp/s1.db" "$tmp/retsplit/trace-ret-000000.discon" 2>/dev/null || eq "file 0 alone" 3 $?
eq "open after file 0" "$(q "$tmp/s1.db" "SELECT seq, ended, never_returned FROM traps ORDER BY seq" | tr '\n' ' ')" "0|0|1 1|0|1 "
eq "open_traps after file 0" "$(q "$tmp/s1.db" "SELECT COUNT(*) FROM open_traps")" "2"
"$T2S" -o "$tmp/s1.db" "$tmp/retsplit/trace-ret-000001.discon" 2>/dev/null
"$T2S" -o "$tmp/s2.db" "$tmp/retsplit" 2>/dev/null
cols="vcpu, seq, depth, parent_seq, return_ns, duration_ns, ended, never_returned"
eq "split load" "$(q "$tmp/s1.db" "SELECT $cols FROM traps ORDER BY seq" | tr '\n' ' ')" \
   "$(q "$tmp/s2.db" "SELECT $cols FROM traps ORDER BY seq" | tr '\n' ' ')"
eq "split durations" "$(q "$tmp/s1.db" "SELECT seq, duration_ns FROM traps ORDER BY seq" | tr '\n' ' ')" "0|1000 1|200 "
eq "split leftovers" "$(q "$tmp/s1.db" "SELECT COUNT(*) FROM _discon_trap_open")" "0"
echo "ok: a trap open across files loaded in two runs returns as in one load"

# 4. The report: every section, exact, within 80 columns.
"$REPORT" "$tmp/returns-a64.discon" >"$tmp/a.txt"
awk 'length($0) > 80 { print FILENAME ":" NR ": " length($0); bad = 1 } END { exit bad }' "$tmp/a.txt" \
  || fail "report lines over 80 columns"
grep -q '^  returns     4 matched, 2 unmatched' "$tmp/a.txt" || fail "returns line"
grep -q '^  deepest     2 trap(s) nested' "$tmp/a.txt" || fail "deepest"
grep -q '^  nested      4 trap(s) taken inside a handler, 3 of them interrupts' "$tmp/a.txt" || fail "nested"
grep -q '^  never       2 open at the end, 2 ended by lost events, 0 too deep' "$tmp/a.txt" || fail "never"
grep -A2 '^Double traps' "$tmp/a.txt" | grep -q 'privileged one' || fail "double trap rule"
[ "$(grep -c '^  vCPU 0, depth 2: the trap, then' "$tmp/a.txt")" = 1 ] || fail "one double trap"
# chain lines: [mark] time kind... source -> handler (a kind too long for
# its column is on a line of its own after the row: not a chain line)
chain() { grep -A3 "$1" "$tmp/a.txt" | awk '$1 == "=>" || $1 ~ /^[0-9]+\.[0-9]+$/' | head -2; }
ends() { awk '{ t = $1 == "=>" ? $1 " " $2 : $1; print t, $(NF-2), $NF }' | tr '\n' '|'; }
eq "double chain" "$(chain '^  vCPU 0, depth 2: the trap' | ends)" \
   "=> 0.000003 ffff800010000410 ffff800010000200|0.000001 400000 ffff800010000400|"
eq "post-mortem vCPU 0" \
   "$(chain '^  vCPU 0 inside ffff800010000280 since 0.000008 s, nested in:$' | ends)" \
   "=> 0.000008 ffff800010001008 ffff800010000280|0.000007 400010 ffff800010000400|"
grep -q '^  vCPU 1 inside' "$tmp/a.txt" && fail "vCPU 1's traps ended by the loss, not open at the end"
line=$(grep -E "^  $(printf '%-26.26s' "$svc") " "$tmp/a.txt") || fail "handler time row of $svc"
eq "svc time" "$(echo "$line" | awk '{ print $(NF-4), $(NF-3), $(NF-2), $(NF-1), $NF }')" "2 0.004 0.200 4.000 4.000"
"$REPORT" --format json "$tmp/returns-a64.discon" >"$tmp/a.json"
python3 - "$tmp/a.json" <<'PY' || fail "JSON"
import json, sys
r = json.load(open(sys.argv[1]))
h, n = r["handler_time"], r["nesting"]
assert h["paired"] and h["returns"] == 4 and h["unmatched_returns"] == 2, h
k = h["by_kind"][0]
assert (k["count"], k["total_ns"], k["p50_ns"], k["p99_ns"], k["max_ns"]) == (2, 4200, 200, 4000, 4000), k
assert n["rule"] == "exact" and n["max_depth"] == 2 and n["nested"] == 4 and n["nested_interrupts"] == 3
assert n["double_traps_total"] == 1 and len(n["double_traps"]) == 1, n
d = n["double_traps"][0]
assert d["vcpu"] == 0 and d["seq"] == 3 and d["depth"] == 2 and len(d["open"]) == 1 and d["open"][0]["from"] == "0x400000"
o = n["open_at_end_by_vcpu"]
assert len(o) == 1 and o[0]["seq"] == 8 and o[0]["open"][0]["to"] == "0xffff800010000400", o
assert r["double_traps"] == []  # the distance rule's list: not used with returns
PY
"$REPORT" --format csv "$tmp/returns-a64.discon" >"$tmp/a.csv"
grep -qx 'exact,4,2,2,4,3,2,2,0,1' "$tmp/a.csv" || fail "CSV nesting row"
grep -q '^double_trap,0,3,' "$tmp/a.csv" || fail "CSV double trap"
grep -q '^open_at_end,0,8,.*,2,0xffff800010000280,,7:0xffff800010000400$' "$tmp/a.csv" || fail "CSV open at end"
"$REPORT" "$tmp/returns-x86.discon" >"$tmp/x.txt"
grep -q '^  returns     2 matched, 0 unmatched' "$tmp/x.txt" || fail "x86 returns"
[ "$(grep -c '^  vCPU 0, depth 2: the trap' "$tmp/x.txt")" = 1 ] || fail "x86 double trap (levels not recorded)"
grep -q ' syscall 1 ' "$tmp/x.txt" || fail "x86: the SYSCALL trap counted by type"
echo "ok: report sections exact in text (80 columns), JSON and CSV"

# 5. From the database, the same report.
for f in text json csv; do
  for t in returns-a64 returns-x86; do
    "$T2S" -o "$tmp/$t.db" "$tmp/$t.discon" 2>/dev/null
    "$REPORT" --format $f "$tmp/$t.discon" >"$tmp/$t.f.$f"
    "$REPORT" --format $f "$tmp/$t.db" >"$tmp/$t.d.$f"
    diff -u "$tmp/$t.f.$f" "$tmp/$t.d.$f" >&2 || fail "$t: the $f report from the database differs"
  done
done
echo "ok: the database gives the same report"

# 6. The post-mortem timeline: how each trap ended, a space before it also
#    after a kind name longer than its column, and a return stamped before
#    its trap (the clock went back) shown as the negative time it is, not
#    as 2^64 ns; the warning says why.
"$REPORT" --last 1ms "$tmp/returns-a64.discon" >"$tmp/pm.txt"
grep -q ' data abort (same EL), translation fault level 1 returned after 0.400 us$' "$tmp/pm.txt" ||
  fail "post-mortem: long kind name run into how it ended: $(grep 'data abort' "$tmp/pm.txt")"
"$REPORT" --last 1ms "$tmp/retback.discon" >"$tmp/back.txt" 2>"$tmp/back.err"
grep -q ' SVC64  *returned after -0.200 us$' "$tmp/back.txt" ||
  fail "post-mortem: a return before its trap: $(grep 'returned after' "$tmp/back.txt")"
grep -q 'warning: 1 event(s) earlier than the one before on their vCPU' "$tmp/back.err" ||
  fail "no warning for the clock going back: $(cat "$tmp/back.err")"
echo "ok: the post-mortem timeline says how each trap ended, a clock going back included"
