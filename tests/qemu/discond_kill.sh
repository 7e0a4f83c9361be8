#!/usr/bin/env bash
# SIGKILL of discond mid-run, five times, each time restarted on the same
# segment and directory (block mode): the trace holds every event exactly
# once, in order, without gaps, and its end record equals the producer's
# counters. Then SIGKILL of QEMU mid-run: the trace is finalized and says the
# producer ended without finishing. Then SIGTERM of discond mid-run: the trace
# is closed complete.
. "$(dirname "$0")/lib.sh"
build_svc_guest 3000000
new_shm kill

timeout 120 "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  -plugin "$DISCON_PLUGIN,shm=$name,ring=4096,returns=off" >"$tmp/qemu.out" 2>&1 & qemu=$!
# SIGKILL at a random point 30-100 ms after each run has started its trace
# (the first) or resumed it (the others): at most 0.5 s of draining in all,
# while the guest needs about 1.7 s for its events here.
rounds=5
resumptions() { cat "$tmp"/discond*.err 2>/dev/null | grep -c 'resuming trace' || true; }
resumed_at_least() { [ "$(resumptions)" -ge "$1" ]; }
for ((round = 0; round < rounds; round++)); do
  "$DISCOND" --shm "$name" -o "$tmp/trace" --flush-ms 20 --wait 60 2>>"$tmp/discond.err" & d=$!
  if [ "$round" = 0 ]; then
    wait_until 60 "discond to start the trace" has_trace_file "$tmp/trace"
  else
    wait_until 60 "discond to resume the trace (restart $round)" resumed_at_least "$round"
  fi
  sleep "0.$(printf "%03d" $((30 + RANDOM % 70)))"
  kill -KILL "$d" 2>/dev/null ||
    fail "discond ended before kill $((round + 1)): the guest was too quick for this test; raise its count"
  wait "$d" 2>/dev/null || true
done
# Make it as bad as a crash can: a torn frame at the end of the last file,
# and the next file created but never written.
last=$(ls "$tmp"/trace/*.discon | tail -n1)
printf '\x04\x22\x4d\x18torn' >>"$last"
index=$(basename "$last" .discon); index=${index##*-}
: >"${last%-*}-$(printf '%06d' $((10#$index + 1))).discon"
"$DISCOND" --shm "$name" -o "$tmp/trace" --flush-ms 20 --wait 60 --stats-json "$tmp/stats.json" \
  2>"$tmp/discond-last.err" || { cat "$tmp/discond-last.err" >&2; fail "discond failed"; }
wait "$qemu" || fail "QEMU failed: $(cat "$tmp/qemu.out")"
expect_eq "resumptions (every restart)" "$rounds" "$(resumptions)"
grep -q 'cut a torn frame' "$tmp/discond-last.err" || fail "the torn frame was not cut"
grep -q 'header was never written' "$tmp/discond-last.err" || fail "the empty file was not removed"

dump_trace "$tmp/trace" >"$tmp/dump" || fail "trace damaged: $(grep -v ^record "$tmp/dump")"
total=$((count + 1))
files=$(ls "$tmp"/trace/*.discon | wc -l)
expect_eq "summary" "total events $total lost 0 files $files damaged 0 gaps 0 ends 1" "$(tail -n1 "$tmp/dump")"
grep -qx "end vcpu 0 produced $total dropped 0 written $total" "$tmp/dump" || fail "end record"
svc_guest_records | cmp -s - <(grep '^record' "$tmp/dump") ||
  fail "the events are not exactly the guest's, once each, in order"
[ ! -e "/dev/shm/$name" ] || fail "the drained segment of a finished producer was left"
grep -q "\"events\": $total, \"interrupt\": 0, \"exception\": $count, \"hostcall\": 1, \"return\": 0, \"syscall\": 0, \"lost\": 0" \
  "$tmp/stats.json" || fail "stats JSON: $(cat "$tmp/stats.json")"
echo "ok: discond killed $rounds times at random points and restarted: $total events in $files files, none lost, none duplicated"

# The remaining cases kill QEMU themselves: a guest that does not end on its
# own (10^12 svc calls) cannot finish early on a slow machine and race them.
build_svc_guest 1000000000000

# SIGKILL of QEMU: finalized, marked as ended without finishing.
new_shm qemukill
"$DISCOND" --shm "$name" -o "$tmp/trace2" --wait 60 --summary 2>"$tmp/discond2.err" & d=$!
"$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  -plugin "$DISCON_PLUGIN,shm=$name,ring=4096,returns=off" >/dev/null 2>&1 & qemu=$!
wait_until 60 "discond to attach" has_trace_file "$tmp/trace2"
sleep 0.3
kill -KILL "$qemu" # scripts/qemu execs QEMU: this is QEMU's pid
wait "$qemu" 2>/dev/null || true
wait "$d" || fail "discond failed after QEMU was killed: $(cat "$tmp/discond2.err")"
"$TRACE_DUMP" "$tmp/trace2" >"$tmp/dump2" || fail "trace damaged: $(cat "$tmp/dump2")"
grep -qx "end finished 0 unrecorded 0" "$tmp/dump2" || fail "not marked as unfinished"
grep -q "ended without finishing" "$tmp/discond2.err" || fail "no word of the unfinished producer"
written=$(awk '/^total/ { print $3 }' "$tmp/dump2")
[ "$written" -gt 0 ] || fail "nothing written before QEMU was killed"
grep -qx "end vcpu 0 produced $written dropped 0 written $written" "$tmp/dump2" ||
  fail "end totals disagree with the events: $(grep ^end "$tmp/dump2")"
echo "ok: QEMU killed after $written events: trace finalized, marked unfinished"

# SIGTERM of discond while QEMU runs: what was there is drained and the
# trace is closed complete (end record, no damage, totals equal the events).
new_shm term
"$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  -plugin "$DISCON_PLUGIN,shm=$name,ring=4096,returns=off" >/dev/null 2>&1 & qemu=$!
"$DISCOND" --shm "$name" -o "$tmp/trace3" --wait 60 2>"$tmp/discond3.err" & d=$!
wait_until 60 "discond to attach" has_trace_file "$tmp/trace3"
sleep 0.3
kill -TERM "$d" || fail "discond exited before SIGTERM: $(cat "$tmp/discond3.err")"
# It drains what was published when the signal came, then stops, even
# though QEMU goes on producing.
wait_until 30 "discond to stop after SIGTERM" has_ended "$d"
wait "$d" || fail "discond failed on SIGTERM: $(cat "$tmp/discond3.err")"
kill -KILL "$qemu"
wait "$qemu" 2>/dev/null || true
"$TRACE_DUMP" "$tmp/trace3" >"$tmp/dump3" || fail "trace damaged: $(cat "$tmp/dump3")"
written=$(awk '/^total/ { print $3 }' "$tmp/dump3")
[ "$written" -gt 0 ] || fail "nothing written before SIGTERM"
grep -qx "end vcpu 0 produced $written dropped 0 written $written" "$tmp/dump3" ||
  fail "end totals disagree with the events: $(grep ^end "$tmp/dump3")"
grep -qx "total events $written lost 0 files 1 damaged 0 gaps 0 ends 1" "$tmp/dump3" ||
  fail "incomplete trace after SIGTERM: $(tail -n1 "$tmp/dump3")"
grep -qx "end finished 0 unrecorded 0" "$tmp/dump3" || fail "SIGTERM mid-run: producer marked finished"
echo "ok: SIGTERM of discond: $written events drained and the trace closed complete"
