#!/usr/bin/env bash
# linux_kinds.sh aarch64|riscv64: a Debian kernel booting the busybox
# initramfs (-smp 2), recorded by discon-record while cause_count_plugin
# runs in the same QEMU and names every trap from the registers it reads
# itself. The database's trap_kinds view (SELECT kind, SUM(count) ... GROUP
# BY kind) must equal that count, every kind exactly; the levels the traps
# were taken to (riscv64: S for the kernel, M for OpenSBI) must equal
# what discon recorded; and discon-report finds no double trap and no
# fault loop in an ordinary boot.
. "$(dirname "$0")/lib.sh"
target=${1:-}
case $target in
  aarch64)
    guest=arm64
    qemu_args=(aarch64 -M virt -cpu cortex-a57 -append "console=ttyAMA0 quiet panic=-1") ;;
  riscv64)
    require_riscv64
    guest=riscv64
    qemu_args=(riscv64 -M virt -bios "$GUEST/riscv64/fw_dynamic.bin"
      -append "console=ttyS0 quiet panic=-1") ;;
  *) echo "usage: linux_kinds.sh aarch64|riscv64" >&2; exit 2 ;;
esac
[ -n "${CAUSE_COUNT_PLUGIN:-}" ] && [ -n "${T2S:-}" ] || fail "CAUSE_COUNT_PLUGIN and T2S must be set (meson does)"
command -v sqlite3 >/dev/null || skip "the sqlite3 command-line tool is missing (package sqlite3)"

"$SRCDIR/scripts/guest/make-initramfs" "$guest" "$tmp/initrd.gz"
start=$SECONDS
timeout 120 "$DISCON_RECORD" -o "$tmp/rec" -- "$QEMU" "${qemu_args[@]}" -smp 2 -m 512 \
  -display none -nographic -no-reboot -kernel "$GUEST/$guest/vmlinuz" -initrd "$tmp/initrd.gz" \
  -plugin "$CAUSE_COUNT_PLUGIN,out=$tmp/plugin_kinds,levels=$tmp/plugin_levels" \
  >"$tmp/console.txt" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "discon-record failed"; }
secs=$((SECONDS - start))
grep -q 'discon-guest: up with 2 CPUs' "$tmp/console.txt" &&
  grep -q 'discon-guest: workload done' "$tmp/console.txt" ||
  { tail -n 20 "$tmp/console.txt" >&2; fail "the guest did not come up with 2 CPUs and finish"; }
"$TRACE_DUMP" "$tmp/rec" >"$tmp/dump" || fail "trace damaged: $(tail -n1 "$tmp/dump")"
summary=$(tail -n1 "$tmp/dump")
[[ $summary == *" lost 0 "*" damaged 0 gaps 0 ends 1" ]] || fail "incomplete trace: $summary"
total=$(awk '{ print $3 }' <<<"$summary")
# Traps: every event but the RETURN events (aarch64 and riscv64 have no
# SYSCALL events: their system calls are traps).
returns=$(awk '$1 == "vcpu" { n += $10 } END { print n + 0 }' "$tmp/dump")
[ "$returns" -gt 0 ] || fail "no RETURN events in a Linux boot with returns=on"
total=$((total - returns))
echo "ok: $target boot recorded in ${secs} s: $summary"

# The kinds: the database's view against the plugin's own decoding.
"$T2S" -o "$tmp/boot.db" "$tmp/rec" >/dev/null 2>"$tmp/t2s.err" ||
  fail "trace2sqlite failed: $(cat "$tmp/t2s.err")"
sqlite3 -separator '|' "$tmp/boot.db" \
  "SELECT kind, SUM(count) FROM trap_kinds GROUP BY kind ORDER BY kind" >"$tmp/db_kinds" ||
  fail "querying trap_kinds failed"
LC_ALL=C sort "$tmp/plugin_kinds" >"$tmp/want"
LC_ALL=C sort "$tmp/db_kinds" >"$tmp/got"
diff -u "$tmp/want" "$tmp/got" ||
  fail "trap_kinds (+) differs from cause_count_plugin's count (-)"
expect_eq "traps counted by the plugin" "$total" "$(awk -F'|' '{ n += $2 } END { print n }' "$tmp/want")"
echo "ok: trap_kinds equals the independent count, $(wc -l <"$tmp/want") kinds, $total traps; the top kinds:"
sqlite3 -separator '  ' "$tmp/boot.db" \
  "SELECT printf('%8d', SUM(count)), kind FROM trap_kinds GROUP BY kind ORDER BY SUM(count) DESC LIMIT 8"

# The database of a default recording (returns on: each RETURN folded
# into its trap's row, tools/db/schema.c) gives back every event exactly,
# costs at most 30 bytes per event, and gives the files' report.
DUMP=$DISCON_DUMP
. "$SRCDIR/tests/db_checks.sh"
view_is_dump "$target boot" "$tmp/boot.db" "$tmp/rec"
expect_eq "RETURN events folded into trap rows" 1 \
  "$(sqlite3 "$tmp/boot.db" "SELECT COUNT(*) > 0 FROM _discon_events WHERE ret_dt IS NOT NULL")"
bytes_per_event_at_most "$target boot" "$tmp/boot.db" 30
"$REPORT" "$tmp/rec" | grep -v "^discon report" >"$tmp/report.files"
"$REPORT" "$tmp/boot.db" | grep -v "^discon report" >"$tmp/report.db"
diff -u "$tmp/report.files" "$tmp/report.db" >&2 || fail "the report from the database differs"
echo "ok: the events view is the trace; the report from the database is the files'"

# The level each trap went to, as discon recorded it ("-": none, a host
# call) and as the plugin read it (cpsr's EL; riscv64's priv: 1 S, 3 M).
# Traps only: the RETURN events of returns=on (discon's default) are no
# traps, and cause_count_plugin sees only QEMU's discontinuities.
"$DISCON_DUMP" --format csv "$tmp/rec" >"$tmp/records.csv" || fail "discon-dump failed"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $1 == "event" && $col["type"] != "return" { l = $col["to_level"]; n[l == "" ? "-" : l]++ }
  END { for (l in n) print l "|" n[l] }' "$tmp/records.csv" | LC_ALL=C sort >"$tmp/got_levels"
LC_ALL=C sort "$tmp/plugin_levels" >"$tmp/want_levels"
diff -u "$tmp/want_levels" "$tmp/got_levels" ||
  fail "the levels discon recorded (+) differ from the plugin's (-)"
echo "ok: traps by level taken to: $(paste -sd' ' "$tmp/want_levels")"

# An ordinary boot has no double trap and no fault loop.
"$REPORT" --format csv --symbols "$GUEST/$guest/kallsyms" "$tmp/rec" >"$tmp/report.csv" ||
  fail "discon-report failed"
for s in double_traps fault_loops; do
  grep -qx "# $s" "$tmp/report.csv" || fail "the report has no $s section"
  [ -z "$(section "$tmp/report.csv" "$s")" ] ||
    fail "$s in an ordinary boot: $(section "$tmp/report.csv" "$s" | head -n 5)"
done
echo "ok: no double trap and no fault loop"
