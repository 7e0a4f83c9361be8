#!/usr/bin/env bash
# Symbols on real QEMU 11 traces (issue 10 part 6):
# 1. The Debian arm64 kernel booting the busybox initramfs (-smp 2, KPTI):
#    most traps enter the fixmap alias of tramp_vectors, which no symbol
#    file lists. With the guest's kallsyms (read without KASLR; the trace's
#    kernel is randomized), discon-report and trace2sqlite's
#    trap_counts_hex both name the most frequent handler
#    "tramp_vectors EL0 sync+0x0", with the same slide.
# 2. Two --symbols files (the bare-metal guest's ELF, whose only symbols
#    are labels, and the kernel's kallsyms) merge: both files' names are
#    there, the guest's labels name its handlers, nothing is slid.
. "$(dirname "$0")/lib.sh"
T2S=$BUILD_ROOT/tools/trace2sqlite/trace2sqlite
ks=$GUEST/arm64/kallsyms
"$SRCDIR/scripts/guest/make-initramfs" arm64 "$tmp/initrd.gz"

timeout 300 "$DISCON_RECORD" -o "$tmp/rec" -- \
  "$QEMU" aarch64 -M virt -cpu cortex-a57 -smp 2 -m 512 -display none -nographic -no-reboot \
  -kernel "$GUEST/arm64/vmlinuz" -initrd "$tmp/initrd.gz" \
  -append "console=ttyAMA0 quiet panic=-1" >"$tmp/console.txt" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "discon-record failed"; }
grep -q 'discon-guest: up with 2 CPUs' "$tmp/console.txt" ||
  { tail -n 20 "$tmp/console.txt" >&2; fail "the guest did not come up with 2 CPUs"; }

# The report: the first row of the handler table (CSV: the full name).
"$REPORT" --format csv --symbols "$ks" "$tmp/rec" >"$tmp/report.csv" 2>"$tmp/err" ||
  fail "discon-report: $(cat "$tmp/err")"
handlers=$(awk '/^# handlers$/ { on = 1; getline; next } on && /^$/ { exit } on' "$tmp/report.csv")
[ -n "$handlers" ] || fail "no handlers section in the CSV report"
first=$(printf '%s\n' "$handlers" | head -n1)
case "$first" in
  *",tramp_vectors EL0 sync+0x0,"*) ;;
  *) fail "report: the most frequent handler is not the trampoline's EL0 sync: $first" ;;
esac
echo "ok: discon-report names the most frequent handler: $first"

# The database: the same name for the same handler, and the slide said.
"$T2S" -o "$tmp/boot.db" --symbols "$ks" "$tmp/rec" 2>"$tmp/err" || fail "trace2sqlite: $(cat "$tmp/err")"
row=$(sqlite3 "$tmp/boot.db" "SELECT to_pc, to_symbol FROM trap_counts_hex
  WHERE type = 'exception' ORDER BY count DESC LIMIT 1")
case "$row" in
  *"|tramp_vectors EL0 sync+0x0") ;;
  *) fail "trap_counts_hex: the most frequent exception handler is $row" ;;
esac
handler=${row%%|*}
printf '%s\n' "$first" | grep -qi ",$handler," || fail "report and database disagree: $first vs $row"
slide=$(sqlite3 "$tmp/boot.db" "SELECT printf('0x%x', slide) FROM symbol_files")
grep -q "KASLR slide $slide (found" "$tmp/err" || fail "trace2sqlite did not say the slide $slide: $(cat "$tmp/err")"
[ "$slide" != 0x0 ] || fail "the Debian kernel was not randomized (slide 0): the check proves nothing"
"$REPORT" --symbols "$ks" "$tmp/rec" >"$tmp/report.txt"
grep -q "^  symbols     1 file(s), KASLR slide $slide on 1 (found)$" "$tmp/report.txt" ||
  fail "the report does not say the slide $slide: $(grep symbols "$tmp/report.txt")"
# Every alias name in the database is one of the 16 slots, in one table.
sqlite3 "$tmp/boot.db" "SELECT COUNT(*), COUNT(DISTINCT addr & ~2047) FROM symbols
  WHERE name LIKE 'tramp_vectors %'" | grep -qx '16|1' || fail "alias names beyond one table"
echo "ok: trace2sqlite names $handler the same, slide $slide said in both"

# 2. Two files: the bare-metal guest's ELF (labels only) and a kernel map.
build_svc_guest 20
"$DISCON_RECORD" -o "$tmp/bm" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "discon-record (bare metal) failed"; }
"$T2S" -o "$tmp/bm.db" --symbols "$tmp/guest.elf" --symbols "$ks" "$tmp/bm" 2>"$tmp/err" ||
  fail "trace2sqlite with two --symbols: $(cat "$tmp/err")"
expect_eq "both files stored, neither slid" "0|0
1|0" "$(sqlite3 "$tmp/bm.db" "SELECT file_index, slide FROM symbol_files ORDER BY 1")"
expect_eq "names from both files" "1|1" "$(sqlite3 "$tmp/bm.db" "SELECT
  (SELECT COUNT(*) FROM symbols WHERE name = 'svc_insn'),
  (SELECT COUNT(*) FROM symbols WHERE name = 'tramp_vectors')")"
want=$(printf '0x%016x|vectors+0x200' $((vectors + 0x200)))
expect_eq "the guest's svc handler" "$want" "$(sqlite3 "$tmp/bm.db" "SELECT to_pc, to_symbol
  FROM trap_counts_hex WHERE type = 'exception'")"
"$REPORT" --format csv --symbols "$tmp/guest.elf" --symbols "$ks" "$tmp/bm" >"$tmp/bm.csv" ||
  fail "discon-report with two --symbols"
grep -q "vectors+0x200" "$tmp/bm.csv" || fail "the report does not name the guest's handler"
grep -q "svc_insn+0x4" "$tmp/bm.csv" || fail "the report does not name the svc site"
echo "ok: two --symbols files (guest ELF labels + kernel map) merge in both tools"
