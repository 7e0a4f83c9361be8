#!/usr/bin/env bash
# One trace per place (issue 13, point 4). discon-record into a directory
# that holds another trace moves that trace's files to DIR.old and says
# which trace it moved; with DIR.old holding one too it refuses before
# starting anything. --trace ID picks one trace where there are several:
# discon-report on files and on a database, trace2sqlite, discon-dump.
. "$(dirname "$0")/lib.sh"
command -v as >/dev/null && command -v ld >/dev/null || skip "no host binutils (as, ld)"
as --32 -o "$tmp/g.o" "$SRCDIR/tests/qemu/x86_traps_i386.S"
ld -m elf_i386 -Ttext=0x100000 --section-start=.mbheader=0xff000 --section-start=.cross=0x201ffe \
  -Tdata=0x180000 -Tbss=0x190000 -e _start -o "$tmp/guest.elf" "$tmp/g.o"
record() { # DIR: the guest recorded into DIR; discon-record's stderr in $tmp/rec.err
  set +e
  "$DISCON_RECORD" -o "$1" -- "$QEMU" x86_64 -kernel "$tmp/guest.elf" \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -display none -nographic >/dev/null 2>"$tmp/rec.err"
  rc=$?
  set -e
}
id_of() { "$REPORT" --format csv "$1" 2>/dev/null | awk -F, '$1 == "trace_id" { print $2 }'; }

record "$tmp/out"
expect_eq "first recording (guest status 11)" 11 "$rc"
first=$(id_of "$tmp/out")
[ -n "$first" ] || fail "no trace id in the first recording"
record "$tmp/out"
expect_eq "second recording" 11 "$rc"
grep -q "discon-record: $tmp/out held trace ${first:0:16} (1 file(s)): moved to $tmp/out.old" "$tmp/rec.err" ||
  fail "the move is not said: $(cat "$tmp/rec.err")"
second=$(id_of "$tmp/out")
[ -n "$second" ] && [ "$second" != "$first" ] || fail "the directory does not hold the new trace alone"
expect_eq "the moved trace" "$first" "$(id_of "$tmp/out.old")"
"$REPORT" "$tmp/out" >/dev/null || fail "discon-report on the new recording's directory"
echo "ok: a second recording into $tmp/out moved trace ${first:0:16} to out.old and said so"

record "$tmp/out"
expect_eq "a third recording with out.old taken" 1 "$rc"
grep -q "holds another trace and $tmp/out.old holds one too" "$tmp/rec.err" || fail "refusal: $(cat "$tmp/rec.err")"
expect_eq "still the second trace" "$second" "$(id_of "$tmp/out")"
echo "ok: with out.old holding a trace too, discon-record refuses and touches nothing"

# Two traces in one place: refused without --trace, chosen with it.
mkdir "$tmp/both" && cp "$tmp"/out/*.discon "$tmp"/out.old/*.discon "$tmp/both/"
set +e; "$REPORT" "$tmp/both" >/dev/null 2>"$tmp/err"; rc=$?; set -e
expect_eq "discon-report on two traces" 1 "$rc"
grep -q 'pick one with --trace ID' "$tmp/err" || fail "no hint: $(cat "$tmp/err")"
"$REPORT" --trace "${first:0:8}" "$tmp/both" >"$tmp/pick.txt" || fail "discon-report --trace on files"
"$REPORT" "$tmp/out.old" >"$tmp/alone.txt"
diff -u "$tmp/alone.txt" "$tmp/pick.txt" >&2 || fail "--trace on files: not the chosen trace's report"
"$T2S" -o "$tmp/both.db" "$tmp/both" 2>/dev/null || fail "trace2sqlite of two traces"
expect_eq "traces in the database" 2 "$(sqlite3 "$tmp/both.db" 'SELECT COUNT(*) FROM traces')"
set +e; "$REPORT" "$tmp/both.db" >/dev/null 2>"$tmp/err"; rc=$?; set -e
expect_eq "discon-report on a two-trace database" 1 "$rc"
grep -q 'holds 2 traces: pick one with --trace ID' "$tmp/err" || fail "no hint: $(cat "$tmp/err")"
for id in "$first" "$second"; do
  [ "$id" = "$first" ] && dir=$tmp/out.old || dir=$tmp/out
  "$T2S" -o "$tmp/one-${id:0:8}.db" "$dir" 2>/dev/null
  "$REPORT" "$tmp/one-${id:0:8}.db" >"$tmp/alone.txt"
  "$REPORT" --trace "${id:0:6}" "$tmp/both.db" >"$tmp/pick.txt" || fail "discon-report --trace on the database"
  diff -u "$tmp/alone.txt" "$tmp/pick.txt" >&2 || fail "--trace ${id:0:6} on the database: not that trace's report"
done
"$T2S" -o "$tmp/picked.db" --trace "${second:0:8}" "$tmp/both" 2>/dev/null || fail "trace2sqlite --trace"
expect_eq "trace2sqlite --trace: the one trace" "$second" "$(sqlite3 "$tmp/picked.db" 'SELECT trace_id FROM traces')"
expect_eq "discon-dump --trace" "$("$DISCON_DUMP" --format csv "$tmp/out" | md5sum)" \
  "$("$DISCON_DUMP" --format csv --trace "${second:0:8}" "$tmp/both" | md5sum)"
# Its lines carry no trace id: without --trace, discon-dump stops at the
# second trace with one line (the first trace's lines stand).
set +e; "$DISCON_DUMP" --format csv "$tmp/both" >/dev/null 2>"$tmp/err"; rc=$?; set -e
expect_eq "discon-dump on two traces" 1 "$rc"
grep -q '^discon-dump: the inputs hold more than one trace (.*): pick one with --trace ID$' "$tmp/err" ||
  fail "discon-dump: no refusal: $(cat "$tmp/err")"
set +e; "$REPORT" --trace abcd "$tmp/both" >/dev/null 2>"$tmp/err"; rc=$?; set -e
expect_eq "--trace of no trace there" 1 "$rc"
set +e; "$REPORT" --at 1 "$tmp/out" >/dev/null 2>"$tmp/err"; rc=$?; set -e
expect_eq "discon-report --at without --last" 2 "$rc"
grep -q -- '--at is the instant --last looks back from' "$tmp/err" || fail "--at alone: $(cat "$tmp/err")"
echo "ok: --trace picks one of two traces in discon-report (files and database), trace2sqlite and discon-dump"
