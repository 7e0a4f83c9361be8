#!/usr/bin/env bash
# trace2sqlite on the committed traces: the README's queries return the
# documented results; trap counts agree with the raw event pattern;
# loading is idempotent and appends; windows, aggregates and symbols work;
# bad input fails cleanly.   Environment: T2S, SRCDIR, ELF_SAMPLE, EDGE,
# REPORT, DUMP.
set -euo pipefail
tmp=$(mktemp -d /tmp/discon-t2s.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 "$1" "$2"; }
data=$SRCDIR/tests/data
x86=$data/x86_64-boot
ks=$data/x86_64-boot.syms   # the symbols of that kernel the trace touches


"$T2S" -o "$tmp/boot.db" --symbols "$ks" --kaslr-offset auto "$x86" 2>"$tmp/err" ||
  fail "load: $(cat "$tmp/err")"

# 1. Every query of the README returns the result documented under it: a
#    ```sql block, then a plain ``` block with the expected output.
mkdir "$tmp/ex"
awk -v dir="$tmp/ex" '
  /<!-- sql-examples/ { on = 1 } /<!-- end of sql-examples/ { on = 0 }
  !on { next }
  /^```sql$/ { n++; file = dir "/" n ".sql"; inblock = 1; next }
  /^```$/ && inblock == 1 { inblock = 0; want = 1; next }
  /^```$/ && want == 1 { file = dir "/" n ".want"; printf "" > file; inblock = 2; want = 0; next }
  /^```$/ && inblock == 2 { inblock = 0; next }
  inblock { print > file }' "$SRCDIR/README.md"
n=0
for sqlf in "$tmp"/ex/*.sql; do
  got=$(sqlite3 "$tmp/boot.db" <"$sqlf")
  [ "$got" = "$(cat "${sqlf%.sql}.want")" ] ||
    fail "README query $(cat "$sqlf")expected:
$(cat "${sqlf%.sql}.want")
got:
$got"
  n=$((n + 1))
done
[ "$n" -ge 7 ] || fail "only $n README queries were checked"
echo "ok: $n README queries return their documented results"

# 2. Trap counts against the raw event pattern, by an independent query:
#    an EXCEPTION with to_pc == from_pc followed on its vCPU by the next
#    sequence number's INTERRUPT is one trap; every other event is one.
#    Types are named, never numbered: their values live in discon_types.h.
pattern=$(q "$tmp/boot.db" "
  WITH e AS (SELECT t.name AS type, LEAD(t.name) OVER w AS next_type, seq, LEAD(seq) OVER w AS next_seq,
                    LAG(t.name) OVER w AS prev_type, LAG(seq) OVER w AS prev_seq, from_pc, to_pc,
                    LAG(from_pc = to_pc) OVER w AS prev_self
             FROM events JOIN types t USING (type) WINDOW w AS (PARTITION BY trace, vcpu ORDER BY seq))
  SELECT SUM(type = 'exception'),
         SUM(type = 'interrupt' AND NOT COALESCE(prev_type = 'exception' AND prev_self AND prev_seq = seq - 1, 0)),
         SUM(type = 'exception' AND from_pc = to_pc AND next_type = 'interrupt' AND next_seq = seq + 1)
  FROM e")
derived=$(q "$tmp/boot.db" "SELECT SUM(name = 'exception'), SUM(name = 'interrupt'), SUM(events = 2)
                            FROM traps JOIN types USING (type)")
[ "$pattern" = "$derived" ] || fail "traps ($derived) disagree with the raw pattern ($pattern)"
echo "ok: trap counts (exceptions|interrupts|pairs = $derived) follow the raw event pattern"

# 3. PCs above 2^63 are stored losslessly and symbolized in every view.
expect() { [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"; }
expect "kernel handler in hex" 0xffffffff9f401280 \
  "$(q "$tmp/boot.db" "SELECT printf('0x%016x', to_pc) FROM traps JOIN types USING (type) WHERE name = 'exception' GROUP BY to_pc ORDER BY COUNT(*) DESC LIMIT 1")"
expect "stored as the signed twin" -1623190912 \
  "$(q "$tmp/boot.db" "SELECT to_pc FROM traps JOIN types USING (type) WHERE name = 'exception' GROUP BY to_pc ORDER BY COUNT(*) DESC LIMIT 1")"
expect "events_hex symbol" asm_exc_page_fault+0x0 \
  "$(q "$tmp/boot.db" "SELECT to_symbol FROM events_hex WHERE to_pc = '0xffffffff9f401280' LIMIT 1")"
expect "user PCs get no kernel symbol" "" \
  "$(q "$tmp/boot.db" "SELECT from_symbol FROM events_hex WHERE from_pc = '0x0000000000483900' LIMIT 1")"
echo "ok: kernel addresses above 2^63 round-trip and symbolize"

# 4. Idempotent: the same files again add nothing.
before=$(q "$tmp/boot.db" "SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM traps), (SELECT COUNT(*) FROM files)")
"$T2S" -o "$tmp/boot.db" "$x86" 2>/dev/null
"$T2S" -o "$tmp/boot.db" "$x86"/*-000000.discon 2>/dev/null
expect "reloading" "$before" "$(q "$tmp/boot.db" "SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM traps), (SELECT COUNT(*) FROM files)")"
echo "ok: loading the same files again adds nothing ($before)"

# 5. Appending: file 0, then the directory, equals loading both at once,
#    traps included (a pair may straddle the files); the second load has no
#    --symbols, yet its x86 traps are named from the symbols stored by the first.
# (exit 3: file 0 alone is an incomplete trace, no end record)
"$T2S" -o "$tmp/append.db" --symbols "$ks" --kaslr-offset auto "$x86"/*-000000.discon 2>/dev/null ||
  expect "file 0 alone: incomplete" 3 $?
"$T2S" -o "$tmp/append.db" "$x86" 2>/dev/null
for t in "events ORDER BY vcpu, seq" "traps ORDER BY vcpu, seq" "vcpus ORDER BY vcpu"; do
  [ "$(q "$tmp/boot.db" "SELECT * FROM $t" | md5sum)" = "$(q "$tmp/append.db" "SELECT * FROM $t" | md5sum)" ] ||
    fail "appending gives other rows in $t"
done
expect "complete after append" 1 "$(q "$tmp/append.db" "SELECT complete FROM traces")"
echo "ok: appending the second file gives the same database as one load"

# 5b. An exception in one file, its delivery in the next, loaded one after
#     the other: still one trap (the pending half waits in the database).
"$EDGE" "$tmp"
"$T2S" -o "$tmp/pair.db" "$tmp"/pair/*-000000.discon 2>/dev/null || expect "file 0 alone" 3 $?
expect "pending half" 1 "$(q "$tmp/pair.db" "SELECT COUNT(*) FROM _discon_trap_pending")"
"$T2S" -o "$tmp/pair.db" "$tmp/pair" 2>/dev/null
# from the delivery (0x401004), to the handler 0xffffffff81e01280 (signed twin)
expect "straddling pair" "$(q "$tmp/pair.db" "SELECT 'exception|1|' || 0x401004 || '|' || 0xffffffff81e01280 || '|2'")" \
  "$(q "$tmp/pair.db" "SELECT name, COUNT(*), from_pc, to_pc, events FROM traps JOIN types USING (type) GROUP BY type")"
expect "pending cleared" 0 "$(q "$tmp/pair.db" "SELECT COUNT(*) FROM _discon_trap_pending")"
# Odd shapes: a vCPU numbered 0xffffffff, an event before the clock reference.
# (exit 3: a vCPU 0xffffffff cannot be checked against an end record)
"$T2S" -o "$tmp/edge.db" "$tmp/edge.discon" 2>/dev/null || expect "edge trace: incomplete" 3 $?
expect "odd events kept" "1|4294967295|3" \
  "$(q "$tmp/edge.db" "SELECT MIN(vcpu), MAX(vcpu), COUNT(*) FROM events")"
"$REPORT" "$tmp/edge.discon" >/dev/null 2>&1 || expect "discon-report on the edge trace" 3 $?
echo "ok: a pair split across files, a vCPU 0xffffffff and pre-clock times load"

# 5c. A file loaded while still being written is marked loaded up to what
#     was read; loading it again once it has grown adds exactly the rest.
head -c 100000 "$x86"/*-000000.discon >"$tmp/growing.discon"
set +e; "$T2S" -o "$tmp/grow.db" "$tmp/growing.discon" 2>"$tmp/err"; rc=$?; set -e
expect "incomplete load" 3 "$rc"
grep -q 'no whole frame yet' "$tmp/err" || fail "the cut frame is not said: $(cat "$tmp/err")"
read_then=$(sqlite3 "$tmp/grow.db" "SELECT bytes FROM files")
[ "$read_then" -lt 100000 ] || fail "marked loaded up to $read_then bytes: more than it read"
cp "$x86"/*-000000.discon "$tmp/growing.discon"
set +e; "$T2S" -o "$tmp/grow.db" "$tmp/growing.discon" 2>"$tmp/err"; rc=$?; set -e
expect "reloading a file that grew (file 0 of 2: incomplete)" 3 "$rc"
grep -q 'incomplete: no end record' "$tmp/err" || fail "reloading a file that grew: $(cat "$tmp/err")"
! grep -q 'sequence jumps' "$tmp/err" || fail "a false gap on append: $(cat "$tmp/err")"
"$T2S" -o "$tmp/whole.db" "$x86"/*-000000.discon 2>/dev/null || expect "file 0 alone" 3 $?
for t in events traps; do
  expect "$t after the rest was loaded" "$(sqlite3 "$tmp/whole.db" "SELECT COUNT(*) FROM $t")" \
    "$(sqlite3 "$tmp/grow.db" "SELECT COUNT(*) FROM $t")"
done
expect "bytes loaded" "$(stat -c %s "$tmp/growing.discon")" "$(sqlite3 "$tmp/grow.db" "SELECT bytes FROM files")"
echo "ok: a file still being written loads up to what was read, and the rest on a later load"

# 6. Time window: exactly the events of the full load in [1 s, 2 s).
"$T2S" -o "$tmp/window.db" --from 1 --to 2 "$x86" 2>/dev/null
expect "window" "$(q "$tmp/boot.db" "SELECT COUNT(*) FROM events JOIN traces USING (trace) WHERE time_ns >= clock_monotonic_ns + 1000000000 AND time_ns < clock_monotonic_ns + 2000000000")" \
  "$(q "$tmp/window.db" "SELECT COUNT(*) FROM events")"
[ "$(q "$tmp/window.db" "SELECT COUNT(*) FROM events")" -gt 0 ] || fail "empty window"
echo "ok: --from 1 --to 2 keeps exactly that window"

# 7. Aggregate-only: no raw rows, the same trap counts.
"$T2S" -o "$tmp/agg.db" --aggregate-only "$x86" 2>/dev/null
expect "aggregate rows" 0 "$(q "$tmp/agg.db" "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM traps)")"
expect "aggregate counts" "$(q "$tmp/boot.db" "SELECT type, to_pc, count FROM trap_counts ORDER BY 1, 2")" \
  "$(q "$tmp/agg.db" "SELECT type, to_pc, count FROM trap_counts ORDER BY 1, 2")"
expect "aggregate rate" "$(q "$tmp/boot.db" "SELECT * FROM trap_rate ORDER BY 1, 2, 3")" \
  "$(q "$tmp/agg.db" "SELECT * FROM trap_rate ORDER BY 1, 2, 3")"
"$T2S" -o "$tmp/aggsym.db" --aggregate-only --symbols "$ks" --kaslr-offset auto "$x86" 2>/dev/null
expect "aggregate kinds" "$(q "$tmp/boot.db" "SELECT * FROM trap_kinds")" \
  "$(q "$tmp/aggsym.db" "SELECT * FROM trap_kinds")"
expect "aggregate kinds by vCPU" "$(q "$tmp/boot.db" "SELECT * FROM trap_kinds_by_vcpu")" \
  "$(q "$tmp/aggsym.db" "SELECT * FROM trap_kinds_by_vcpu")"
echo "ok: --aggregate-only stores counts (by type, handler and kind) equal to the full load's"

# 8. Symbols: an explicit KASLR offset equals auto; ELF symbol tables load.
"$T2S" -o "$tmp/explicit.db" --symbols "$ks" --kaslr-offset 1d600000 "$x86" 2>/dev/null
expect "explicit offset" "$(q "$tmp/boot.db" "SELECT * FROM trap_counts_hex")" \
  "$(q "$tmp/explicit.db" "SELECT * FROM trap_counts_hex")"
"$T2S" -o "$tmp/elf.db" --symbols "$ELF_SAMPLE" "$x86" 2>/dev/null
[ "$(q "$tmp/elf.db" "SELECT COUNT(*) FROM symbols WHERE name = 'main'")" = 1 ] || fail "ELF symbols"
"$T2S" -o "$tmp/a64.db" --symbols "$data/aarch64-boot.syms" --kaslr-offset auto \
  "$data/aarch64-boot.discon" 2>/dev/null
# EL0 traps enter the KPTI trampoline's fixmap alias, named from tramp_vectors.
expect "arm64 handlers" "tramp_vectors EL0 sync+0x0
vectors+0x200
vectors+0x280
tramp_vectors EL0 IRQ+0x0" \
  "$(q "$tmp/a64.db" "SELECT to_symbol FROM trap_counts_hex WHERE type != 'hostcall'")"
expect "slide recorded" "0|94231628611584" "$(q "$tmp/a64.db" "SELECT file_index, slide FROM symbol_files")"
echo "ok: explicit and automatic KASLR offsets agree; ELF and arm64 symbols resolve"

# 8b. auto is the default; with nothing to match it slides by 0 (no error);
# several --symbols files merge, and only the kernel's file is slid.
"$T2S" -o "$tmp/default.db" --symbols "$ks" "$x86" 2>"$tmp/err" || fail "default: $(cat "$tmp/err")"
grep -q "KASLR slide 0x1d600000 (found" "$tmp/err" || fail "the slide is not said: $(cat "$tmp/err")"
expect "auto by default" "$(q "$tmp/boot.db" "SELECT * FROM trap_counts_hex")" \
  "$(q "$tmp/default.db" "SELECT * FROM trap_counts_hex")"
"$T2S" -o "$tmp/noanchor.db" --symbols "$ELF_SAMPLE" --kaslr-offset auto "$x86" 2>"$tmp/err" ||
  fail "auto without an anchor: $(cat "$tmp/err")"
grep -q "KASLR slide 0x0 (auto: no kernel anchor" "$tmp/err" || fail "no slide 0: $(cat "$tmp/err")"
"$T2S" -o "$tmp/two.db" --symbols "$ELF_SAMPLE" --symbols "$ks" "$x86" 2>/dev/null ||
  fail "two --symbols files"
expect "files and slides" "0|0
1|492830720" "$(q "$tmp/two.db" "SELECT file_index, slide FROM symbol_files ORDER BY 1")"
expect "both files' symbols" "1|1" "$(q "$tmp/two.db" "SELECT
  (SELECT COUNT(*) FROM symbols WHERE name = 'main'),
  (SELECT COUNT(*) FROM symbols WHERE name = 'asm_exc_page_fault')")"
expect "the kernel's names unchanged by the merge" \
  "$(q "$tmp/boot.db" "SELECT to_symbol FROM trap_counts_hex")" \
  "$(q "$tmp/two.db" "SELECT to_symbol FROM trap_counts_hex")"
echo "ok: auto by default, slide 0 without an anchor, two --symbols files merge"

# 8c. x86 kinds come from the handlers' symbols: without them every
#     exception and interrupt is "unknown"; with them the page-fault entry is
#     #PF with vector 14 and the timer's vector 0xec (asm_sysvec_apic_timer_interrupt).
expect "x86 kinds without symbols" "unknown|other|47463" \
  "$(q "$tmp/agg.db" "SELECT kind, class, SUM(count) FROM trap_kinds GROUP BY kind")"
expect "x86 #PF" "#PF|page fault/memory abort|44744" \
  "$(q "$tmp/boot.db" "SELECT kind, class, count FROM trap_kinds WHERE kind = '#PF'")"
expect "#PF handler" asm_exc_page_fault+0x0 \
  "$(q "$tmp/boot.db" "SELECT DISTINCT to_symbol FROM traps t JOIN kinds k USING (kind)
                        JOIN trap_counts_hex h ON h.to_pc = printf('0x%016x', t.to_pc)
                        WHERE k.name = '#PF'")"
expect "timer vector" "0xec|asm_sysvec_apic_timer_interrupt+0x0" \
  "$(q "$tmp/boot.db" "SELECT DISTINCT printf('0x%x', t.interrupt), h.to_symbol FROM traps t
                        JOIN kinds k USING (kind)
                        JOIN trap_counts_hex h ON h.to_pc = printf('0x%016x', t.to_pc)
                        WHERE k.name = 'local APIC timer'")"
expect "shares add up" 1.0 "$(q "$tmp/boot.db" "SELECT ROUND(SUM(share), 9) FROM trap_kinds")"
echo "ok: x86 trap kinds and vectors follow the handlers' symbols; shares add up to 1"

# 8d. Cause fields: every value of the edge trace's events equals what
#     discon-dump reads from the file (empty there, NULL here), and traps
#     carry them; the views count them.
"$T2S" -o "$tmp/causes.db" "$tmp/causes.discon" 2>/dev/null || fail "load causes"
"$DUMP" --format csv "$tmp/causes.discon" |
  awk -F, '$1 == "event" { print $3 "|" $9 "|" $10 "|" $11 "|" $12 "|" $13 }' >"$tmp/causes.want"
hex() { echo "iif($1 IS NULL, '', printf('0x%x', $1))"; }
# syscall 2^64 - 1 is stored as its signed twin -1; discon-dump prints it unsigned.
q "$tmp/causes.db" "SELECT seq, $(hex cause), $(hex fault_addr), syscall, to_level, from_level
                    FROM events ORDER BY seq" |
  awk -F'|' -v OFS='|' '$4 == "-1" { $4 = "18446744073709551615" } 1' >"$tmp/causes.got"
diff -u "$tmp/causes.want" "$tmp/causes.got" || fail "event cause columns differ from the trace"
# NULL, not '' or 0, where a field was not recorded (make_edge_traces.c:
# causes 5 of 10 events, fault addresses 3, system calls 3, levels 5 and 3).
expect "NULLs" "5|7|7|5|7" \
  "$(q "$tmp/causes.db" "SELECT SUM(cause IS NULL), SUM(fault_addr IS NULL), SUM(syscall IS NULL),
                         SUM(to_level IS NULL), SUM(from_level IS NULL) FROM events")"
expect "traps carry causes" "" \
  "$(q "$tmp/causes.db" "SELECT e.seq FROM events e JOIN traps t USING (trace, vcpu, seq)
                         WHERE e.cause IS NOT t.cause OR e.fault_addr IS NOT t.fault_addr
                            OR e.syscall IS NOT t.syscall")"
expect "syscalls view" "$(q "$tmp/causes.db" "SELECT COUNT(*) FROM traps WHERE syscall IS NOT NULL")" \
  "$(q "$tmp/causes.db" "SELECT SUM(count) FROM syscalls")"
echo "ok: cause fields load exactly, NULL where not recorded, and reach the traps"

# 9. Bad input: one line, non-zero exit.
bad() { local want=$1; shift
  set +e; "$T2S" "$@" >/dev/null 2>"$tmp/err"; local rc=$?; set -e
  [ "$rc" = "$want" ] || fail "trace2sqlite $*: exit $rc, expected $want"
  [ "$(wc -l <"$tmp/err")" -ge 1 ] || fail "trace2sqlite $*: no message"; }
bad 2 "$x86"
bad 2 -o "$tmp/x.db"
bad 2 -o "$tmp/x.db" --from x "$x86"
bad 2 -o "$tmp/x.db" --from 3 --to 2 "$x86"
bad 2 -o "$tmp/x.db" --kaslr-offset zz --symbols "$ks" "$x86"
bad 2 -o "$tmp/x.db" --bogus "$x86"
bad 1 -o "$tmp/x.db" "$tmp/no-such-file"
printf 'not a trace' >"$tmp/junk.discon"
bad 1 -o "$tmp/x.db" "$tmp/junk.discon"
bad 1 -o "$tmp/x.db" --symbols "$tmp/junk.discon" "$x86"
# A database where a trace goes: said to be one, with what reads it.
"$T2S" -o "$tmp/in.db" "$data/aarch64-boot.discon" 2>/dev/null || fail "load in.db"
bad 1 -o "$tmp/x.db" "$tmp/in.db"
grep -qx "trace2sqlite: $tmp/in.db: a database (SQLite, as trace2sqlite writes), not a discon trace: read it with discon-report $tmp/in.db, or sqlite3" \
  "$tmp/err" || fail "a database as input: $(cat "$tmp/err")"
head -c 100000 "$x86"/*-000000.discon >"$tmp/cut.discon"
bad 3 -o "$tmp/cut.db" "$tmp/cut.discon"
"$T2S" --help | grep 'usage: trace2sqlite' >/dev/null || fail "--help"
echo "ok: bad flags and bad files fail with a message and a non-zero status"

# 10. Inputs are checked before the database is touched: a bad input or
# symbol file leaves no new database, and an existing one byte-identical.
mkdir "$tmp/no-traces"
untouched() { local db=$1; shift
  rm -f "$db"*; bad 1 -o "$db" "$@"
  for f in "$db" "$db-journal" "$db-wal" "$db-shm"; do
    [ ! -e "$f" ] || fail "trace2sqlite -o $db $*: left $f"; done
  "$T2S" -o "$db" "$data/aarch64-boot.discon" 2>/dev/null || fail "load $db"
  cp "$db" "$tmp/before.db"; bad 1 -o "$db" "$@"
  cmp -s "$db" "$tmp/before.db" || fail "trace2sqlite -o $db $*: changed $db"
  for f in "$db-journal" "$db-wal" "$db-shm"; do
    [ ! -e "$f" ] || fail "trace2sqlite -o $db $*: left $f"; done; }
untouched "$tmp/pre.db" "$tmp/no-such-file"
untouched "$tmp/pre.db" "$x86" "$tmp/no-such-file"
untouched "$tmp/pre.db" "$tmp/junk.discon"
untouched "$tmp/pre.db" /dev/null
untouched "$tmp/pre.db" "$tmp/no-traces"
untouched "$tmp/pre.db" --symbols "$tmp/no-such-file" "$x86"
untouched "$tmp/pre.db" --symbols "$tmp/junk.discon" "$x86"
echo "ok: bad inputs and symbol files leave the database as it was"
