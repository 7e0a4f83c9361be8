#!/usr/bin/env bash
# discon-record and a bad output (issue 15, point 4). The output is checked
# before anything starts: -o naming a regular file, or a directory that
# cannot be written, gives one line and a non-zero exit, with neither
# discond nor QEMU started and no segment made. A disk that fills while
# QEMU runs: discond fails, discon-record says so at once in one line with
# the reason and the segment, stops QEMU (the guest would otherwise run on
# forever here), and leaves no segment; discond's summary counts exactly
# the events the files hold and does not call QEMU killed.
. "$(dirname "$0")/lib.sh"
# A QEMU that only says it was started: nothing may start it here.
printf '#!/bin/sh\ntouch %q\n' "$tmp/qemu-started" >"$tmp/fake-qemu"
chmod +x "$tmp/fake-qemu"
# refused RC WHAT OUTPUT [OPTIONS...]: discon-record -o OUTPUT OPTIONS fails
# with one line and exit RC, starts nothing. As every tool: 2 for a
# malformed command line, 1 for an input or output named on it that cannot
# be used (a missing --symbols file is 1 in discon-report and trace2sqlite too).
refused() {
  local rc=0 want=$1
  shift
  "$DISCON_RECORD" -o "$2" "${@:3}" -- "$tmp/fake-qemu" >"$tmp/out" 2>"$tmp/err" & local pid=$!
  wait "$pid" || rc=$?
  expect_eq "$1: exit status ($(cat "$tmp/err"))" "$want" "$rc"
  expect_eq "$1: lines on stderr" 1 "$(wc -l <"$tmp/err")"
  [ ! -e "$tmp/qemu-started" ] || fail "$1: QEMU was started"
  ! ls /dev/shm/discon-rec-"$pid"-* >/dev/null 2>&1 || fail "$1: a segment was left"
  ! pgrep -f "discon-rec-$pid-" >/dev/null || fail "$1: discond was started"
  echo "ok: $1 refused (exit $rc): $(cat "$tmp/err")"
}
: >"$tmp/file"
refused 1 "-o naming a regular file" "$tmp/file"
refused 1 "-o under a regular file" "$tmp/file/sub"
# --symbols files are read before anything starts; the output is not made.
refused 1 "--symbols naming no file" "$tmp/sym-out" --symbols "$tmp/no-such-file"
echo "not a symbol file" >"$tmp/garbage"
refused 1 "--symbols naming a file that holds no symbols" "$tmp/sym-out" --symbols "$tmp/garbage"
[ ! -e "$tmp/sym-out" ] || fail "--symbols refused, but the output directory was made"
refused 2 "--snapshot-on without --snapshot" "$tmp/sym-out" --snapshot-on usr1

# discond stopped by someone else's SIGTERM while QEMU runs: it drains and
# exits 0, but nobody drains afterwards, so QEMU is stopped, with one line.
build_svc_guest 1000000000000 # runs until stopped
"$DISCON_RECORD" -o "$tmp/sig" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  >/dev/null 2>"$tmp/sig.err" & pid=$!
wait_until 60 "discond to start the trace" has_trace_file "$tmp/sig"
pkill -TERM -f "^$DISCOND .*discon-rec-$pid-"
rc=0
wait "$pid" || rc=$?
[ "$rc" != 0 ] || fail "discon-record succeeded though discond was stopped mid-run"
grep -q "^discon-record: discond ended while QEMU ran (stopped by a signal while QEMU still ran, exit 0): stopping QEMU; segment /dev/shm/discon-rec-$pid-[0-9a-f]* removed$" \
  "$tmp/sig.err" || fail "no clear line: $(cat "$tmp/sig.err")"
! pgrep -f "discon-rec-$pid-" >/dev/null || fail "QEMU still runs"
! ls /dev/shm/discon-rec-"$pid"-* >/dev/null 2>&1 || fail "the segment was left"
echo "ok: discond stopped by SIGTERM mid-run: QEMU stopped (exit $rc): $(grep ^discon-record "$tmp/sig.err")"

# discond run by hand with -o naming a regular file: refused at once, before
# it waits for or attaches to the segment (attached, then failing on its
# output, it left the guest to wait out the block timeout and drop, and
# the segment behind). With the segment there, a discond with a good -o
# then drains every event.
hand_refused() { # SHM: discond --shm SHM -o FILE exits 1 at once, one line
  local rc=0
  timeout 10 "$DISCOND" --shm "$1" -o "$tmp/file" 2>"$tmp/hand.err" || rc=$?
  expect_eq "discond -o FILE ($(cat "$tmp/hand.err")): exit" 1 "$rc"
  expect_eq "discond -o FILE: lines on stderr" 1 "$(wc -l <"$tmp/hand.err")"
  grep -qx "discond: -o $tmp/file: not a directory" "$tmp/hand.err" || fail "discond: $(cat "$tmp/hand.err")"
}
new_shm hand
hand_refused "$name"
assemble_guest svc_semihost hand --defsym SVC_COUNT=200000
"$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/hand.elf" -plugin "$DISCON_PLUGIN,shm=$name" \
  >/dev/null 2>"$tmp/hand-qemu.err" & qpid=$!
wait_until 60 "the plugin's segment" test -e "/dev/shm/$name"
hand_refused "$name"
"$DISCOND" --shm "$name" -o "$tmp/hand" 2>/dev/null || fail "discond with a good -o failed"
wait "$qpid" || fail "QEMU failed: $(cat "$tmp/hand-qemu.err")"
! grep -q dropped "$tmp/hand-qemu.err" || fail "events dropped: $(cat "$tmp/hand-qemu.err")"
dump_trace "$tmp/hand" >"$tmp/hand.dump" || fail "trace damaged: $(tail -n3 "$tmp/hand.dump")"
expect_eq "events after a refused discond" "total events 400001 lost 0 files 1 damaged 0 gaps 0 ends 1" \
  "$(tail -n1 "$tmp/hand.dump")"
echo "ok: discond -o naming a file refused before the segment ($(cat "$tmp/hand.err")); then all 400001 events drained"

[ "$(id -u)" = 0 ] || {
  mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
  refused 1 "-o naming an unwritable directory" "$tmp/ro"
  skip "needs root for the read-only and full file systems in a private mount namespace"
}
unshare --mount --propagation private true 2>/dev/null ||
  skip "the kernel forbids private mount namespaces here (unshare --mount failed)"
mkdir -p "$tmp/ro" "$tmp/full"
# Inside a private mount namespace: a read-only tmpfs, then a 2 MiB one that fills.
export -f refused expect_eq fail
export DISCON_RECORD tmp
unshare --mount --propagation private bash -c '
  set -euo pipefail
  mount -t tmpfs -o ro,size=1m tmpfs "$tmp/ro" && mount -t tmpfs -o size=2m tmpfs "$tmp/full" || exit 99
  refused 1 "-o naming a directory on a read-only file system" "$tmp/ro"
  start=$SECONDS
  rc=0
  timeout 60 "$DISCON_RECORD" -o "$tmp/full/trace" --stats-json "$tmp/stats.json" -- \
    "$@" >"$tmp/full.out" 2>"$tmp/full.err" & pid=$!
  wait "$pid" || rc=$?
  echo "$rc $((SECONDS - start))" >"$tmp/full.rc"
  cp -r "$tmp/full/trace" "$tmp/trace"' \
  bash "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" ||
  { [ $? = 99 ] && skip "cannot mount a tmpfs in a private mount namespace"; fail "the namespace part failed"; }
read -r rc secs <"$tmp/full.rc"
cat "$tmp/full.err"
[ "$rc" != 124 ] || fail "discon-record ran on for 60 s after the disk filled"
[ "$rc" != 0 ] || fail "discon-record succeeded on a full disk"
line=$(grep '^discon-record: discond ended while QEMU ran' "$tmp/full.err") ||
  fail "no line saying discond ended"
seg=$(grep -o '/dev/shm/discon-rec-[0-9a-f-]*' <<<"$line") ||
  fail "the line names no segment: $line"
[[ $line == *"No space left on device"* ]] || fail "the line does not give the reason: $line"
expect_eq "lines saying the disk is full (one error, one line)" 1 "$(grep -c 'No space left on device' "$tmp/full.err")"
[ ! -e "$seg" ] || fail "the segment $seg was left"
! pgrep -f "${seg#/dev/shm/}" >/dev/null || fail "discond or QEMU still runs"
! grep -q 'QEMU killed' "$tmp/full.err" || fail "the summary says QEMU was killed"
"$TRACE_DUMP" "$tmp/trace" >"$tmp/dump" || true
on_disk=$(awk '/^total events/ { print $3 }' "$tmp/dump")
claimed=$(sed -n 's/^discon: \([0-9]*\) events (.*/\1/p' "$tmp/full.err")
[ -n "$on_disk" ] && [ "$on_disk" -gt 0 ] || fail "nothing readable in the files: $(tail -n2 "$tmp/dump")"
expect_eq "events the summary claims (the files hold $on_disk)" "$on_disk" "$claimed"
grep -q "\"events\": $on_disk," "$tmp/stats.json" || fail "stats JSON: $(cat "$tmp/stats.json")"
echo "ok: full disk: discon-record ended after ${secs}s (exit $rc); $on_disk events on disk, as claimed"

# discond run by hand onto a disk that fills: it cannot stop a QEMU it did
# not start, so it says at once what the guest is in for (the segment, the
# block timeout) and how to go on; the segment keeps what was not written
# and a discond restarted on a copy of the files with room continues the
# trace: nothing lost.
new_shm handfull
assemble_guest svc_semihost handfull --defsym SVC_COUNT=1500000 # 3000001 events: more than 1 MiB
export DISCOND name
unshare --mount --propagation private bash -c '
  set -euo pipefail
  mkdir -p "$tmp/hf" "$tmp/hf-more"
  mount -t tmpfs -o size=1m tmpfs "$tmp/hf" || exit 99
  "$@" -plugin "$DISCON_PLUGIN,shm=$name,block_timeout=60000" >/dev/null 2>"$tmp/hf-qemu.err" & q=$!
  rc=0
  "$DISCOND" --shm "$name" -o "$tmp/hf/trace" 2>"$tmp/hf.err" || rc=$?
  echo "$rc" >"$tmp/hf.rc"
  [ -e "/dev/shm/$name" ] && echo kept >"$tmp/hf.kept"
  cp -a "$tmp/hf/trace/." "$tmp/hf-more/"
  "$DISCOND" --shm "$name" --wait 10 -o "$tmp/hf-more" 2>"$tmp/hf2.err"
  wait "$q"' \
  bash "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/handfull.elf" ||
  { [ $? = 99 ] && skip "cannot mount a tmpfs in a private mount namespace"; fail "the hand-run full disk part failed: $(cat "$tmp/hf.err" "$tmp/hf2.err" 2>/dev/null)"; }
expect_eq "hand-run discond on a full disk: exit ($(cat "$tmp/hf.err"))" 1 "$(cat "$tmp/hf.rc")"
grep -q "^discond: QEMU (pid [0-9]*) still runs; segment /dev/shm/$name keeps what was not written; its vCPUs wait up to 60000 ms for a consumer, then drop (counted): run discond --shm /$name -o $tmp/hf/trace again to continue$" \
  "$tmp/hf.err" || fail "hand-run discond on a full disk: no clear line: $(cat "$tmp/hf.err")"
[ -e "$tmp/hf.kept" ] || fail "hand-run discond on a full disk removed the segment"
dump_trace "$tmp/hf-more" >"$tmp/hf.dump" || fail "trace damaged: $(tail -n3 "$tmp/hf.dump")"
expect_eq "the continued trace" "total events 3000001 lost 0 files 2 damaged 0 gaps 0 ends 1" "$(tail -n1 "$tmp/hf.dump")"
echo "ok: hand-run discond on a full disk: $(grep 'still runs' "$tmp/hf.err"); continued elsewhere, nothing lost"
