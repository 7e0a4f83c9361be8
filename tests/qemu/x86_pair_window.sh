#!/usr/bin/env bash
# Window independence (issue 13, point 5): a --from/--to window selects
# whole traps, by the time of a trap's first event, and never turns half an
# x86 exception pair into a trap of its own. x86_traps_i386.S (100 times
# int3, int $0x80, ud2, a division by zero and an instruction fetch across
# into a non-present page) recorded; the window starts between a page
# fault's EXCEPTION report and its delivery. The right value is counted
# here from the raw events (awk pairs each EXCEPTION with the INTERRUPT
# that follows it on its vCPU; RETURN events are no traps), not by the
# tools' deriver.
. "$(dirname "$0")/lib.sh"
command -v as >/dev/null && command -v ld >/dev/null || skip "no host binutils (as, ld)"
as --32 -o "$tmp/g.o" "$SRCDIR/tests/qemu/x86_traps_i386.S"
ld -m elf_i386 -Ttext=0x100000 --section-start=.mbheader=0xff000 --section-start=.cross=0x201ffe \
  -Tdata=0x180000 -Tbss=0x190000 -e _start -o "$tmp/guest.elf" "$tmp/g.o"
sym() { printf '0x%x' "0x$(nm "$tmp/guest.elf" | awk -v s="$1" '$3 == s { print $1 }')"; }
set +e
"$DISCON_RECORD" -o "$tmp/rec" -- "$QEMU" x86_64 -kernel "$tmp/guest.elf" \
  -device isa-debug-exit,iobase=0xf4,iosize=4 -display none -nographic >"$tmp/out" 2>"$tmp/err"
status=$?
set -e
expect_eq "guest exit status ((5 << 1) | 1: every handler ran N times)" 11 "$status"

# The raw events, and one page fault's pair: EXCEPTION at cross_insn, then
# its delivery to h_pf; the window starts between them.
"$DISCON_DUMP" --format csv "$tmp/rec" | awk -F, '$1 == "event"' >"$tmp/events.csv"
pf=$(sym h_pf)
read -r exc_s del_s < <(awk -F, -v pf="$pf" '
  $6 == "exception" && $7 == $8 { e = $5; es = $3; next }
  $6 == "interrupt" && $8 == pf && $3 == es + 1 { n++; if (n == 50) { print e, $5; exit } }' "$tmp/events.csv")
[ -n "${del_s:-}" ] || fail "no 50th page fault pair in the trace"
from=$(awk -v a="$exc_s" -v b="$del_s" 'BEGIN { printf "%.9f", (a + b) / 2 }')
to=$(awk -v a="$from" 'BEGIN { printf "%.9f", a + 0.0002 }')

# The right value: pairs by their first event's time, singles by their own.
awk -F, -v from="$from" -v to="$to" '
  function take(t, h) { if (t >= from && t < to) print h }
  pend && !($6 == "interrupt" && $3 == ps + 1 && $2 == pv) { take(pt, "exception " pto); pend = 0 }
  pend { take(pt, "exception " $8); pend = 0; next }
  $6 == "return" { next } # a return ends a trap: never one itself
  $6 == "exception" && $7 == $8 { pend = 1; pt = $5; ps = $3; pv = $2; pto = $8; next }
  { take($5, $6 " " $8) }
  END { if (pend) take(pt, "exception " pto) }' "$tmp/events.csv" | sort | uniq -c |
  awk '{ print $2, $3, $1 }' >"$tmp/want"
[ -s "$tmp/want" ] || fail "no trap in the window $from .. $to"
! grep -q '^interrupt' "$tmp/want" || fail "the guest took an interrupt in the window: $(cat "$tmp/want")"
grep -q "^exception $pf " "$tmp/want" || fail "no page fault in the window"

"$REPORT" --format csv --from "$from" --to "$to" "$tmp/rec" >"$tmp/report.csv" ||
  fail "discon-report --from $from --to $to failed"
section "$tmp/report.csv" handlers | awk -F, '{ print $1, $2, $4 }' | sort >"$tmp/got"
diff -u "$tmp/want" "$tmp/got" >&2 || fail "discon-report's traps in the window differ from the events'"
for h in h_bp h_ud h_pf; do handlers+=" $(sym $h)"; done
while read -r _ handler _; do
  [[ " $handlers " == *" $handler "* ]] || fail "a trap to $handler, which is no handler of the guest"
done <"$tmp/got"

"$T2S" -o "$tmp/w.db" --from "$from" --to "$to" "$tmp/rec" 2>"$tmp/t2s.err" || fail "trace2sqlite --from/--to: $(cat "$tmp/t2s.err")"
sqlite3 -separator ' ' "$tmp/w.db" "SELECT t.name, printf('0x%x', to_pc), COUNT(*) FROM traps
  JOIN types t USING (type) GROUP BY 1, 2" | sort >"$tmp/got.db"
diff -u "$tmp/want" "$tmp/got.db" >&2 || fail "trace2sqlite's traps in the window differ from the events'"
echo "ok: window $from .. $to s starts inside a page fault's pair: $(awk '{ s += $3 } END { print s }' "$tmp/want") whole exception traps in the report and the database, none cut"
