#!/usr/bin/env bash
# The fault matrix on real QEMU, with the 3 M-syscall bare-metal guest. For
# each case the comment says what must hold; the files are the evidence.
. "$(dirname "$0")/lib.sh"
build_svc_guest 3000000
total=$((count + 1))
run_qemu() { # SHM [PLUGIN OPTIONS]: QEMU in the background, pid in $qemu
  "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
    -plugin "$DISCON_PLUGIN,shm=$1,returns=off${2:+,$2}" >/dev/null 2>>"$tmp/qemu.err" & qemu=$!
}
exact() { # DIR: the trace holds every event once, complete
  dump_trace "$1" >"$tmp/dump" || fail "$1: $(grep -v ^record "$tmp/dump")"
  svc_guest_records | cmp -s - <(grep '^record' "$tmp/dump") || fail "$1: not the guest's events"
  grep -qx "end vcpu 0 produced $total dropped 0 written $total" "$tmp/dump" || fail "$1: end record"
}

# 1. SIGSTOP of discond in block mode for 2.5 s: the guest stalls (the
#    trace shows a pause of about that length between two of its events,
#    which are otherwise microseconds apart), then resumes; nothing is lost.
new_shm stop_block
run_qemu "$name" ring=4096
"$DISCOND" --wait 60 --shm "$name" -o "$tmp/stop_block" 2>/dev/null & d=$!
wait_until 60 "discond to attach" has_trace_file "$tmp/stop_block"
kill -STOP "$d" || fail "discond ended before it could be stopped"
kill -0 "$qemu" || fail "the guest ended before discond was stopped"
sleep 2.5; kill -CONT "$d"
wait "$qemu" || fail "QEMU failed"
wait "$d" || fail "discond failed"
exact "$tmp/stop_block"
pause=$(awk '$1 == "pause" && $3 == 0 { print int($5 / 1000000) }' "$tmp/dump")
[ "${pause:-0}" -ge 2000 ] || fail "the guest did not wait for the stopped consumer (longest pause ${pause:-?} ms)"
echo "ok: discond stopped 2.5 s in block mode: the guest waited ($pause ms), nothing lost"

# 2. The same in drop mode: the guest runs on; the losses are counted
#    exactly, in the trace and in the report.
new_shm stop_drop
run_qemu "$name" ring=4096,mode=drop
"$DISCOND" --wait 60 --shm "$name" -o "$tmp/stop_drop" 2>/dev/null & d=$!
wait_until 60 "discond to attach" has_trace_file "$tmp/stop_drop"
kill -STOP "$d" || fail "discond ended before it could be stopped"
sleep 1; kill -CONT "$d"
wait "$qemu" || fail "QEMU failed"
wait "$d" || fail "discond failed"
"$TRACE_DUMP" "$tmp/stop_drop" >"$tmp/dump" || fail "damaged"
read -r written lost < <(awk '/^total/ { print $3, $5 }' "$tmp/dump")
[ "$lost" -gt 0 ] || fail "no loss in drop mode with a stopped consumer"
expect_eq "written + lost" "$total" $((written + lost))
grep -qx "end vcpu 0 produced $total dropped $lost written $written" "$tmp/dump" || fail "end record"
grep -q ' gaps 0 ' "$tmp/dump" || fail "sequence gaps beyond the loss records"
"$REPORT" "$tmp/stop_drop" >"$tmp/report"
grep -q "losses      $lost events lost" "$tmp/report" || fail "the report: $(grep -A2 losses "$tmp/report")"
grep -q "^  complete    yes" "$tmp/report" || fail "the report calls the lossy trace incomplete"
echo "ok: discond stopped 1 s in drop mode: $lost events lost, counted exactly in trace and report"

# 3. Rotation under load: small files while 3 M events stream in; every
#    file reads on its own and together they are exact.
new_shm rotate
run_qemu "$name" ring=4096
"$DISCOND" --wait 60 --shm "$name" -o "$tmp/rotate" --rotate-size 256K --flush-ms 50 2>/dev/null & d=$!
wait "$qemu" && wait "$d" || fail "rotation run failed"
files=$(ls "$tmp"/rotate/*.discon | wc -l)
[ "$files" -ge 5 ] || fail "only $files files"
for f in "$tmp"/rotate/*.discon; do "$TRACE_DUMP" "$f" >/dev/null || fail "$f is not self-contained"; done
exact "$tmp/rotate"
echo "ok: rotation under load: $files self-contained files, exact events"

# 4. Two QEMUs traced at once into separate segments and directories.
"$DISCON_RECORD" -o "$tmp/two_a" --returns off -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" >/dev/null 2>&1 & a=$!
"$DISCON_RECORD" -o "$tmp/two_b" --returns off -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" >/dev/null 2>&1 & b=$!
wait "$a" && wait "$b" || fail "concurrent recordings failed"
exact "$tmp/two_a"
exact "$tmp/two_b"
echo "ok: two QEMUs recorded at once, each exact"

# 5. A second discond on the same segment is refused while the first runs.
new_shm second
run_qemu "$name" ring=4096
"$DISCOND" --wait 60 --shm "$name" -o "$tmp/first" 2>/dev/null & d=$!
wait_until 60 "the first discond to attach" has_trace_file "$tmp/first"
set +e; "$DISCOND" --wait 60 --shm "$name" -o "$tmp/second" 2>"$tmp/err"; rc=$?; set -e
[ "$rc" = 1 ] || fail "a second discond was not refused (exit $rc)"
grep -q 'already has a consumer' "$tmp/err" || fail "unclear refusal: $(cat "$tmp/err")"
wait "$qemu" && wait "$d" || fail "the first discond failed"
exact "$tmp/first"
echo "ok: a second discond on the same segment is refused; the first records everything"

# 6. Disk full (a 512 KiB tmpfs; needs the right to mount): a clear error,
#    the rotated files intact, the last one readable up to its last whole
#    frame.
mkdir -p "$tmp/full"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=512k tmpfs "$tmp/full" 2>/dev/null; then
  trap 'umount "$tmp/full" 2>/dev/null || true; cleanup' EXIT
  new_shm full
  run_qemu "$name" ring=4096
  set +e; "$DISCOND" --wait 60 --shm "$name" -o "$tmp/full" --rotate-size 128K --flush-ms 50 2>"$tmp/err"; rc=$?; set -e
  kill -KILL "$qemu" 2>/dev/null || true
  wait "$qemu" 2>/dev/null || true
  [ "$rc" = 1 ] || fail "disk full: discond exit $rc"
  grep -q 'No space left on device' "$tmp/err" || fail "no clear error: $(cat "$tmp/err")"
  expect_eq "lines saying the disk is full (one error, one line)" 1 "$(grep -c 'No space left on device' "$tmp/err")"
  n=0
  for f in "$tmp"/full/*.discon; do
    "$TRACE_DUMP" "$f" >"$tmp/dump" || fail "$f is damaged: $(grep damage "$tmp/dump")"
    n=$((n + 1))
  done
  [ "$n" -ge 2 ] || fail "expected rotated files before the disk filled, got $n"
  "$TRACE_DUMP" "$tmp/full" >"$tmp/dump" || fail "the files together are damaged"
  grep -q ' gaps 0 ends 0$' "$tmp/dump" || fail "unexpected: $(tail -n1 "$tmp/dump")"
  umount "$tmp/full"
  echo "ok: disk full: a clear error, $n files intact up to their last whole frame"
else
  echo "ok: disk full case skipped: mounting a small tmpfs needs root and CAP_SYS_ADMIN"
fi
