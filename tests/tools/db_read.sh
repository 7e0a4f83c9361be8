#!/usr/bin/env bash
# The database read back (schema version 7): discon-report on a database
# gives the report of the trace files, whether it reads events in rowid
# order (one load: traces.seq_order 1) or sorted (a trace appended to by a
# later run: 0), losses included; the views name types and kinds, give
# t_ns, count per vCPU as in total; one naming scheme; internal tables
# are named _discon_*; the events view is the trace's events; the x86_64
# boot's database is at most 30 bytes per event; read in many batches
# (the reader threads), the boot's report is the files', and a bad row
# ends the report with one line.
# Environment: T2S, REPORT, EDGE, SRCDIR, DUMP.
set -euo pipefail
tmp=$(mktemp -d /tmp/discon-dbread.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 "$1" "$2"; }
eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }
. "$SRCDIR/tests/db_checks.sh"
"$EDGE" "$tmp" >/dev/null

# 1. Same report from the database as from the files, text and JSON,
# both exiting $RC (default 0).
same_report() { # NAME DB TRACE...
  local name=$1 db=$2 rc; shift 2
  for f in text json; do
    rc=0; "$REPORT" --format "$f" "$@" >"$tmp/files.$f" 2>/dev/null || rc=$?
    eq "$name: report on the files, exit" "$rc" "${RC:-0}"
    rc=0; "$REPORT" --format "$f" "$db" >"$tmp/db.$f" 2>/dev/null || rc=$?
    eq "$name: report on $db, exit" "$rc" "${RC:-0}"
    # The inputs are named differently; everything else must match.
    diff <(grep -v "$tmp" "$tmp/files.$f") <(grep -v "$tmp" "$tmp/db.$f") >"$tmp/diff" ||
      fail "$name: the $f report from the database differs: $(head -n 20 "$tmp/diff")"
  done
}
for t in loss returns-a64 returns-x86 causes; do
  "$T2S" -o "$tmp/$t.db" "$tmp/$t.discon" 2>/dev/null || fail "load $t"
  eq "$t seq_order" "$(q "$tmp/$t.db" "SELECT seq_order FROM traces")" 1
  same_report "$t" "$tmp/$t.db" "$tmp/$t.discon"
done
eq "losses read" "$(q "$tmp/loss.db" "SELECT COUNT(*) > 0 FROM losses")" 1
# A trace split over two runs: the second run's events follow an earlier
# run's, so the reader sorts (seq_order 0) and the report is the same.
"$T2S" -o "$tmp/split.db" "$tmp"/retsplit/*-000000.discon 2>/dev/null ||
  eq "file 0 alone: incomplete" $? 3
eq "one run" "$(q "$tmp/split.db" "SELECT seq_order FROM traces")" 1
"$T2S" -o "$tmp/split.db" "$tmp/retsplit" 2>/dev/null
eq "two runs" "$(q "$tmp/split.db" "SELECT seq_order FROM traces")" 0
same_report "split" "$tmp/split.db" "$tmp/retsplit"
# Events missing between the two files of retgap (no loss record): the
# traps before the gap end by lost events and the erets after it close
# nothing, whether the files are loaded in one run, one run each in order
# (the second's reader has no baseline: the loader checks where the stored
# events end) or in reverse (derived again); the report on the database
# breaks the pairing at the gap as on the files.
g=$tmp/retgap
"$T2S" -o "$tmp/gap1.db" "$g" 2>/dev/null || true
for f in 0 1; do "$T2S" -o "$tmp/gap2.db" "$g"/*-00000$f.discon 2>/dev/null || true; done
for f in 1 0; do "$T2S" -o "$tmp/gap3.db" "$g"/*-00000$f.discon 2>/dev/null || true; done
for d in gap1 gap2 gap3; do
  eq "$d: traps" "$(q "$tmp/$d.db" "SELECT group_concat(seq || ':' || ended, ' ')
    FROM (SELECT * FROM traps ORDER BY seq)")" "0:$(q "$tmp/$d.db" "SELECT ended FROM trap_ends
    WHERE name = 'events lost'") 1:$(q "$tmp/$d.db" "SELECT ended FROM trap_ends WHERE name = 'events lost'")"
  eq "$d: unmatched" "$(q "$tmp/$d.db" "SELECT COUNT(*) FROM unmatched_returns")" 2
  RC=3 same_report "$d" "$tmp/$d.db" "$g"
done
# A vCPU whose events start after seq 0 in file 0 misses some: incomplete
# in the database as in the files.
"$T2S" -o "$tmp/start.db" "$tmp/retstart.discon" 2>/dev/null || eq "retstart: load" $? 3
eq "retstart: verdict" "$(q "$tmp/start.db" "SELECT complete FROM traces")" 0
RC=3 same_report "retstart" "$tmp/start.db" "$tmp/retstart.discon"
# The verdict (stderr) the same from the database as from the files, by
# the library's definition of a gap (one per discontinuity, not per vCPU:
# retgaps misses two runs on vCPU 0) and of damage (a last frame cut short
# is a damaged stretch, kept in files.damaged by the load).
verdict() { "$REPORT" "$1" 2>&1 >/dev/null | grep 'the trace is' || true; }
"$T2S" -o "$tmp/gaps.db" "$tmp/retgaps.discon" 2>/dev/null || eq "retgaps: load" $? 3
eq "retgaps: files" "$(verdict "$tmp/retgaps.discon")" "discon-report: the trace is incomplete: \
damaged or missing data (0 damaged stretches, 2 sequence gaps)"
eq "retgaps: database" "$(verdict "$tmp/gaps.db")" "$(verdict "$tmp/retgaps.discon")"
eq "retgaps: stored" "$(q "$tmp/gaps.db" "SELECT complete_why FROM traces")" \
  "damaged or missing data (0 damaged stretches, 2 sequence gaps)"
eq "retstart: one gap" "$(verdict "$tmp/start.db")" "discon-report: the trace is incomplete: \
damaged or missing data (0 damaged stretches, 1 sequence gap)"
head -c -300 "$SRCDIR/tests/data/aarch64-boot.discon" >"$tmp/cut.discon"
"$T2S" -o "$tmp/cut.db" "$tmp/cut.discon" 2>/dev/null || eq "cut: load" $? 3
eq "cut: files" "$(verdict "$tmp/cut.discon")" "discon-report: the trace is incomplete: \
damaged or missing data (1 damaged stretch, 0 sequence gaps)"
eq "cut: database" "$(verdict "$tmp/cut.db")" "$(verdict "$tmp/cut.discon")"
eq "cut: files.damaged" "$(q "$tmp/cut.db" "SELECT damaged FROM files")" 2
# The rest of the file, loaded later, ends the damage: the whole trace.
cp "$SRCDIR/tests/data/aarch64-boot.discon" "$tmp/cut.discon"
"$T2S" -o "$tmp/cut.db" "$tmp/cut.discon" 2>/dev/null || fail "cut: the rest of it"
eq "cut, grown: files.damaged" "$(q "$tmp/cut.db" "SELECT damaged FROM files")" 0
eq "cut, grown: database" "$(verdict "$tmp/cut.db")" "$(verdict "$tmp/cut.discon")"
echo "ok: reports from databases (rowid order and sorted, losses, returns, gaps, damage) equal the files'"

# Two traces in one directory: discon-report and discon-dump refuse them
# with the one message, with or without a --trace prefix both match.
mkdir "$tmp/two"
cp "$tmp/returns-a64.discon" "$tmp/retback.discon" "$tmp/two/"
for t in "" "--trace 6564"; do
  # shellcheck disable=SC2086
  r=$("$REPORT" $t "$tmp/two" 2>&1 >/dev/null) && fail "report on two traces ($t): no refusal"
  # shellcheck disable=SC2086
  d=$("$DUMP" $t "$tmp/two" 2>&1 >/dev/null) && fail "dump on two traces ($t): no refusal"
  eq "two traces ($t): one message" "${d#discon-dump: }" "${r#discon-report: }"
  case $r in *"more than one trace"*"pick one with --trace ID") ;;
    *) fail "two traces ($t): $r" ;; esac
done

# 2. Views for people, on the x86_64 boot with symbols.
db=$tmp/boot.db
"$T2S" -o "$db" --symbols "$SRCDIR/tests/data/x86_64-boot.syms" "$SRCDIR/tests/data/x86_64-boot" 2>/dev/null
eq "names in traps" "$(q "$db" "SELECT COUNT(*) FROM traps t JOIN types y USING (type) JOIN kinds k USING (kind)
                                WHERE t.type_name != y.name OR t.kind_name != k.name")" 0
eq "t_ns" "$(q "$db" "SELECT COUNT(*) FROM traps t JOIN traces r USING (trace)
                      WHERE t.t_ns != t.time_ns - r.clock_monotonic_ns")" 0
eq "t_ns in events_hex" "$(q "$db" "SELECT MIN(t_ns) >= 0 FROM events_hex")" 1
eq "rate by vCPU sums to the rate" \
  "$(q "$db" "SELECT second, type, SUM(count) FROM trap_rate_by_vcpu GROUP BY second, type ORDER BY 1, 2" | md5sum)" \
  "$(q "$db" "SELECT second, type, count FROM trap_rate ORDER BY 1, 2" | md5sum)"
eq "kind rate by vCPU" "$(q "$db" "SELECT SUM(count) FROM kind_rate_by_vcpu")" "$(q "$db" "SELECT COUNT(*) FROM traps")"
eq "per vCPU counts" "$(q "$db" "SELECT SUM(count) FROM trap_counts_by_vcpu WHERE type_name IS NOT NULL")" \
  "$(q "$db" "SELECT COUNT(*) FROM traps")"
# The compact rows give the traps the full rows gave: counted against the
# raw pattern in trace2sqlite.sh; here every trap has its first event.
eq "every trap row has its event" "$(q "$db" "SELECT COUNT(*) FROM _discon_traps p
                                   LEFT JOIN _discon_events e ON e.rowid = p.event WHERE e.rowid IS NULL")" 0
echo "ok: traps and the rate and count views name types and kinds, give t_ns, add up per vCPU"

# 3. One naming scheme; internal tables out of the way.
cols=$(q "$db" "SELECT m.name || '.' || c.name FROM sqlite_master m, pragma_table_info(m.name) c
                WHERE m.type IN ('table', 'view')")
bad=$(grep -E '\.(handler|handler_symbol|source|source_symbol)$' <<<"$cols" || true)
[ -z "$bad" ] || fail "columns outside the naming scheme: $bad"
eq "old internal names gone" "$(q "$db" "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('trap_open', 'trap_pending')")" 0
eq "internal tables" "$(q "$db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master
                       WHERE type = 'table' AND name LIKE '\_discon\_%' ESCAPE '\' ORDER BY name)")" \
  "_discon_events _discon_trap_open _discon_trap_pending _discon_traps _discon_vcpu_events"
echo "ok: from_pc/to_pc everywhere, internal tables named _discon_*"

# 4. The events view gives back every raw event exactly (an x86 pair is
# stored as one row: tools/db/schema.c), as discon-dump reads the files;
# and the default database of the x86_64 boot stays small: at most 30
# bytes per event, lookup tables included (about 24 when this was written).
for t in returns-x86 causes loss; do
  view_is_dump "$t" "$tmp/$t.db" "$tmp/$t.discon"
done
view_is_dump "split" "$tmp/split.db" "$tmp/retsplit"
# PCs and seqs across 2^63 (tests/edge_returns.c, retwrap): nothing folds
# where the views' sums back would leave SQLite's integers.
"$T2S" -o "$tmp/wrap.db" "$tmp/retwrap.discon" 2>/dev/null || eq "retwrap: gaps at 2^63-1" $? 3
view_is_dump "retwrap" "$tmp/wrap.db" "$tmp/retwrap.discon"
eq "retwrap: traps in integers" "$(q "$tmp/wrap.db" "SELECT COUNT(*) FROM traps WHERE typeof(seq) = 'real'
  OR typeof(from_pc) = 'real' OR typeof(to_pc) = 'real' OR typeof(parent_seq) = 'real'
  OR typeof(return_ns) = 'real'")" 0
eq "retwrap: pairing" "$(q "$tmp/wrap.db" "SELECT group_concat(printf('%llu', seq) || ':' || depth ||
  ':' || iif(parent_seq IS NULL, '', printf('%llu', parent_seq)) || ':' || (return_ns - time_ns), ' ')
  FROM (SELECT * FROM traps ORDER BY vcpu, time_ns)")" \
  "0:1::100 9223372036854775807:1::100 9223372036854775807:1::100 9223372036854775808:2:9223372036854775807:10"
view_is_dump "x86_64 boot" "$db" "$SRCDIR/tests/data/x86_64-boot"
eq "x86 pairs folded" "$(q "$db" "SELECT COUNT(*) > 0 FROM _discon_events WHERE pair IS NOT NULL")" 1
# size_at_most NAME TRACE DB MIN_EVENTS LIMIT: TRACE's default database
# (made as DB) holds at least MIN_EVENTS events, LIMIT bytes per event at
# most.
size_at_most() {
  "$T2S" -o "$3" "$2" 2>/dev/null
  local events
  events=$(q "$3" "SELECT COUNT(*) FROM events")
  [ "$events" -ge "$4" ] || fail "$1: $events events in the database"
  bytes_per_event_at_most "$1" "$3" "$5"
}
size_at_most "x86_64 boot" "$SRCDIR/tests/data/x86_64-boot" "$tmp/size.db" 90000 30
# These two boots were recorded before causes and returns: each event is
# a trap of a row of its own (42 bytes on the aarch64 boot, where nothing
# folds). Recordings with returns (the default) fold each RETURN into its
# trap's row: linux_kinds and getppid_x86_64 hold them to 30.
size_at_most "aarch64 boot" "$SRCDIR/tests/data/aarch64-boot.discon" "$tmp/a64.db" 70670 43
# The aarch64 boot recorded with returns and causes (the defaults): each
# RETURN rides on its trap's row, the events are the trace's exactly, the
# report is the files', and it stays within 30 bytes per event.
ret=$SRCDIR/tests/data/aarch64-boot-returns.discon
size_at_most "aarch64 boot, returns" "$ret" "$tmp/a64r.db" 145235 30
eq "RETURNs folded" "$(q "$tmp/a64r.db" "SELECT COUNT(*) > 60000 FROM _discon_events
  WHERE ret_dt IS NOT NULL")" 1
view_is_dump "aarch64 boot, returns" "$tmp/a64r.db" "$ret"
same_report "aarch64 boot, returns" "$tmp/a64r.db" "$ret"

# 4. The x86_64 boot's rows span a dozen batches of the report's reader
# threads (tools/db/event_batches.h): the same report as the files; a row
# of no event type, or a folded row that is no EXCEPTION, ends the report
# with one line wherever it lies.
same_report "x86_64 boot (batches)" "$tmp/size.db" "$SRCDIR/tests/data/x86_64-boot"
last=$(q "$tmp/size.db" "SELECT max(rowid) FROM _discon_events")
bad_row() { # NAME UPDATE MESSAGE [DB]: the boot's database (or DB) with UPDATE applied
  cp "${4:-$tmp/size.db}" "$tmp/bad.db"
  q "$tmp/bad.db" "$2"
  local rc=0
  "$REPORT" "$tmp/bad.db" >/dev/null 2>"$tmp/bad.err" || rc=$?
  eq "$1: exit" "$rc" 1
  eq "$1" "$(cat "$tmp/bad.err")" "discon-report: $tmp/bad.db: $3"
}
bad_row "a row of type 3" "UPDATE _discon_events SET bits = (bits & ~31) | 3
  WHERE rowid = $((last - 7))" "event row of unknown type 3"
bad_row "a folded INTERRUPT row" "UPDATE _discon_events SET bits = (bits & ~31) | 1 WHERE rowid =
  (SELECT max(rowid) FROM _discon_events WHERE pair IS NOT NULL AND rowid < 20000)" \
  "event row of unknown type 1"
# Packed fields that no load writes, in rows with folded RETURNs (the
# aarch64 boot with returns), read in rowid order and sorted.
damaged="damaged event row: a packed field holds what no trace2sqlite writes"
folded="(SELECT max(rowid) FROM _discon_events WHERE ret_dt IS NOT NULL AND rowid < 30000)"
cp "$tmp/a64r.db" "$tmp/a64r-sorted.db"
q "$tmp/a64r-sorted.db" "UPDATE traces SET seq_order = 0"
for d in a64r a64r-sorted; do
  bad_row "$d: to_pc mode 3" "UPDATE _discon_events SET bits = bits | (3 << 5) WHERE rowid = 777" \
    "$damaged" "$tmp/$d.db"
  bad_row "$d: ret_pack -1" "UPDATE _discon_events SET ret_pack = -1 WHERE rowid = $folded" \
    "$damaged" "$tmp/$d.db"
  bad_row "$d: ret_pack past its fields" "UPDATE _discon_events SET ret_pack = ret_pack | (1 << 40)
    WHERE rowid = $folded" "$damaged" "$tmp/$d.db"
  bad_row "$d: ret_pack text" "UPDATE _discon_events SET ret_pack = 'x' WHERE rowid = $folded" \
    "$damaged" "$tmp/$d.db"
  bad_row "$d: FOLLOWS on a trap's row" "UPDATE _discon_events SET ret_pack = ret_pack | 1
    WHERE rowid = $folded" "$damaged" "$tmp/$d.db"
done
echo "ok: the boot's many batches give the files' report; a bad row ends it with one line"
