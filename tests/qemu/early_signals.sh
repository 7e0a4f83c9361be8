#!/usr/bin/env bash
# SIGTERM in discon-record's first milliseconds (issue 15, point 5): at
# delays of 0 to 5 ms after the start, over and over. Whatever the moment
# (before the handlers, between fork and exec of either child, while
# discond waits for the segment), discon-record exits 143 (terminated),
# and neither discond nor QEMU nor the segment is left behind.
. "$(dirname "$0")/lib.sh"
build_svc_guest 1000000000000 # runs until stopped: only the signal ends it
# 0 to 5.5 ms twice (after sleep's own start-up of about 1 ms), then a few
# later ones, while discond waits for the segment and once it drains.
delays=()
for ((i = 0; i < 24; i++)); do delays+=("$(printf '0.%04d' $(((i % 12) * 5)))"); done
delays+=(0.02 0.1 0.3 0.6)
tries=${#delays[@]}
for ((i = 0; i < tries; i++)); do
  delay=${delays[i]}
  "$DISCON_RECORD" -o "$tmp/trace$i" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
    >/dev/null 2>"$tmp/err$i" & pid=$!
  # From its exec on (before that, the signal would reach bash's child).
  comm=
  while [ "$comm" != discon-record ]; do read -r comm </proc/"$pid"/comm || true; done
  sleep "$delay"
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" || rc=$?
    fail "try $i ($delay s): discon-record ended by itself (exit ${rc:-0}): $(tr '\n' ' ' <"$tmp/err$i")"; }
  (sleep 30 && kill -KILL "$pid") 2>/dev/null & watchdog=$!
  rc=0
  wait "$pid" || rc=$?
  kill "$watchdog" 2>/dev/null ||
    fail "try $i ($delay s): discon-record still ran 30 s after SIGTERM: $(tr '\n' ' ' <"$tmp/err$i")"
  expect_eq "try $i ($delay s): exit status ($(tr '\n' ' ' <"$tmp/err$i"))" 143 "$rc"
  ! pgrep -f "discon-rec-$pid-" >/dev/null ||
    fail "try $i ($delay s): left running: $(pgrep -af "discon-rec-$pid-")"
  ! ls /dev/shm/discon-rec-"$pid"-* >/dev/null 2>&1 || fail "try $i ($delay s): a segment was left"
  started=$( (find "$tmp/trace$i" -name "*.discon" 2>/dev/null || true) | wc -l) # no directory: none
  echo "try $i: SIGTERM after ${delay}s: exit 143, nothing left ($started trace files)"
done
echo "ok: $tries early SIGTERMs, each ended the launch with nothing left"

# Mid-run, SIGINT sent to discon-record alone (kill -INT, as a script or a
# supervisor sends it; the terminal's Ctrl-C reaches QEMU itself): it stops
# the recording as SIGTERM does (QEMU stopped, the trace finished and
# complete, exit 130), not swallowed while the guest runs on. A script's
# background job starts with SIGINT ignored; discon-record takes it anyway.
"$DISCON_RECORD" -o "$tmp/int" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  >/dev/null 2>"$tmp/int.err" & pid=$!
wait_until 60 "discond to start the trace" has_trace_file "$tmp/int"
# QEMU catches SIGINT only late in its start-up (os_setup_signal_handling,
# after the displays; the plugin, and so the trace, come earlier): a SIGINT
# before that kills it outright, unfinished, and the trace says so. Mid-run
# means QEMU catches it: SigCgt of /proc/PID/status has SIGINT (bit 1).
qemu_catches_sigint() {
  local c mask
  for c in $(pgrep -P "$pid"); do
    [ "$(cat /proc/"$c"/comm 2>/dev/null)" = discond ] && continue
    mask=$(awk '/^SigCgt:/ { print $2 }' /proc/"$c"/status 2>/dev/null) || continue
    [ -n "$mask" ] && (((0x$mask >> 1) & 1)) && return 0
  done
  return 1
}
wait_until 60 "QEMU to catch SIGINT" qemu_catches_sigint
kill -INT "$pid"
(sleep 30 && kill -TERM "$pid") 2>/dev/null & watchdog=$!
rc=0
wait "$pid" || rc=$?
kill "$watchdog" 2>/dev/null || fail "SIGINT mid-run: discon-record still ran 30 s later (swallowed)"
expect_eq "SIGINT mid-run: exit status ($(tr '\n' ' ' <"$tmp/int.err"))" 130 "$rc"
! pgrep -f "discon-rec-$pid-" >/dev/null || fail "SIGINT mid-run: left running: $(pgrep -af "discon-rec-$pid-")"
"$REPORT" "$tmp/int" 2>/dev/null | grep -q '^  complete    yes' ||
  fail "SIGINT mid-run: the trace is not complete: $("$REPORT" "$tmp/int" 2>&1 | grep complete)"
# QEMU ended through its plugin's exit (the forwarded SIGINT): the trace,
# and the summary both say it finished.
"$TRACE_DUMP" "$tmp/int" >"$tmp/int.dump" || fail "SIGINT mid-run: trace damaged: $(tail -n1 "$tmp/int.dump")"
grep -qx "end finished 1 unrecorded 0" "$tmp/int.dump" ||
  fail "SIGINT mid-run: the end record says the producer did not finish: $(grep '^end finished' "$tmp/int.dump")"
! grep -E "without finishing|while QEMU still ran" "$tmp/int.err" ||
  fail "SIGINT mid-run: the summary says QEMU did not finish: $(tr '\n' ' ' <"$tmp/int.err")"
echo "ok: SIGINT sent to discon-record mid-run stopped QEMU (exit 130), the trace complete"
