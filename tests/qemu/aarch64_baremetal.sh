#!/usr/bin/env bash
# Real QEMU 11, aarch64 bare metal: a guest assembled here executes `svc`
# SVC_COUNT times (its handler returns with eret) and one semihosting call.
# The rings must hold exactly those events, with the PCs QEMU reports for
# them and the RETURN of each eret (returns=on, the default), and nothing
# else.
. "$(dirname "$0")/lib.sh"

build_svc_guest

run_guest() { # PLUGIN_OPTIONS
  timeout 60 "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" -plugin "$DISCON_PLUGIN,$1" \
    >"$tmp/qemu.out" 2>"$tmp/qemu.err" || { cat "$tmp/qemu.err" >&2; fail "QEMU failed ($1)"; }
  grep -q "semihosting from the test guest" "$tmp/qemu.out" "$tmp/qemu.err" || { cat "$tmp/qemu.out" "$tmp/qemu.err" >&2; fail "the guest did not run"; }
}

drained_run() { # TAG PLUGIN_OPTIONS: run the guest, drain_segment --records into $tmp/drain.txt
  new_shm "$1"
  "$DRAIN" --records "/$name" >"$tmp/drain.txt" & drain=$!
  run_guest "shm=$name${2:+,$2}"
  wait "$drain" || fail "drain_segment failed"
}

# 1. Block mode with a concurrent consumer: exactly the expected events,
#    each svc followed by the RETURN of its handler's eret.
drained_run block
{
  svc_guest_records RETURNS
  echo "vcpu 0 interrupt 0 exception $count hostcall 1 return $count syscall 0"
  echo "total events $((2 * count + 1)) lost_inband 0 dropped 0 unrecorded 0 finished 1"
} >"$tmp/want.txt"
diff -u "$tmp/want.txt" "$tmp/drain.txt" || fail "the rings do not hold exactly the guest's events"
echo "ok: $count svc exceptions, $count returns and 1 hostcall, exact PCs"

# 1a. Through discon-record, the trace and discon-dump: every RETURN goes
#     from the eret to the instruction after its svc, at EL1 (the guest
#     runs at EL1; the svc is taken to EL1 and eret goes back to EL1).
"$DISCON_RECORD" -o "$tmp/rec" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  >/dev/null 2>"$tmp/rec.err" || { cat "$tmp/rec.err" >&2; fail "discon-record failed"; }
"$DISCON_DUMP" --format csv "$tmp/rec" >"$tmp/rec.csv" || fail "discon-dump failed"
expect_eq "RETURN rows (from,to,to_level,from_level)" \
  "$count $(printf '0x%x,0x%x,1,1' $((vectors + 0x200)) $((svc + 4)))" \
  "$(awk -F, '$1 == "event" && $6 == "return" { print $7 "," $8 "," $12 "," $13 }' "$tmp/rec.csv" |
     sort | uniq -c | awk '{ print $1, $2 }')"
echo "ok: the trace holds $count RETURN events, eret -> svc + 4, EL1 -> EL1"

# 1b. returns=off: no instruction is instrumented, no RETURN.
drained_run noret returns=off
{
  svc_guest_records
  echo "vcpu 0 interrupt 0 exception $count hostcall 1 return 0 syscall 0"
  echo "total events $((count + 1)) lost_inband 0 dropped 0 unrecorded 0 finished 1"
} >"$tmp/want.txt"
diff -u "$tmp/want.txt" "$tmp/drain.txt" || fail "returns=off: not exactly the traps"
echo "ok: returns=off records the traps only"

# 1c. types=return: the returns alone (the traps are still watched, so
#     none is missed, but not recorded).
drained_run onlyret types=return
expect_eq "types=return" "$count $count" \
  "$(grep -c '^record 0 return' "$tmp/drain.txt") $(grep -c '^record' "$tmp/drain.txt")"
echo "ok: types=return records only the $count returns"

# 2. types= filters at the source.
drained_run types types=hostcall
expect_eq "types=hostcall" "$(printf 'record 0 hostcall 0x%x 0x%x' "$semi" $((semi + 4)))" \
  "$(grep '^record' "$tmp/drain.txt")"
echo "ok: types=hostcall records only the host call"

# 3. Drop mode, nobody draining, a 16-record ring: the first 16 events are
#    kept, every other one is counted as dropped, exactly. The segment
#    outlives QEMU because it still holds records.
new_shm drop
run_guest "shm=$name,mode=drop,ring=16,returns=off"
[ -e "/dev/shm/$name" ] || fail "the plugin unlinked a segment holding undrained records"
"$DRAIN" --records "/$name" >"$tmp/drain.txt" || fail "drain_segment failed"
expect_eq "records kept" 16 "$(grep -c '^record' "$tmp/drain.txt")"
expect_eq "drop mode summary" \
  "total events 16 lost_inband 0 dropped $((count + 1 - 16)) unrecorded 0 finished 1" \
  "$(tail -n1 "$tmp/drain.txt")"
echo "ok: drop mode kept 16 and counted $((count + 1 - 16)) drops"

# 4. Block mode with no consumer must not hang the guest: after
#    block_timeout it drops (counted) and warns once.
new_shm fallback
run_guest "shm=$name,ring=16,block_timeout=200,returns=off"
expect_eq "fallback warnings" 1 "$(grep -c 'drained nothing for 200 ms' "$tmp/qemu.err")"
"$DRAIN" "/$name" >"$tmp/drain.txt" || fail "drain_segment failed"
expect_eq "fallback summary" \
  "total events 16 lost_inband 0 dropped $((count + 1 - 16)) unrecorded 0 finished 1" \
  "$(tail -n1 "$tmp/drain.txt")"
echo "ok: block mode without a consumer fell back to counted drops after 200 ms"

# 5. A segment whose rings are empty at exit is removed by the plugin (this
#    guest takes no interrupts); an existing name is refused.
new_shm unlink
run_guest "shm=$name,types=interrupt"
[ ! -e "/dev/shm/$name" ] || fail "an empty segment was left behind"
: >"/dev/shm/$name"
if timeout 60 "$QEMU" aarch64 -M virt -display none -nographic -kernel "$tmp/guest.elf" \
     -semihosting -plugin "$DISCON_PLUGIN,shm=$name" >/dev/null 2>"$tmp/qemu.err"; then
  fail "QEMU started on an existing segment name"
fi
grep -q "cannot create shared memory /$name: File exists" "$tmp/qemu.err" ||
  fail "no clear error for an existing segment: $(cat "$tmp/qemu.err")"
echo "ok: segments are created exclusively and removed once drained"
