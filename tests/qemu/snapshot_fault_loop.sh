#!/usr/bin/env bash
# Flight recorder (issue 13, point 2), triggered by a fault loop: the
# fault-loop guest makes 1 M system calls, then its udf faults 20000 times
# in a row under a timer; count_plugin logs every event of the same QEMU
# run. discon-record --snapshot 256K --snapshot-on fault-loop writes
# exactly one snapshot, when the loop reaches the report's threshold (100
# exceptions): its events are a contiguous run of the logged ones (type,
# from, to) that holds that 100th fault and ends within one drain pass of
# it (less than a ring, 65536 records, later), where its end record's
# totals end; its start is missing ("complete since T"), and discon-report
# finds in it the fault loop that triggered it, by the same rule, and
# says which trigger wrote it, on the file and on a trace2sqlite database
# of it (traces.snapshot) alike. Then a
# double trap (the double_trap guest, returns recorded: the exact rule)
# makes exactly one snapshot in which the report finds it; and bad
# --snapshot values are refused before anything starts.
. "$(dirname "$0")/lib.sh"
for bad in "--snapshot 1K" "--snapshot 0s" "--snapshot 5x" "--snapshot-on usr1,nope" \
           "--snapshot 1M --max-files 3"; do
  # shellcheck disable=SC2086 # the option and its value
  "$DISCON_RECORD" -o "$tmp/bad" $bad -- "$QEMU" "${svc_guest_qemu[@]}" >/dev/null 2>"$tmp/bad.err" &&
    fail "discon-record $bad was accepted"
  [ "$(wc -l <"$tmp/bad.err")" = 1 ] && grep -q '^discon-record: --snapshot' "$tmp/bad.err" ||
    fail "discon-record $bad: $(cat "$tmp/bad.err")"
done
[ ! -e "$tmp/bad" ] || fail "a refused recording created its directory"
assemble_guest fault_loop_timer guest --defsym WARMUP=1000000
stuck=$(printf '0x%x' "0x$(aarch64-linux-gnu-nm "$tmp/guest.elf" | awk '$3 == "stuck_insn" { print $1 }')")
"$DISCON_RECORD" -o "$tmp/snap" --snapshot 256K --snapshot-on fault-loop --returns off -- "$QEMU" \
  "${svc_guest_qemu[@]}" -icount shift=0 -kernel "$tmp/guest.elf" \
  -plugin "$COUNT_PLUGIN,out=$tmp/count.txt,log=$tmp/log" >/dev/null 2>"$tmp/rec.err" ||
  fail "discon-record exit $?: $(cat "$tmp/rec.err")"
mapfile -t files < <(ls "$tmp"/snap/)
expect_eq "files written" 1 "${#files[@]}"
snap=$tmp/snap/${files[0]}
grep -q "^discond: snapshot 1 (fault-loop: vCPU 0: fault loop from $stuck at [0-9]* ns): $snap, " "$tmp/rec.err" ||
  fail "discon-record did not say which loop made which snapshot: $(cat "$tmp/rec.err")"

snapshot_suffix "$snap" "$tmp/log"
read -r v first last next <"$tmp/suffix"
# The 100th fault at stuck_insn, by its index in the log.
hundredth=$(awk -v pc="$stuck" '$2 == "exception" && $3 == pc && ++n == 100 { print NR - 1; exit }' "$tmp/log.0")
[ -n "$hundredth" ] || fail "the guest never looped 100 times"
[ "$first" -gt 0 ] || fail "the window kept the run's start: nothing was dropped"
[ "$first" -le "$hundredth" ] && [ "$last" -ge "$hundredth" ] ||
  fail "the window $first..$last misses the 100th fault ($hundredth)"
[ $((last - hundredth)) -lt 65536 ] || fail "the window ends $((last - hundredth)) events after the trigger"
"$REPORT" --format csv "$snap" >"$tmp/report.csv" 2>&1 || fail "discon-report exit $?: $(cat "$tmp/report.csv")"
loop=$(section "$tmp/report.csv" fault_loops | cut -d, -f2)
expect_eq "the report's fault loop" "$stuck" "$loop"
"$REPORT" "$snap" >"$tmp/report.txt" 2>&1 || fail "discon-report exit $?"
grep -q '^  complete    since ' "$tmp/report.txt" || fail "the report says: $(grep complete "$tmp/report.txt")"
grep -q '^  snapshot    flight recorder (discond --snapshot), written at fault-loop$' "$tmp/report.txt" ||
  fail "the report does not say what wrote the snapshot"
# The same from a database of the snapshot (traces.snapshot).
"$T2S" -o "$tmp/snap.db" "$snap" 2>/dev/null || true # an incomplete trace exits 3
expect_eq "traces.snapshot" "fault-loop" "$(sqlite3 "$tmp/snap.db" "SELECT snapshot FROM traces")"
"$REPORT" "$tmp/snap.db" 2>&1 | grep -v "$tmp" >"$tmp/report.db.txt" || true
diff <(grep -v "$tmp" "$tmp/report.txt") "$tmp/report.db.txt" >"$tmp/snap.diff" ||
  fail "the report on the snapshot's database differs: $(head -n 20 "$tmp/snap.diff")"
echo "ok: fault loop: events $first..$last of $(wc -l <"$tmp/log.0") logged, exactly; the 100th fault is $hundredth"

assemble_guest double_trap dt
entry=$(printf '0x%x' "0x$(aarch64-linux-gnu-nm "$tmp/dt.elf" | awk '$3 == "faulting_entry" { print $1 }')")
"$DISCON_RECORD" -o "$tmp/dt" --snapshot 64K --snapshot-on double-trap -- "$QEMU" \
  "${svc_guest_qemu[@]}" -kernel "$tmp/dt.elf" >/dev/null 2>"$tmp/dt.err" ||
  fail "discon-record exit $?: $(cat "$tmp/dt.err")"
mapfile -t files < <(ls "$tmp"/dt/)
expect_eq "double-trap snapshots" 1 "${#files[@]}"
grep -q "^discond: snapshot 1 (double-trap: vCPU 0: double trap from $entry at [0-9]* ns): $tmp/dt/${files[0]}, " "$tmp/dt.err" ||
  fail "discon-record did not say which double trap made the snapshot: $(cat "$tmp/dt.err")"
"$REPORT" --format csv "$tmp/dt/${files[0]}" >"$tmp/dt.csv" 2>&1 || fail "discon-report exit $?: $(cat "$tmp/dt.csv")"
section "$tmp/dt.csv" nesting_chains | grep -q "^double_trap,.*:$entry" ||
  fail "the report finds no double trap in the snapshot: $(section "$tmp/dt.csv" nesting_chains)"
# Taken while QEMU ran, with nothing dropped yet: complete, and not a
# producer that "ended without finishing" (it had not ended).
"$REPORT" "$tmp/dt/${files[0]}" >"$tmp/dt.txt" 2>&1 || fail "discon-report exit $?"
grep -q '^  complete    yes: end record present, totals agree; a flight-recorder snapshot, taken while QEMU ran$' \
  "$tmp/dt.txt" || fail "the double-trap snapshot's report says: $(grep complete "$tmp/dt.txt")"
echo "ok: double trap: one snapshot, holding the double trap from $entry, complete as a mid-run snapshot"
