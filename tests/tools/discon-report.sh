#!/usr/bin/env bash
# discon-report on the committed traces: golden reports; trap counts that
# follow the raw events; the same report from files and from a database;
# JSON and CSV shapes; filters; bad input.   Environment: REPORT, T2S,
# TRACE_DUMP, EDGE, SRCDIR.
set -euo pipefail
tmp=$(mktemp -d /tmp/discon-report.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
data=$SRCDIR/tests/data
x86=$data/x86_64-boot a64=$data/aarch64-boot.discon

# 1. Golden reports (regenerate with the commands in tests/data/README).
"$REPORT" --symbols "$data/x86_64-boot.syms" "$x86" >"$tmp/x86.txt"
diff -u "$data/x86_64-boot.report.txt" "$tmp/x86.txt" || fail "x86_64 report changed"
"$REPORT" --symbols "$data/aarch64-boot.syms" "$a64" >"$tmp/a64.txt"
diff -u "$data/aarch64-boot.report.txt" "$tmp/a64.txt" || fail "aarch64 report changed"
echo "ok: golden reports of both boots"

# 2. The x86 counts follow the raw events, read independently: every raw
#    EXCEPTION is paired with the INTERRUPT delivering it, so exception
#    traps == raw exceptions and all traps == raw interrupts.
read -r raw_int raw_exc < <("$TRACE_DUMP" "$x86" | awk '/^vcpu/ { i += $4; e += $6 } END { print i, e }')
grep -q "events      $((raw_int + raw_exc)) raw -> $raw_int traps (rule: x86 exception pairs)" "$tmp/x86.txt" ||
  fail "x86 trap total is not the raw interrupt count $raw_int"
grep -q "exception $raw_exc (" "$tmp/x86.txt" || fail "x86 exception traps are not the raw $raw_exc"
grep -q "^  complete    yes" "$tmp/x86.txt" || fail "x86 trace not complete"
for f in "$tmp/x86.txt" "$tmp/a64.txt"; do
  sed -n '/^Double traps/,/^Fault loops/p' "$f" | grep -x '  none' >/dev/null || fail "a normal boot shows a double trap"
  sed -n '/^Fault loops/,/^Last events/p' "$f" | grep -x '  none' >/dev/null || fail "a normal boot shows a fault loop"
  awk 'length($0) > 80 { exit 1 }' "$f" || fail "$f has lines over 80 columns"
done
echo "ok: trap counts follow the raw events ($raw_exc exceptions, $raw_int traps); no double traps or loops in the boots"

# 3. From a trace2sqlite database: the same report.
"$T2S" -o "$tmp/boot.db" "$x86" 2>/dev/null
"$REPORT" --symbols "$data/x86_64-boot.syms" "$tmp/boot.db" >"$tmp/db.txt"
diff -u "$tmp/x86.txt" "$tmp/db.txt" || fail "the database gives another report"
"$T2S" -o "$tmp/sym.db" --symbols "$data/x86_64-boot.syms" --kaslr-offset auto "$x86" 2>/dev/null
"$REPORT" "$tmp/sym.db" >"$tmp/dbsym.txt"
# The same but for how the slide was known: found here, stored there.
diff -u <(sed 's/ (found)$/ (stored)/' "$tmp/x86.txt") "$tmp/dbsym.txt" ||
  fail "the database's own symbols give another report"
"$T2S" -o "$tmp/agg.db" --aggregate-only "$x86" 2>/dev/null
"$REPORT" --symbols "$data/x86_64-boot.syms" "$tmp/agg.db" >"$tmp/agg.txt"
# Counts and shares agree; rates differ as whole seconds bound the duration.
freq() { sed -n '/^Trap frequencies/,/^$/p' "$1" | sed 's/ *[0-9]*$//'; }
diff <(freq "$tmp/x86.txt") <(freq "$tmp/agg.txt") || fail "aggregate-only frequencies differ"
grep -q "not available: an aggregate-only database" "$tmp/agg.txt" || fail "aggregate-only limits not said"
# An aggregate-only database keeps the kinds trace2sqlite named at load:
# the report's kinds are its trap_kinds view's (aarch64: named from ESR),
# and it says what it cannot know rather than print zeros for it.
"$T2S" -o "$tmp/agga.db" --aggregate-only "$data/aarch64-boot-returns.discon" 2>/dev/null
"$REPORT" --format json "$tmp/agga.db" |
  python3 -c 'import json,sys; [print("%s|%d" % (k["kind"], k["count"])) for k in json.load(sys.stdin)["trap_kinds"]]' |
  sort >"$tmp/agga.kinds"
sqlite3 "$tmp/agga.db" "SELECT kind || '|' || count FROM trap_kinds" | sort >"$tmp/agga.view"
[ -s "$tmp/agga.view" ] || fail "no kinds in the aggregate-only database"
diff -u "$tmp/agga.view" "$tmp/agga.kinds" || fail "aggregate-only: the report's kinds are not the trap_kinds view's"
"$REPORT" "$tmp/agga.db" >"$tmp/agga.txt"
grep -q "^Time in handlers, nesting, double traps$" "$tmp/agga.txt" &&
  ! grep -q "matched, .* unmatched" "$tmp/agga.txt" || fail "aggregate-only: returns counted as if none matched"
# A window or a vCPU never moves the KASLR slide: it is found from the
# whole trace's exception handlers (the first 0.5 s alone has too few of
# them), on files, a database and an aggregate-only one alike.
slide=$(grep -o 'KASLR slide 0x[0-9a-f]* on [0-9]* (found)' "$tmp/x86.txt")
[ "$slide" != "${slide#KASLR slide 0x0 }" ] && fail "the whole trace finds no slide: $slide"
for in in "$x86" "$tmp/boot.db" "$tmp/agg.db"; do
  for w in "--from 0 --to 0.5" "--vcpu 1 --from 3 --to 4"; do
    # shellcheck disable=SC2086 # $w: the options, split
    got=$("$REPORT" --symbols "$data/x86_64-boot.syms" $w "$in" | grep -o 'KASLR slide .*')
    [ "$got" = "$slide" ] || fail "$in $w: '$got', not the whole trace's '$slide'"
  done
done
# Cause fields make the round trip: every shape of make_edge_traces'
# causes.discon (none, each alone, all, 0 and 2^64 - 1) gives the same
# report, in every format, from the database as from the file.
"$EDGE" "$tmp"
"$T2S" -o "$tmp/causes.db" "$tmp/causes.discon" 2>/dev/null || fail "load causes.discon"
for f in text csv json; do
  "$REPORT" --format "$f" "$tmp/causes.discon" >"$tmp/causes.files.$f"
  "$REPORT" --format "$f" "$tmp/causes.db" >"$tmp/causes.db.$f"
  diff -u "$tmp/causes.files.$f" "$tmp/causes.db.$f" || fail "causes: the $f report from the database differs"
done
echo "ok: a database (raw, with symbols, aggregate-only) gives the same report; a window or --vcpu keeps the KASLR slide"

# Never a quiet wrong answer: control bytes of the header's names are shown
# escaped, a clock going back and events of vCPUs beyond 4096 are said, in
# every format, and the report is not complete.
for f in text csv json; do
  "$REPORT" --format "$f" "$tmp/hostile.discon" >"$tmp/hostile.$f" 2>"$tmp/hostile.$f.err" || true
  ! LC_ALL=C grep -q $'[\x1b\x07]' "$tmp/hostile.$f" || fail "hostile ($f): control bytes printed raw"
  grep -q "warning: 1 events of vCPUs 4096 and above not analysed" "$tmp/hostile.$f.err" ||
    fail "hostile ($f): no warning for vCPU 5000: $(cat "$tmp/hostile.$f.err")"
  grep -q "warning: 1 event(s) earlier than the one before" "$tmp/hostile.$f.err" ||
    fail "hostile ($f): no warning for the clock going back"
done
grep -q 'aarch64\\x1b\]0;pwned\\x07' "$tmp/hostile.text" || fail "hostile: target not shown escaped"
grep -q 'host h\\x1b\[2Jost\\xc2\\x9b' "$tmp/hostile.text" || fail "hostile: host not shown escaped"
grep -q '^  complete    NO: 1 events of vCPUs 4096 and above not analysed' "$tmp/hostile.text" ||
  fail "hostile: called complete: $(grep complete "$tmp/hostile.text")"
grep -q '^  clock       1 event(s) earlier than the one before on their vCPU' "$tmp/hostile.text" ||
  fail "hostile: the clock going back is not said"
grep -qx 'time_backwards,1' "$tmp/hostile.csv" && grep -qx 'beyond_vcpus,1' "$tmp/hostile.csv" ||
  fail "hostile: CSV counts"
echo "ok: a hostile trace's names are escaped, its clock and vCPUs said, not complete"

# 4. JSON parses and has its documented shape; CSV has every section.
"$REPORT" --format json --symbols "$data/x86_64-boot.syms" "$x86" >"$tmp/r.json"
python3 - "$tmp/r.json" <<'PY' || fail "JSON shape"
import json, sys
r = json.load(open(sys.argv[1]))
assert set(r) == {"trace", "summary", "trap_kinds", "kind_sources", "syscalls", "interrupts", "handlers",
                  "sources", "rate", "double_traps", "fault_loops", "handler_time", "nesting",
                  "tail"}, r.keys()
# A trace without returns: the distance rule, said so.
assert r["handler_time"] == {"paired": False} and r["nesting"] == {"rule": "distance"}, r["nesting"]
# x86 kinds come from the handlers' Linux entry symbols: counts add up to all traps.
assert sum(k["count"] for k in r["trap_kinds"]) == r["summary"]["traps"]
pf = r["trap_kinds"][0]
assert pf["kind"] == "#PF" and pf["class"] == "page fault/memory abort", pf
assert {i["number"]: i["kind"] for i in r["interrupts"]}[0xec] == "local APIC timer", r["interrupts"]
assert r["summary"]["complete"] is True and r["summary"]["traps"] == sum(r["summary"]["by_type"].values())
assert r["handlers"][0]["handler"] == "0xffffffff9f401280" and r["handlers"][0]["handler_symbol"] == "asm_exc_page_fault+0x0"
assert len(r["rate"]["exception"]) >= 4 and r["double_traps"] == [] and len(r["tail"]) == 2
PY
"$REPORT" --format csv "$x86" >"$tmp/r.csv"
for s in summary trap_kinds kind_sources syscalls interrupts vcpus handlers sources rate double_traps \
         fault_loops tail handler_time nesting nesting_chains; do
  grep -qx "# $s" "$tmp/r.csv" || fail "CSV section $s missing"
done
[ "$(grep '^# ' "$tmp/r.csv" | sed -n 2p)" = "# trap_kinds" ] || fail "trap_kinds is not the first section after the summary"
grep -qx 'kind,class,count,share,rate_per_s,top_source' "$tmp/r.csv" || fail "trap_kinds header"
grep -qx 'vcpu,source,symbol,handler,count,first_s,last_s,kind' "$tmp/r.csv" || fail "fault_loops header"
echo "ok: JSON has its documented shape, CSV every section"

# 4b. Names are never cut nor mangled: the page-fault handler renamed to
#     a 300-byte name with non-ASCII letters, the timer's with a byte that
#     is not UTF-8. JSON parses (python, strict UTF-8) and holds the long
#     name whole and the bad byte as the text "\xff"; CSV (python's csv)
#     holds it whole in every field it appears in.
long="asm_exc_page_fault_ünïcödé_$(printf 'x%.0s' $(seq 270))"
sed -e "s/ asm_exc_page_fault\$/ $long/" -e 's/ asm_sysvec_apic_timer_interrupt$/ asm_sysvec_\xffbad/' \
  "$data/x86_64-boot.syms" >"$tmp/names.syms"
# (the slide of the golden report: found from handler names, renamed here)
names=(--symbols "$tmp/names.syms" --kaslr-offset 1d600000 "$x86")
"$REPORT" --format json "${names[@]}" >"$tmp/names.json"
"$REPORT" --format csv "${names[@]}" >"$tmp/names.csv"
LONG=$long python3 - "$tmp/names.json" "$tmp/names.csv" <<'PY' || fail "long or non-ASCII names in JSON/CSV"
import csv, io, json, os, sys
want = os.environ["LONG"] + "+0x0"   # the shell passes it as UTF-8
raw = open(sys.argv[1], "rb").read()
r = json.loads(raw.decode("utf-8"))  # strict: invalid UTF-8 fails here
assert b"\\u00" not in raw, "byte escapes in the JSON"
h = {x["handler_symbol"]: x["count"] for x in r["handlers"]}
assert h.get(want) == 44744, sorted(h)
assert h.get("asm_sysvec_\\xffbad+0x0") == 1404, sorted(h)
assert any(e["to_symbol"] == want for t in r["tail"] for e in t["events"])
assert any(k["source_symbol"] for k in r["kind_sources"])
fields = [f for row in csv.reader(io.StringIO(open(sys.argv[2], encoding="utf-8").read())) for f in row]
assert fields.count(want) >= 2, fields.count(want)      # handlers, tail
assert not any(f.startswith(want[:40]) and f != want and not f.startswith(want) for f in fields)
print("long name whole in JSON and in", fields.count(want), "CSV fields")
PY
# Text: every symbol whole (a long one on a line of its own), none cut.
"$REPORT" "${names[@]}" >"$tmp/names.txt"
grep -qF "$long+0x0" "$tmp/names.txt" || fail "the long symbol is cut in text"
grep -qF 'asm_sysvec_\xffbad+0x0' "$tmp/names.txt" || fail "the bad byte is not escaped in text"
grep -q '~' "$tmp/names.txt" "$tmp/x86.txt" "$tmp/a64.txt" && fail "a text report cuts a name (~)"
echo "ok: long and non-ASCII symbols whole in text, JSON and CSV; invalid UTF-8 escaped as text"

# 5. Filters: one vCPU; a time window equal to trace2sqlite's.
"$REPORT" --vcpu 1 --tail 0 "$x86" | awk '/^  vCPU  /{ hdr = 1; next } hdr && /^  [0-9]/ { print $1 } /^$/ { hdr = 0 }' >"$tmp/vcpus"
[ "$(cat "$tmp/vcpus")" = 1 ] || fail "--vcpu 1 shows vCPUs $(cat "$tmp/vcpus")"
"$T2S" -o "$tmp/win.db" --from 1 --to 2 "$x86" 2>/dev/null
want=$(sqlite3 "$tmp/win.db" "SELECT COUNT(*) FROM events")
"$REPORT" --from 1 --to 2 "$x86" | grep "events      $want raw" >/dev/null || fail "--from 1 --to 2 is not $want events"
echo "ok: --vcpu and --from/--to filter"

# 6. Bad input: one line and a non-zero status.
bad() { local want=$1; shift
  set +e; "$REPORT" "$@" >/dev/null 2>"$tmp/err"; local rc=$?; set -e
  [ "$rc" = "$want" ] || fail "discon-report $*: exit $rc, expected $want"
  [ -s "$tmp/err" ] || fail "discon-report $*: no message"; }
bad 2
bad 2 --format xml "$x86"
bad 2 --top x "$x86"
bad 2 --from 2 --to 1 "$x86"
bad 2 --loop 1 "$x86"
bad 2 --kaslr-offset 10 "$x86"
# A vCPU the trace does not have: an error, not an empty report (2 vCPUs).
bad 2 --vcpu 2 "$x86"
bad 2 --vcpu 7 "$a64"
grep -qx 'discon-report: --vcpu 7: the trace has 2 vCPU(s), 0 to 1' "$tmp/err" ||
  fail "--vcpu 7 on 2 vCPUs: $(cat "$tmp/err")"
bad 1 "$tmp/missing"
printf 'junk' >"$tmp/junk"
bad 1 "$tmp/junk"
bad 1 --symbols "$tmp/junk" "$x86"
bad 1 --symbols "$tmp/missing" "$x86" # as discon-record and trace2sqlite
# Two databases are read as trace files: each is said to be a database.
"$T2S" -o "$tmp/two.db" "$a64" 2>/dev/null
bad 1 "$tmp/two.db" "$tmp/two.db"
grep -qx "discon-report: $tmp/two.db: a database (SQLite, as trace2sqlite writes), not a discon trace: read it with discon-report $tmp/two.db, or sqlite3" \
  "$tmp/err" || fail "two databases: $(cat "$tmp/err")"
head -c 100000 "$x86"/*-000000.discon >"$tmp/cut.discon"
bad 3 "$tmp/cut.discon"
# Enormous: a real trace followed by 1 GiB of zeros reads in bounded memory.
cp "$a64" "$tmp/huge.discon"
truncate -s 1G "$tmp/huge.discon"
set +e; /usr/bin/time -f '%M' -o "$tmp/rss" "$REPORT" "$tmp/huge.discon" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 3 ] || fail "1 GiB of garbage: exit $rc, expected 3"
[ "$(tail -n1 "$tmp/rss")" -lt 204800 ] || fail "1 GiB of garbage took $(tail -n1 "$tmp/rss") KiB"
rm -f "$tmp/huge.discon"
"$REPORT" --help | grep 'usage: discon-report' >/dev/null || fail "--help"
echo "ok: bad flags and bad input fail cleanly"
