#!/usr/bin/env bash
# SIGKILL of discon-record (issue 15, point 11), the deliberate behaviour:
# QEMU and discond go on without it; the guest is not disturbed, discond
# drains to the end and finishes the trace complete when QEMU ends, and
# removes the segment. discond notices the dead launcher only where it must:
# killed before QEMU started (or before QEMU created the segment), discond
# stops waiting for a segment that will never come, instead of for ever.
. "$(dirname "$0")/lib.sh"
gone() { ! pgrep -f "$1" >/dev/null; }

build_svc_guest 3000000
"$DISCON_RECORD" -o "$tmp/trace" --returns off -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  >/dev/null 2>"$tmp/err" & pid=$!
wait_until 60 "discond to start the trace" has_trace_file "$tmp/trace"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
pgrep -f "discon-rec-$pid-" >/dev/null || fail "QEMU and discond did not outlive the launcher"
wait_until 60 "QEMU and discond to end on their own" gone "discon-rec-$pid-"
dump_trace "$tmp/trace" >"$tmp/dump" || fail "trace damaged: $(tail -n3 "$tmp/dump")"
expect_eq "summary" "total events $((count + 1)) lost 0 files 1 damaged 0 gaps 0 ends 1" "$(tail -n1 "$tmp/dump")"
grep -qx "end finished 1 unrecorded 0" "$tmp/dump" || fail "the trace is not finished: $(grep ^end "$tmp/dump")"
! ls /dev/shm/discon-rec-"$pid"-* >/dev/null 2>&1 || fail "the segment was left"
echo "ok: discon-record killed mid-run: QEMU ran to its end, the trace holds all $((count + 1)) events, finished"

# discond's side, exactly: the launcher pipe ends without QEMU's pid (the
# launcher died before starting QEMU), or names a QEMU that is gone.
new_shm orphan
rc=0
timeout 10 "$DISCOND" --shm "$name" -o "$tmp/orphan" --launcher-fd 3 3< <(true) 2>"$tmp/orphan.err" || rc=$?
expect_eq "discond after the launcher died before QEMU: exit ($(cat "$tmp/orphan.err"))" 1 "$rc"
grep -q "discon-record ended before starting QEMU" "$tmp/orphan.err" || fail "$(cat "$tmp/orphan.err")"
sleep 0.1 & dead=$!
wait "$dead"
rc=0
timeout 10 "$DISCOND" --shm "$name" -o "$tmp/orphan" --launcher-fd 3 3< <(echo "$dead") 2>"$tmp/orphan.err" || rc=$?
expect_eq "discond after QEMU died before the segment: exit ($(cat "$tmp/orphan.err"))" 1 "$rc"
grep -q "QEMU (pid $dead) ended before creating the segment" "$tmp/orphan.err" || fail "$(cat "$tmp/orphan.err")"
echo "ok: an orphaned discond stops waiting for the segment: $(cat "$tmp/orphan.err")"

# Killed in its first milliseconds: whatever had started ends by itself.
build_svc_guest 1000
for ((i = 0; i < 12; i++)); do
  delay=$(printf '0.%04d' $((i * 5)))
  "$DISCON_RECORD" -o "$tmp/early$i" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
    >/dev/null 2>"$tmp/err$i" & pid=$!
  comm=
  while [ "$comm" != discon-record ]; do read -r comm </proc/"$pid"/comm || true; done
  sleep "$delay"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  wait_until 20 "try $i ($delay s): what the launcher started to end ($(pgrep -af "discon-rec-$pid-" | cut -c1-80))" \
    gone "discon-rec-$pid-"
  ! ls /dev/shm/discon-rec-"$pid"-* >/dev/null 2>&1 || fail "try $i ($delay s): a segment was left"
  echo "try $i: SIGKILL after ${delay}s: nothing left: $(tr '\n' ' ' <"$tmp/err$i" | cut -c1-120)"
done
echo "ok: 12 early SIGKILLs of discon-record left nothing running and no segment"
