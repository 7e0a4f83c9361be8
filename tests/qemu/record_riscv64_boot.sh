#!/usr/bin/env bash
# discon-record end to end on a riscv64 Debian kernel boot through OpenSBI
# (-smp 2): the trace reads complete (discon-dump and trace_dump agree, the
# per-vCPU totals equal the end record and an independent count by a second
# plugin), and nothing is lost.
. "$(dirname "$0")/lib.sh"
require_riscv64
"$SRCDIR/scripts/guest/make-initramfs" riscv64 "$tmp/initrd.gz"

timeout 300 "$DISCON_RECORD" -o "$tmp/rec" --ring 1024 -- \
  "$QEMU" riscv64 -M virt -smp 2 -m 512 -display none -nographic -no-reboot \
  -bios "$GUEST/riscv64/fw_dynamic.bin" \
  -kernel "$GUEST/riscv64/vmlinuz" -initrd "$tmp/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1" \
  -plugin "$COUNT_PLUGIN,out=$tmp/count.txt" >"$tmp/console.txt" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "discon-record failed"; }
check_recorded_boot "$tmp/rec"
# discon-dump reads the same events, every one of them a riscv64 one.
"$DISCON_DUMP" --format csv "$tmp/rec" >"$tmp/records.csv" || fail "discon-dump failed"
expect_eq "events read by discon-dump" "$total" "$(grep -c '^event,' "$tmp/records.csv")"
echo "ok: $total events recorded, read complete by trace_dump and discon-dump, equal to the independent count"

check_boot_report "$tmp/rec" riscv64
