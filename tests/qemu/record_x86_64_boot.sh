#!/usr/bin/env bash
# discon-record end to end on an x86_64 Debian kernel boot (-smp 2), with
# small rotated files: the per-vCPU totals of the trace equal its end record
# and an independent count by a second plugin, every rotated file reads on
# its own, and nothing is lost. Every EXCEPTION event carries the cr2 that
# the second plugin reads in the same callback of the same run.
. "$(dirname "$0")/lib.sh"
"$SRCDIR/scripts/guest/make-initramfs" amd64 "$tmp/initrd.gz"

timeout 300 "$DISCON_RECORD" -o "$tmp/rec" --rotate-size 32K --ring 1024 -- \
  "$QEMU" x86_64 -smp 2 -m 512 -display none -nographic -no-reboot \
  -kernel "$GUEST/amd64/vmlinuz" -initrd "$tmp/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1" \
  -plugin "$COUNT_PLUGIN,out=$tmp/count.txt,cr2=$tmp/cr2" >"$tmp/console.txt" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "discon-record failed"; }
check_recorded_boot "$tmp/rec"
files=$(ls "$tmp"/rec/*.discon | wc -l)
[ "$files" -ge 2 ] || fail "no rotation at 32K: $files file(s)"
for f in "$tmp"/rec/*.discon; do
  "$TRACE_DUMP" "$f" >/dev/null || fail "$f does not read on its own"
done
bytes=$(cat "$tmp"/rec/*.discon | wc -c)
echo "ok: $total events in $files self-contained files, $bytes bytes, equal to the independent count"

# cr2: per vCPU, the trace's exceptions (from_pc, fault_addr) in order are
# exactly the second plugin's lines; page faults make many distinct values.
for v in 0 1; do
  "$DISCON_DUMP" --format csv --vcpu "$v" --type exception "$tmp/rec" |
    awk -F, '$1 == "event" { print $7, $10 }' >"$tmp/cr2.trace.$v"
  [ -s "$tmp/cr2.trace.$v" ] || fail "vCPU $v: no exceptions"
  diff -u "$tmp/cr2.$v" "$tmp/cr2.trace.$v" >"$tmp/cr2.diff" ||
    { head -20 "$tmp/cr2.diff" >&2; fail "vCPU $v: the trace's cr2 values differ from the second plugin's"; }
done
distinct=$(cat "$tmp"/cr2.trace.* | awk '{ print $2 }' | sort -u | wc -l)
[ "$distinct" -ge 100 ] || fail "only $distinct distinct cr2 values: no page faults seen?"
echo "ok: $(cat "$tmp"/cr2.trace.* | wc -l) exceptions carry the cr2 the second plugin read ($distinct distinct values)"

check_boot_report "$tmp/rec" amd64
