#!/usr/bin/env bash
# Order independence and one meaning of complete (issue 13, points 5 and 6): the files of one trace give the
# same answers whatever order they are named or loaded in. An x86_64 Linux
# boot (-smp 2) recorded with small rotated files; then
#  - discon-report on the directory, in index order, newest first (sort -r,
#    as `ls -t` lists a finished recording), and shuffled: byte-identical
#    reports, complete, no sequence gap on stderr;
#  - trace2sqlite of the directory, and of the files one at a time newest
#    first into another database: the same traps row for row, the same
#    report, and the database says complete.
. "$(dirname "$0")/lib.sh"
"$SRCDIR/scripts/guest/make-initramfs" amd64 "$tmp/initrd.gz"

timeout 300 "$DISCON_RECORD" -o "$tmp/rec" --rotate-size 8K --ring 1024 -- \
  "$QEMU" x86_64 -smp 2 -m 512 -display none -nographic -no-reboot \
  -kernel "$GUEST/amd64/vmlinuz" -initrd "$tmp/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1" >"$tmp/console.txt" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "discon-record failed"; }
grep -q 'discon-guest: workload done' "$tmp/console.txt" || fail "the guest did not finish"
"$TRACE_DUMP" "$tmp/rec" >"$tmp/dump" || fail "trace damaged: $(tail -3 "$tmp/dump")"
[[ $(tail -n1 "$tmp/dump") == *" lost 0 "*" damaged 0 gaps 0 ends 1" ]] || fail "incomplete: $(tail -n1 "$tmp/dump")"
mapfile -t files < <(ls "$tmp"/rec/*.discon)
[ "${#files[@]}" -ge 4 ] || fail "no rotation at 8K: ${#files[@]} file(s)"

"$REPORT" --tail 5 "$tmp/rec" >"$tmp/ref.txt" 2>"$tmp/ref.err" || fail "discon-report on the directory"
[ ! -s "$tmp/ref.err" ] || fail "warnings on a complete trace: $(cat "$tmp/ref.err")"
grep -q '^  complete    yes' "$tmp/ref.txt" || fail "$(grep complete "$tmp/ref.txt")"
report_in_order() { # NAME FILES...: the report on FILES equals the reference
  local what=$1
  shift
  "$REPORT" --tail 5 "$@" >"$tmp/$what.txt" 2>"$tmp/$what.err" || fail "$what: discon-report failed"
  [ ! -s "$tmp/$what.err" ] || fail "$what: $(head -3 "$tmp/$what.err")"
  diff -u "$tmp/ref.txt" "$tmp/$what.txt" >&2 || fail "$what: another report than the directory's"
}
report_in_order index "${files[@]}"
mapfile -t newest_first < <(printf '%s\n' "${files[@]}" | sort -r)
report_in_order newest_first "${newest_first[@]}"
mapfile -t shuffled < <(printf '%s\n' "${files[@]}" | shuf)
report_in_order shuffled "${shuffled[@]}"
echo "ok: ${#files[@]} files: the same complete report in index, reverse and shuffled order"

"$T2S" -o "$tmp/dir.db" "$tmp/rec" 2>"$tmp/t2s.err" || fail "trace2sqlite: $(cat "$tmp/t2s.err")"
# Each load but the last leaves an incomplete trace (exit 3); the last completes it.
for f in "${newest_first[@]}"; do
  set +e; "$T2S" -o "$tmp/one.db" "$f" 2>>"$tmp/t2s.err"; rc=$?; set -e
  [ "$f" = "${files[0]}" ] && want=0 || want=3
  expect_eq "trace2sqlite $f: exit status" "$want" "$rc"
done
! grep -q 'sequence jumps' "$tmp/t2s.err" || fail "false gaps: $(grep -m3 'sequence jumps' "$tmp/t2s.err")"
q='SELECT vcpu, seq, time_ns, type, from_pc, to_pc, events, cause, fault_addr, kind, depth,
   parent_seq, return_ns, ended FROM traps ORDER BY vcpu, seq'
sqlite3 "$tmp/dir.db" "$q" >"$tmp/dir.traps"
sqlite3 "$tmp/one.db" "$q" >"$tmp/one.traps"
[ -s "$tmp/dir.traps" ] || fail "no traps in the database"
diff -q "$tmp/dir.traps" "$tmp/one.traps" >/dev/null ||
  fail "one file at a time, newest first: other traps ($(wc -l <"$tmp/one.traps") rows, not $(wc -l <"$tmp/dir.traps"))"
expect_eq "complete in the database" 1 "$(sqlite3 "$tmp/one.db" 'SELECT complete FROM traces')"
expect_eq "traps in the database" "$(grep -o '[0-9]* traps' "$tmp/ref.txt" | head -1)" \
  "$(sqlite3 "$tmp/one.db" 'SELECT COUNT(*) FROM traps') traps"
"$REPORT" "$tmp/one.db" >"$tmp/one_db.txt" 2>"$tmp/one_db.err" || fail "discon-report on the database"
grep -q '^  complete    yes' "$tmp/one_db.txt" || fail "database report: $(grep complete "$tmp/one_db.txt")"
echo "ok: loaded one file at a time newest first: the same $(wc -l <"$tmp/one.traps") traps as the directory, complete"

# One meaning of complete (point 6), on copies of the recording: the
# report on files, trace2sqlite and the report on the database agree.
verdicts() { # DIR WANT_STATUS [files]: report on files and on a database; sets $line
  local dir=$1 want=$2 rc db_line
  set +e
  "$REPORT" "$dir" >"$tmp/v.txt" 2>"$tmp/v.err"; rc=$?
  set -e
  expect_eq "discon-report $dir: exit status" "$want" "$rc"
  line=$(grep '^  complete ' "$tmp/v.txt")
  rm -f "$tmp/v.db"
  set +e; "$T2S" -o "$tmp/v.db" "$dir" 2>"$tmp/v.err"; rc=$?; set -e
  expect_eq "trace2sqlite $dir: exit status" "$want" "$rc"
  [ "${3:-}" != files ] || return 0
  set +e; "$REPORT" "$tmp/v.db" >"$tmp/vdb.txt" 2>/dev/null; rc=$?; set -e
  expect_eq "discon-report on the database of $dir: exit status" "$want" "$rc"
  db_line=$(grep '^  complete ' "$tmp/vdb.txt")
  expect_eq "the database's report says what the files' says" "$line" "$db_line"
}
n=${#files[@]}
mid=$((n / 2))
mkdir "$tmp/hole" && cp "${files[@]}" "$tmp/hole/" && rm "$tmp/hole/$(basename "${files[$mid]}")"
verdicts "$tmp/hole" 3
[[ $line == *"NO: 1 file(s) missing between files 0 and $((n - 1))"* ]] || fail "missing middle file: $line"
expect_eq "traces.complete with a hole" 0 "$(sqlite3 "$tmp/v.db" 'SELECT complete FROM traces')"
echo "ok: a missing middle file: exit 3 and 'incomplete' in the report, the database and its report"

mkdir "$tmp/empty" && cp "${files[@]}" "$tmp/empty/" && : >"$tmp/empty/zz-crashed.discon"
verdicts "$tmp/empty" 3 files # (the database holds no trace of the empty file)
grep -q 'empty file (0 bytes): skipped' "$tmp/v.err" || fail "no warning for the empty file: $(cat "$tmp/v.err")"
grep -q "$(grep -o '[0-9]* raw -> [0-9]* traps' "$tmp/ref.txt")" "$tmp/v.txt" || fail "an empty file changed the report"
echo "ok: a 0-byte file beside the trace: skipped with a warning, the rest reported, exit 3"

# The oldest files gone without a record of their removal: missing, not
# "complete since" (that is for files discond removed, max_files.sh).
k=$((n / 3))
mkdir "$tmp/gone" && cp "${files[@]:$k}" "$tmp/gone/"
verdicts "$tmp/gone" 3
[[ $line == *"NO: files 0..$((k - 1)) missing (no record of their removal)"* ]] || fail "oldest files gone: $line"
echo "ok: the oldest files gone without a removal record: incomplete everywhere, exit 3"

# A windowed database does not silently keep its window on a full load.
"$T2S" -o "$tmp/win.db" --from 1 --to 2 "$tmp/rec" 2>/dev/null
set +e; "$T2S" -o "$tmp/win.db" "$tmp/rec" 2>"$tmp/win.err"; rc=$?; set -e
expect_eq "full load into a windowed database: exit status" 1 "$rc"
grep -q "loaded keeping 'all from 1 to 2'" "$tmp/win.err" || fail "no clear refusal: $(cat "$tmp/win.err")"
echo "ok: a full load into a database loaded with --from/--to is refused: $(cat "$tmp/win.err")"

# The post-mortem view on this 2-vCPU boot: one timeline, both vCPUs, in
# time order, from -500 ms to 0 (postmortem.sh checks it trap by trap).
"$REPORT" --last 500ms "${newest_first[@]}" >"$tmp/pm.txt" || fail "discon-report --last 500ms"
sed -n '/^Last 500.000 ms before the end/,/^State at/p' "$tmp/pm.txt" | sed '1,3d;$d;/^$/d' |
  awk 'NR % 2 == 1 { print $1, $2 }' >"$tmp/tl"
[ "$(awk '{ print $2 }' "$tmp/tl" | sort -u | tr '\n' ' ')" = "0 1 " ] || fail "the timeline does not merge both vCPUs"
# By the time alone (-s -k1,1): two traps in one printed microsecond are
# in time order however their vCPU numbers compare.
sort -s -g -k1,1 -c "$tmp/tl" 2>/dev/null || fail "the timeline is not in time order"
awk '$1 < -500 || $1 > 0 { bad = 1 } END { exit bad }' "$tmp/tl" || fail "a trap outside the last 500 ms"
echo "ok: --last 500ms: $(wc -l <"$tmp/tl") traps of both vCPUs in one timeline, in time order"
