#!/usr/bin/env bash
# discond --pid on a real QEMU 11 x86_64 Linux boot, -smp 2, started
# without discon's plugin but with the independent counting plugin logging
# every event with its time per vCPU (log=). Attach mid-boot, detach after
# 2 s: for each vCPU the trace is exactly one contiguous window of the
# plugin's sequence (type, from, to), bounded by the attach and detach
# points discond reports, nothing lost at boot rates, and QEMU finishes
# the boot normally afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attach_lib.sh"

"$SRCDIR/scripts/guest/make-initramfs" amd64 "$tmp/initrd.gz"
"$QEMU" x86_64 -smp 2 -m 512 -display none -nographic -no-reboot \
  -kernel "$GUEST/amd64/vmlinuz" -initrd "$tmp/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1" \
  -plugin "$COUNT_PLUGIN,out=$tmp/count.txt,log=$tmp/log" \
  >"$tmp/console.txt" 2>"$tmp/qemu.err" </dev/null & qpid=$!
# Mid-boot: once the kernel has brought up the second vCPU.
wait_until 120 "the second vCPU to start" test -s "$tmp/log.1"
attach_discond "$tmp/trace" --duration 2
wait "$dpid" || { cat "$tmp/discond.err" >&2; fail "discond failed"; }
wait "$qpid" || { cat "$tmp/qemu.err" >&2; fail "QEMU failed after the detach"; }
grep -q 'discon-guest: workload done' "$tmp/console.txt" || fail "the guest did not finish after the detach"
cat "$tmp/discond.err"
read -r t0 t1 < <(sed -n 's/.*probe live between \([0-9]*\) and \([0-9]*\) ns.*/\1 \2/p' "$tmp/discond.err")
read -r t2 t3 < <(sed -n 's/.*detached from QEMU pid [0-9]* between \([0-9]*\) and \([0-9]*\) ns.*/\1 \2/p' "$tmp/discond.err")
[ -n "$t1" ] && [ -n "$t3" ] || fail "discond did not report its attach and detach points"

"$TRACE_DUMP" "$tmp/trace" >"$tmp/dump" || fail "trace damaged: $(cat "$tmp/dump")"
summary=$(tail -n1 "$tmp/dump")
[[ $summary == *" lost 0 "*" damaged 0 gaps 0 ends 1" ]] || fail "lost or incomplete at boot rates: $summary"
"$DISCON_DUMP" --format csv "$tmp/trace" >"$tmp/events.csv" || fail "discon-dump failed"
for v in 0 1; do
  awk -F, -v v="$v" '$1 == "event" && $2 == v { print $3, $4, $6, $7, $8 }' "$tmp/events.csv" |
    sort -n -k1,1 | cut -d' ' -f2- >"$tmp/trace.$v"
  [ "$(wc -l <"$tmp/trace.$v")" -gt 100 ] || fail "vCPU $v: under 100 events recorded in 2 s of boot"
  # The window: i0 is the first plugin event at or after the first traced
  # event's time (the probe fires before the plugin's callback of the same
  # event, after the callback of the one before).
  awk -v m=0 -v n=0 -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v v="$v" '
    FNR == NR { tt[m] = $1; ty[m] = $2; fr[m] = $3; to[m] = $4; m++; next }
    { pt[n] = $1; pk[n] = $2 " " $3 " " $4; n++ }
    END {
      for (i0 = 0; i0 < n && pt[i0] < tt[0]; i0++) ;
      for (j = 0; j < m; j++)
        if (i0 + j >= n || pk[i0 + j] != ty[j] " " fr[j] " " to[j]) {
          printf "vCPU %d: trace event %d (%s %s %s) is not plugin event %d (%s)\n", v, j, ty[j], fr[j], to[j], i0 + j, pk[i0 + j]; exit 1 }
      i1 = i0 + m - 1
      if (tt[0] < t0 || tt[m - 1] > t3) { printf "vCPU %d: events outside [attach, detach]\n", v; exit 1 }
      # Missed at the start: only events whose probe point may precede the
      # probe going live (the one before it ended before t1).
      if (i0 >= 2 && pt[i0 - 2] >= t1) { printf "vCPU %d: plugin event %d after the attach is missing\n", v, i0 - 1; exit 1 }
      # Missed at the end: only events after the detach began.
      if (i1 + 1 < n && pt[i1 + 1] <= t2) { printf "vCPU %d: plugin event %d before the detach is missing\n", v, i1 + 1; exit 1 }
      printf "ok: vCPU %d: trace = plugin events %d..%d of %d, exactly (%d events)\n", v, i0, i1, n, m
    }' "$tmp/trace.$v" "$tmp/log.$v" || fail "the trace is not the plugin's window"
done
