#!/usr/bin/env bash
# QEMU's -daemonize under discon-record (issue 15, point 8): the launcher
# would see QEMU's parent exit at once and finish a "complete" trace while
# the daemon ran on undrained. It is refused with one line before anything
# starts. In user mode (qemu-ARCH) everything after the program is the
# guest's: a guest argument spelled -daemonize is passed on.
. "$(dirname "$0")/lib.sh"
build_svc_guest 1000
for opt in -daemonize --daemonize; do
  rc=0
  "$DISCON_RECORD" -o "$tmp/trace" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" "$opt" \
    >"$tmp/out" 2>"$tmp/err" & pid=$!
  wait "$pid" || rc=$?
  [ "$rc" != 0 ] || fail "$opt: accepted (exit 0): $(cat "$tmp/err")"
  expect_eq "$opt: lines on stderr" 1 "$(wc -l <"$tmp/err")"
  grep -q "^discon-record: QEMU's $opt cannot be recorded" "$tmp/err" || fail "$opt: $(cat "$tmp/err")"
  [ ! -e "$tmp/trace" ] || [ -z "$(ls -A "$tmp/trace")" ] || fail "$opt: a trace was written"
  ! pgrep -f "discon-rec-$pid-" >/dev/null || fail "$opt: something was started: $(pgrep -af "discon-rec-$pid-")"
  ! ls /dev/shm/discon-rec-"$pid"-* >/dev/null 2>&1 || fail "$opt: a segment was left"
  echo "ok: $opt refused (exit $rc): $(cat "$tmp/err")"
done
# A user-mode QEMU (named qemu-ARCH) whose guest gets -daemonize: not refused.
mkdir "$tmp/bin"
printf '#!/bin/sh\necho "$@" >%q\n' "$tmp/user-args" >"$tmp/bin/qemu-aarch64"
chmod +x "$tmp/bin/qemu-aarch64"
"$DISCON_RECORD" -o "$tmp/user" -- "$tmp/bin/qemu-aarch64" ./prog -daemonize >/dev/null 2>"$tmp/err" || true
grep -q -- '-daemonize' "$tmp/user-args" || fail "user mode: the guest's -daemonize was refused: $(cat "$tmp/err")"
echo "ok: user mode passes a guest's -daemonize on"
