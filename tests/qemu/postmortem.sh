#!/usr/bin/env bash
# The post-mortem view (issue 13, point 3): discon-report --last on the
# i386 guest of x86_traps_i386.S with its own symbols. The merged timeline
# holds exactly the traps of the last DURATION (counted here from the raw
# events: an x86 exception pair is one trap at its first event's time), of
# every vCPU, in time order, at times from -DURATION to 0 ms, with full
# symbol names; --at looks back from an instant instead; each vCPU's
# state at the end and how the recording ended follow.
. "$(dirname "$0")/lib.sh"
command -v as >/dev/null && command -v ld >/dev/null || skip "no host binutils (as, ld)"
as --32 -o "$tmp/g.o" "$SRCDIR/tests/qemu/x86_traps_i386.S"
ld -m elf_i386 -Ttext=0x100000 --section-start=.mbheader=0xff000 --section-start=.cross=0x201ffe \
  -Tdata=0x180000 -Tbss=0x190000 -e _start -o "$tmp/guest.elf" "$tmp/g.o"
nm "$tmp/guest.elf" >"$tmp/guest.map"
set +e
"$DISCON_RECORD" -o "$tmp/rec" -- "$QEMU" x86_64 -smp 2 -kernel "$tmp/guest.elf" \
  -device isa-debug-exit,iobase=0xf4,iosize=4 -display none -nographic >/dev/null 2>"$tmp/err"
status=$?
set -e
expect_eq "guest exit status" 11 "$status"
"$DISCON_DUMP" --format csv "$tmp/rec" | awk -F, '$1 == "event"' >"$tmp/events.csv"
end=$(awk -F, '$4 > m { m = $4 } END { print m }' "$tmp/events.csv")
# Traps by their first event (pairs joined as discon_traps.h says), per vCPU.
traps_since() { # FROM_NS TO_NS: the traps' "vcpu time_ns" in [FROM, TO]
  awk -F, -v from="$1" -v to="$2" '
    function take(v, t) { if (t >= from && t <= to) print v, t }
    ($2 in pend) && !($6 == "interrupt" && $3 == ps[$2] + 1) { take($2, pt[$2]); delete pend[$2] }
    ($2 in pend) { take($2, pt[$2]); delete pend[$2]; next }
    $6 == "exception" && $7 == $8 { pend[$2] = 1; pt[$2] = $4; ps[$2] = $3; next }
    $6 != "return" { take($2, $4) }
    END { for (v in pend) take(v, pt[v]) }' "$tmp/events.csv" | sort -n -k2 -k1
}
check_view() { # WHAT REF_NS ARGS...: the timeline of discon-report --last 1ms ARGS
  local what=$1 ref=$2
  shift 2
  "$REPORT" --symbols "$tmp/guest.map" --last 1ms "$@" "$tmp/rec" >"$tmp/pm.txt" ||
    fail "$what: discon-report --last"
  sed -n '/^Last 1.000 ms before/,/^State at/p' "$tmp/pm.txt" | sed '1,3d;$d' | sed '/^$/d' >"$tmp/tl"
  # rows: "  ms vcpu kind [ended]" then "  source -> handler"
  awk 'NR % 2 == 1 { print $2, $1 }' "$tmp/tl" >"$tmp/got"
  traps_since $((ref - 1000000)) "$ref" | awk -v ref="$ref" '{ printf "%s %.3f\n", $1, ($2 - ref) / 1e6 }' >"$tmp/want"
  [ -s "$tmp/want" ] || fail "$what: no trap in the last ms"
  diff -u "$tmp/want" "$tmp/got" >&2 || fail "$what: the timeline is not the traps of that last ms"
  awk 'NR % 2 == 0' "$tmp/tl" | grep -v -- '->' && fail "$what: a trap without source -> handler"
  awk 'NR % 2 == 0 && /h_(pf|bp|ud)\+0x0/ { f = 1 } END { exit !f }' "$tmp/tl" ||
    fail "$what: no handler symbol"
  ! grep -q '~' "$tmp/tl" || fail "$what: a cut symbol name"
  echo "ok: $what: $(wc -l <"$tmp/want") traps of the last 1 ms, merged across vCPUs, in time order, full names"
}
check_view "--last 1ms" "$end"
grep -q '^State at the end, per vCPU' "$tmp/pm.txt" || fail "no end state"
grep -q '^  vCPU 0: [0-9]* traps; last event' "$tmp/pm.txt" || fail "no vCPU 0 state"
grep -q "the recording: QEMU's plugin finished" "$tmp/pm.txt" || fail "how it ended: $(grep 'the recording' "$tmp/pm.txt")"
# --at the middle event's own time as discon-dump prints it (s to the ns):
# the trap at that very instant is the last row of the view.
mid_row=$(awk -F, 'NR == int(n / 2)' n="$(wc -l <"$tmp/events.csv")" "$tmp/events.csv")
mid=$(echo "$mid_row" | cut -d, -f4) at=$(echo "$mid_row" | cut -d, -f5)
check_view "--at $at" "$mid" --at "$at"
# Each vCPU's state is as of the instant: its traps with time <= the
# instant (counted here from the raw events), its last event at or before it.
traps_since 0 "$mid" | awk '{ n[$1]++ } END { for (v in n) printf "vCPU %s: %d traps\n", v, n[v] }' |
  sort >"$tmp/state.want"
sed -n '/^State at the instant, per vCPU/,$p' "$tmp/pm.txt" |
  sed -n 's/^  \(vCPU [0-9]*: [0-9]* traps\);.*/\1/p' | grep -v ': 0 traps' | sort >"$tmp/state.got"
[ -s "$tmp/state.want" ] || fail "--at: no trap before the instant"
diff -u "$tmp/state.want" "$tmp/state.got" >&2 || fail "--at: the per-vCPU trap counts are not those up to the instant"
sed -n '/^State at the instant, per vCPU/,$p' "$tmp/pm.txt" | awk '/^  vCPU [0-9]*: / {
    n++; if ($0 !~ /last event -?[0-9.]* ms$/) exit 1; ms = $(NF - 1); if (ms + 0 > 0) exit 1 }
  END { exit n < 1 }' || fail "--at: a vCPU's last event is not at or before the instant"
echo "ok: --at: each vCPU's state counts its traps up to the instant, its last event at or before it"
sed -n '/^State at the instant, per vCPU/,/the recording:/p' "$tmp/pm.txt" >"$tmp/state.files"
grep -q '^  QEMU:          exit 11$' "$tmp/pm.txt" || fail "how QEMU ended: $(grep 'QEMU:' "$tmp/pm.txt")"
"$T2S" -o "$tmp/rec.db" "$tmp/rec" 2>/dev/null || fail "trace2sqlite"
expect_eq "traces.qemu_ended" "exit 11" "$(sqlite3 "$tmp/rec.db" 'SELECT qemu_ended FROM traces')"
"$REPORT" --symbols "$tmp/guest.map" --last 1ms --at "$at" "$tmp/rec.db" 2>/dev/null |
  sed -n '/^State at the instant, per vCPU/,/the recording:/p' >"$tmp/state.db"
diff -u "$tmp/state.files" "$tmp/state.db" >&2 || fail "--at: the database's per-vCPU state differs from the files'"
echo "ok: --at: the database gives the same per-vCPU state at the instant as the files"
echo "ok: the end record says QEMU's exit status (exit 11), in the report and the database"

# QEMU killed: its parent records the signal, the report says the producer vanished.
build_svc_guest 100000000
"$DISCON_RECORD" -o "$tmp/killed" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  >/dev/null 2>"$tmp/killed.err" & rec=$!
wait_until 60 "the first trace file" has_trace_file "$tmp/killed"
qemu=$(ps -o pid=,comm= --ppid "$rec" | awk '$2 != "discond" { print $1; exit }')
[ -n "$qemu" ] || fail "no QEMU under discon-record"
kill -KILL "$qemu"
set +e; wait "$rec"; set -e
"$REPORT" --last 1ms "$tmp/killed" >"$tmp/killed.txt" 2>/dev/null || true
grep -q '^  QEMU:          signal 9$' "$tmp/killed.txt" || fail "killed QEMU: $(grep 'QEMU:' "$tmp/killed.txt")"
grep -q 'the recording: the producer vanished' "$tmp/killed.txt" || fail "$(grep 'the recording' "$tmp/killed.txt")"
echo "ok: QEMU killed by SIGKILL: the trace says 'signal 9' and that the producer vanished"
