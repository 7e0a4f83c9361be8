#!/usr/bin/env bash
# Real QEMU 11, x86_64 Debian kernel booting a busybox initramfs, -smp 2,
# block mode with a small ring and a concurrent consumer: every vCPU's ring
# receives events, nothing is dropped, and the per-vCPU, per-type counts
# equal an independent count taken by a second plugin in the same QEMU.
. "$(dirname "$0")/lib.sh"

"$SRCDIR/scripts/guest/make-initramfs" amd64 "$tmp/initrd.gz"
new_shm boot
"$DRAIN" --wait 30000 "/$name" >"$tmp/drain.txt" & drain=$!
timeout 300 "$QEMU" x86_64 -smp 2 -m 512 -display none -nographic -no-reboot \
  -kernel "$GUEST/amd64/vmlinuz" -initrd "$tmp/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1" \
  -plugin "$DISCON_PLUGIN,shm=$name,ring=256" \
  -plugin "$COUNT_PLUGIN,out=$tmp/count.txt" >"$tmp/console.txt" 2>"$tmp/qemu.err" ||
  { cat "$tmp/qemu.err" >&2; fail "QEMU failed"; }
wait "$drain" || fail "drain_segment failed"
check_drained_boot
echo "ok: $total events on 2 vCPUs, none lost, equal to the independent count"
