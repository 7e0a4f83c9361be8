#!/usr/bin/env bash
# discon-report on real QEMU guests built to misbehave: a handler that
# faults on its first instruction is exactly one double trap at that PC; a
# guest re-executing a faulting instruction is a fault loop, also when a
# timer interrupts it all along.
. "$(dirname "$0")/lib.sh"

record_guest() { # NAME [QEMU ARGS...]: assemble tests/qemu/NAME.S, record it into $tmp/NAME$OUT
  local name=$1                    # with discon-record's options ${RECORD_ARGS[@]}
  shift
  assemble_guest "$name" "$name"
  "$DISCON_RECORD" -o "$tmp/$name${OUT:-}" "${RECORD_ARGS[@]}" -- "$QEMU" "${svc_guest_qemu[@]}" "$@" -kernel "$tmp/$name.elf" \
    >/dev/null 2>"$tmp/$name.err" || { cat "$tmp/$name.err" >&2; fail "recording $name failed"; }
}
addr() { printf '0x%x' "0x$(aarch64-linux-gnu-nm "$tmp/$1.elf" | awk -v s="$2" '$3 == s { print $1 }')"; }

RECORD_ARGS=()
record_guest double_trap
entry=$(addr double_trap faulting_entry) svc=$(addr double_trap el0_svc)
vectors_b=$(addr double_trap vectors_b)
# With returns (the default) the rule is exact: the udf at the faulty
# entry is taken while the svc that entered it has not returned.
"$REPORT" --format csv "$tmp/double_trap" >"$tmp/exact.csv"
section "$tmp/exact.csv" nesting_chains | grep '^double_trap,' >"$tmp/exact" || true
[ "$(wc -l <"$tmp/exact")" = 1 ] || fail "exact rule: expected exactly one double trap: $(cat "$tmp/exact")"
IFS=, read -r _ _ _ _ _ depth handler _ open <"$tmp/exact"
[ "$depth" = 2 ] && [ "$handler" = "$(printf '0x%x' $((vectors_b + 0x200)))" ] &&
  [ "${open#*:}" = "$entry" ] || fail "exact rule: the double trap's chain is wrong: $(cat "$tmp/exact")"
# The NORMAL_SVCS system calls before it returned with eret, each after > 0 ns;
# the one whose handler faulted never returned.
normal=$(sed -n 's/^ *\.equ NORMAL_SVCS, *\([0-9]*\).*/\1/p' "$SRCDIR/tests/qemu/double_trap.S")
IFS=, read -r kind _ count _ p50 _ max < <(section "$tmp/exact.csv" handler_time)
[ "$kind" = SVC64 ] && [ "$count" = "$normal" ] && [ "$p50" -gt 0 ] && [ "$max" -gt 0 ] ||
  fail "handler time: expected $normal returned SVC64 traps, > 0 ns: $(section "$tmp/exact.csv" handler_time)"
echo "ok: with returns, exactly one double trap, depth 2, inside the svc handler at $entry;" \
  "$count svc returned (p50 $p50 ns)"

# Without returns, the distance rule. A generous time bound: the host may
# deschedule QEMU between the two traps when the machine is busy (the
# suite runs tests in parallel).
RECORD_ARGS=(--returns off) OUT=.noret
record_guest double_trap
RECORD_ARGS=() OUT=
"$REPORT" --time-bound 1000000 --format csv "$tmp/double_trap.noret" >"$tmp/dt.csv"
section "$tmp/dt.csv" double_traps >"$tmp/dt"
[ "$(wc -l <"$tmp/dt")" = 1 ] || fail "expected exactly one double trap: $(cat "$tmp/dt")"
IFS=, read -r vcpu _ first_from first_to _ second_from _ second_to <"$tmp/dt"
[ "$first_from" = "$(printf '0x%x' $((svc + 4)))" ] && [ "$first_to" = "$entry" ] &&
  [ "$second_from" = "$entry" ] || fail "double trap at the wrong place: $(cat "$tmp/dt")"
[ -z "$(section "$tmp/dt.csv" fault_loops)" ] || fail "a fault loop where there is none"
"$REPORT" --time-bound 1000000 "$tmp/double_trap.noret" | grep "trap at $entry, 0 bytes into the previous handler" >/dev/null ||
  fail "the text report does not show the double trap"
echo "ok: exactly one double trap, at the handler's first instruction $entry"

record_guest fault_loop
"$REPORT" --format csv "$tmp/fault_loop" >"$tmp/fl.csv"
section "$tmp/fl.csv" fault_loops >"$tmp/fl"
stuck=$(addr fault_loop stuck_insn) vectors=$(addr fault_loop vectors)
# vcpu,source,symbol,handler,count,first_s,last_s,kind: the udf's kind (ESR EC 0).
expect_eq "fault loop (source,handler,count,kind)" \
  "$stuck,$(printf '0x%x' $((vectors + 0x200))),5000,unknown reason (undefined instruction)" \
  "$(cut -d, -f2,4,5,8 "$tmp/fl")"
[ -z "$(section "$tmp/fl.csv" double_traps)" ] || fail "a double trap where there is none"
"$REPORT" --loop 5001 --format csv "$tmp/fault_loop" >"$tmp/fl5001.csv"
[ -z "$(section "$tmp/fl5001.csv" fault_loops)" ] || fail "--loop 5001 still reports a loop of 5000"
"$REPORT" --loop 5000 --format csv "$tmp/fault_loop" >"$tmp/fl5000.csv"
[ "$(section "$tmp/fl5000.csv" fault_loops | wc -l)" = 1 ] || fail "--loop 5000 misses the loop of 5000"
# The kind table counts the same 5000 under the same kind, from the udf.
expect_eq "trap_kinds row of the udf" \
  "unknown reason (undefined instruction),undefined instruction,5000,$stuck" \
  "$(section "$tmp/fl.csv" trap_kinds | grep '^unknown reason' | cut -d, -f1-3,6)"
echo "ok: the stuck guest is one fault loop of 5000 traps at $stuck, named by its kind"

# The same udf faulting 20,000 times under a 2 us virtual timer (-icount
# makes the interleaving deterministic): still exactly one loop of 20,000,
# the ticks between the faults do not end it.
record_guest fault_loop_timer -icount shift=0
"$REPORT" --format csv "$tmp/fault_loop_timer" >"$tmp/flt.csv"
section "$tmp/flt.csv" fault_loops >"$tmp/flt"
stuck=$(addr fault_loop_timer stuck_insn) vectors=$(addr fault_loop_timer vectors)
expect_eq "fault loop under a timer (source,handler,count)" \
  "$stuck,$(printf '0x%x' $((vectors + 0x200))),20000" "$(cut -d, -f2,4,5 "$tmp/flt")"
ticks=$(section "$tmp/flt.csv" summary | awk -F, '$1 == "interrupt" { print $2 }')
[ "$ticks" -ge 10 ] || fail "only ${ticks} timer interrupts: the guest's timer did not tick"
[ -z "$(section "$tmp/flt.csv" double_traps)" ] || fail "a double trap where there is none"
echo "ok: one fault loop of 20000 at $stuck with $ticks timer interrupts in between"
