#!/usr/bin/env bash
# What a block-mode stall stops (issue 15, point 9), measured: 2 vCPUs, the
# HMP monitor on a unix socket, discond stopped with SIGSTOP so vCPU 0's
# ring fills and it waits for space inside its trap callback. TCG delivers
# traps under QEMU's big lock (BQL), so the waiting vCPU holds it: the
# monitor does not answer until discond drains again; a vCPU running guest
# code that needs no lock (vCPU 1 counts in RAM, taking no trap) runs on at
# full speed. Once discond continues, the monitor answers at once and the
# trace holds every event. README ("What block mode stops") says the same.
# returns=off: a vCPU waiting to record a return (from translated code,
# outside the lock) would not hold the BQL; the trap path is measured.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 missing: no client for QEMU's monitor socket"
assemble_guest two_cpu_stall stall
counter=$(( $(printf '%d' "0x$(aarch64-linux-gnu-nm "$tmp/stall.elf" | awk '$3 == "counter" { print $1 }')") - 0x40000000 ))
new_shm stall
ram="discon-test-$$-ram"; shm_names+=("$ram")
# monitor COMMAND LIMIT: seconds until the monitor answered, or "timeout".
monitor() {
  python3 - "$tmp/mon.sock" "$1" "$2" <<'PY'
import socket, sys, time
path, cmd, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
t0 = time.monotonic()
s = socket.socket(socket.AF_UNIX)
s.settimeout(limit)
def prompt(buf=b""):
    while not buf.endswith(b"(qemu) "):
        d = s.recv(4096)
        if not d:
            raise EOFError("monitor closed")
        buf += d
try:
    s.connect(path)
    prompt()
    s.sendall(cmd.encode() + b"\n")
    prompt()
    print("%.3f" % (time.monotonic() - t0))
except (socket.timeout, TimeoutError):
    print("timeout")
PY
}
counter() { od -An -tu8 -j "$counter" -N8 "/dev/shm/$ram" | tr -d ' '; }
# Guest RAM in a shared file, so the test reads vCPU 1's counter while the
# monitor cannot answer; a block timeout far beyond the test's stall.
"$QEMU" aarch64 -M virt,memory-backend=mem -cpu cortex-a57 -smp 2 -m 128M \
  -object memory-backend-file,id=mem,size=128M,mem-path="/dev/shm/$ram",share=on \
  -semihosting -display none -nographic -no-reboot -kernel "$tmp/stall.elf" \
  -monitor "unix:$tmp/mon.sock,server=on,wait=off" \
  -plugin "$DISCON_PLUGIN,shm=$name,ring=4096,block_timeout=30000,returns=off" >"$tmp/qemu.out" 2>&1 & qemu=$!
"$DISCOND" --shm "$name" -o "$tmp/trace" --wait 30 2>"$tmp/discond.err" & d=$!
wait_until 30 "discond to start the trace" has_trace_file "$tmp/trace"
wait_until 30 "the monitor socket" test -S "$tmp/mon.sock"
before=$(monitor "info status" 5)
[ "$before" != timeout ] || fail "the monitor did not answer before the stall"
kill -STOP "$d"
sleep 0.5 # vCPU 0 fills its 4096 records in about 2 ms
c1=$(counter); stalled=$(monitor "info status" 2); c2=$(counter)
kill -CONT "$d"
after=$(monitor "info status" 10)
echo "monitor: ${before}s before, '$stalled' while vCPU 0 waits (limit 2 s), ${after}s after; vCPU 1 counted $((c2 - c1)) meanwhile"
expect_eq "the monitor while vCPU 0 waits for ring space (BQL held)" timeout "$stalled"
[ "$((c2 - c1))" -gt 1000000 ] || fail "vCPU 1 (no traps) did not run on during the stall: +$((c2 - c1))"
[ "$after" != timeout ] || fail "the monitor did not answer once discond drained again"
kill -TERM "$qemu"
wait "$qemu" 2>/dev/null || true
wait "$d" || fail "discond failed: $(cat "$tmp/discond.err")"
"$TRACE_DUMP" "$tmp/trace" >"$tmp/dump" || fail "trace damaged: $(tail -n3 "$tmp/dump")"
[[ $(tail -n1 "$tmp/dump") == *" lost 0 "*" damaged 0 gaps 0 ends 1" ]] || fail "events lost: $(tail -n1 "$tmp/dump")"
grep -q '^vcpu 0 .* hostcall 1 return 0 syscall 0$' "$tmp/dump" || fail "no PSCI call recorded: $(grep ^vcpu "$tmp/dump")"
echo "ok: a block-mode stall holds QEMU's big lock (monitor silent), a trap-free vCPU runs on, nothing is lost"
