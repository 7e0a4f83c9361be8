#!/usr/bin/env bash
# discon-report on real QEMU guests built to misbehave: a handler that
# faults on its first instruction is exactly one double trap at that PC; a
# guest re-executing a faulting instruction is a fault loop.
. "$(dirname "$0")/lib.sh"

record_guest() { # NAME: assemble tests/qemu/NAME.S, record it into $tmp/NAME
  assemble_guest "$1" "$1"
  "$DISCON_RECORD" -o "$tmp/$1" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/$1.elf" \
    >/dev/null 2>"$tmp/$1.err" || { cat "$tmp/$1.err" >&2; fail "recording $1 failed"; }
}
addr() { printf '0x%x' "0x$(aarch64-linux-gnu-nm "$tmp/$1.elf" | awk -v s="$2" '$3 == s { print $1 }')"; }

record_guest double_trap
# A generous time bound: the host may deschedule QEMU between the two traps
# when the machine is busy (the suite runs tests in parallel).
"$REPORT" --time-bound 1000000 --format csv "$tmp/double_trap" >"$tmp/dt.csv"
section "$tmp/dt.csv" double_traps >"$tmp/dt"
[ "$(wc -l <"$tmp/dt")" = 1 ] || fail "expected exactly one double trap: $(cat "$tmp/dt")"
entry=$(addr double_trap faulting_entry) svc=$(addr double_trap el0_svc)
IFS=, read -r vcpu _ first_from first_to _ second_from _ second_to <"$tmp/dt"
[ "$first_from" = "$(printf '0x%x' $((svc + 4)))" ] && [ "$first_to" = "$entry" ] &&
  [ "$second_from" = "$entry" ] || fail "double trap at the wrong place: $(cat "$tmp/dt")"
[ -z "$(section "$tmp/dt.csv" fault_loops)" ] || fail "a fault loop where there is none"
"$REPORT" --time-bound 1000000 "$tmp/double_trap" | grep "trap at $entry, 0 bytes into the previous handler" >/dev/null ||
  fail "the text report does not show the double trap"
echo "ok: exactly one double trap, at the handler's first instruction $entry"

record_guest fault_loop
"$REPORT" --format csv "$tmp/fault_loop" >"$tmp/fl.csv"
section "$tmp/fl.csv" fault_loops >"$tmp/fl"
stuck=$(addr fault_loop stuck_insn)
[ "$(cut -d, -f2,5 "$tmp/fl")" = "$stuck,5000" ] || fail "fault loop: $(cat "$tmp/fl")"
[ -z "$(section "$tmp/fl.csv" double_traps)" ] || fail "a double trap where there is none"
"$REPORT" --loop 5001 --format csv "$tmp/fault_loop" >"$tmp/fl5001.csv"
[ -z "$(section "$tmp/fl5001.csv" fault_loops)" ] || fail "--loop 5001 still reports a loop of 5000"
echo "ok: the stuck guest is one fault loop of 5000 traps at $stuck"
