#!/usr/bin/env bash
# discon-record end to end on an x86_64 Debian kernel boot (-smp 2), with
# small rotated files: the per-vCPU totals of the trace equal its end record
# and an independent count by a second plugin, every rotated file reads on
# its own, and nothing is lost.
. "$(dirname "$0")/lib.sh"
"$SRCDIR/scripts/guest/make-initramfs" amd64 "$tmp/initrd.gz"

timeout 300 "$DISCON_RECORD" -o "$tmp/rec" --rotate-size 32K --ring 1024 -- \
  "$QEMU" x86_64 -smp 2 -m 512 -display none -nographic -no-reboot \
  -kernel "$GUEST/amd64/vmlinuz" -initrd "$tmp/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1" \
  -plugin "$COUNT_PLUGIN,out=$tmp/count.txt" >"$tmp/console.txt" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "discon-record failed"; }
check_recorded_boot "$tmp/rec"
files=$(ls "$tmp"/rec/*.discon | wc -l)
[ "$files" -ge 2 ] || fail "no rotation at 32K: $files file(s)"
for f in "$tmp"/rec/*.discon; do
  "$TRACE_DUMP" "$f" >/dev/null || fail "$f does not read on its own"
done
bytes=$(cat "$tmp"/rec/*.discon | wc -c)
echo "ok: $total events in $files self-contained files, $bytes bytes, equal to the independent count"
