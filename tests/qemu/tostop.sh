#!/usr/bin/env bash
# discon-record on a terminal with `stty tostop`: discond runs in its own
# process group, so its status line to the terminal must not stop it (the
# guest would wait out the block timeout and events be dropped). Every
# event is recorded and the launcher ends when QEMU does.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || skip "script (bsdutils) missing: no pseudo-terminal to run on"
build_svc_guest 2000000
qemu=$(printf '%q ' "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf")
# script(1) gives the command a pseudo-terminal as its controlling terminal
# and stderr; its shell runs discon-record in the foreground process group.
timeout 90 script -qec "stty tostop; $(printf '%q' "$DISCON_RECORD") -o $tmp/out --returns off -- $qemu; echo rc=\$? >$tmp/rc" \
  /dev/null >"$tmp/terminal.txt" 2>&1 || fail "discon-record did not end within 90 s (stopped by SIGTTOU?): $(tail -c 600 "$tmp/terminal.txt")"
expect_eq "discon-record's exit" "rc=0" "$(cat "$tmp/rc")"
dump_trace "$tmp/out" >"$tmp/dump" || fail "trace damaged: $(tail -n3 "$tmp/dump")"
summary=$(tail -n1 "$tmp/dump")
[[ $summary == *" lost 0 "*" damaged 0 gaps 0 ends 1" ]] || fail "events lost under tostop: $summary"
expect_eq "events recorded" "$((count + 1))" "$(grep -c '^record ' "$tmp/dump")"
echo "ok: $count svc recorded with tostop, none lost: $summary"
