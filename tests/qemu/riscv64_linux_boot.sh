#!/usr/bin/env bash
# Real QEMU 11, riscv64 Debian kernel booting a busybox initramfs through
# OpenSBI, -smp 2, block mode with a small ring and a concurrent consumer:
# every vCPU's ring receives events (the firmware's machine-level traps
# among them), nothing is dropped, and the per-vCPU, per-type counts equal
# an independent count taken by a second plugin in the same QEMU.
. "$(dirname "$0")/lib.sh"
require_riscv64

"$SRCDIR/scripts/guest/make-initramfs" riscv64 "$tmp/initrd.gz"
new_shm boot
"$DRAIN" --wait 30000 "/$name" >"$tmp/drain.txt" & drain=$!
start=$SECONDS
timeout 300 "$QEMU" riscv64 -M virt -smp 2 -m 512 -display none -nographic -no-reboot \
  -bios "$GUEST/riscv64/fw_dynamic.bin" \
  -kernel "$GUEST/riscv64/vmlinuz" -initrd "$tmp/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1" \
  -plugin "$DISCON_PLUGIN,shm=$name,ring=256" \
  -plugin "$COUNT_PLUGIN,out=$tmp/count.txt" >"$tmp/console.txt" 2>"$tmp/qemu.err" ||
  { cat "$tmp/qemu.err" >&2; fail "QEMU failed"; }
secs=$((SECONDS - start))
wait "$drain" || fail "drain_segment failed"
grep -q 'discon-guest: up with 2 CPUs' "$tmp/console.txt" ||
  { tail -n 20 "$tmp/console.txt" >&2; fail "the guest did not come up with 2 CPUs"; }
check_drained_boot
echo "ok: $total events on 2 vCPUs in a ${secs} s boot, none lost, equal to the independent count"
