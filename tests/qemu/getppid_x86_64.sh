#!/usr/bin/env bash
# Real QEMU 11, the Debian x86_64 kernel (-smp 2) with an initramfs whose
# only file is /init, a static program (getppid_x86_64.S) making exactly N
# getppid calls through `syscall`, then reboot(POWER_OFF) through `syscall`.
# `syscall` is no trap to QEMU, so these come only from discon's returns=on
# instrumentation (plugin_returns.h). Nothing else in user space runs and
# the kernel makes no system calls of its own, so the raw trace must hold:
#   - exactly N + 1 SYSCALL events, N of them with getppid's number (rax,
#     from the host's Linux headers), each from the program's `syscall`
#     instruction, cause 0 (the instruction `syscall`, kind "SYSCALL"),
#     from CPL 3 to 0, all to one kernel entry point (MSR_LSTAR);
#   - exactly N RETURN events from one kernel instruction (the sysretq of
#     the system-call exit) back to the instruction after that `syscall`,
#     at CPL 3 (interrupts that return there come from other instructions).
# And discon-record's summary counts those traps by kind, as the report.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/qemu/linux_program.sh"
calls=${GETPPID_CALLS:-100000}
command -v cpp >/dev/null || skip "no C preprocessor (cpp) to read the Linux headers"
command -v cpio >/dev/null || skip "cpio missing (Debian package cpio)"
command -v x86_64-linux-gnu-as >/dev/null || skip "x86_64-linux-gnu-as missing (Debian package binutils)"
[ -s "${GUEST:-}/amd64/vmlinuz" ] || skip "no x86_64 guest kernel: run scripts/setup"

nr=$(linux_nr x86_64 getppid) || fail "getppid's number from the headers"
mkdir -p "$tmp/root"
assemble_linux x86_64 "$SRCDIR/tests/qemu/getppid_x86_64.S" "$tmp/root/init" \
  -DGETPPID_CALLS="$calls" || fail "the guest program did not build"
insn=$(printf '0x%x' "0x$(x86_64-linux-gnu-nm "$tmp/root/init" | awk '$3 == "getppid_insn" { print $1 }')")
after=$(printf '0x%x' $((insn + 2))) # syscall is 0f 05
(cd "$tmp/root" && echo init | cpio -o -H newc --quiet) >"$tmp/init.cpio"

[ -s "$GUEST/amd64/kallsyms" ] || skip "no x86_64 guest kernel symbols: run scripts/setup"
timeout 300 "$DISCON_RECORD" -o "$tmp/rec" --symbols "$GUEST/amd64/kallsyms" -- "$QEMU" x86_64 -smp 2 -m 512 -display none \
  -nographic -no-reboot -kernel "$GUEST/amd64/vmlinuz" -initrd "$tmp/init.cpio" \
  -append "console=ttyS0 quiet panic=-1" >"$tmp/console" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "discon-record failed"; }
grep -q 'reboot: Power down' "$tmp/console" && ! grep -q 'Kernel panic' "$tmp/console" ||
  { tail -n 20 "$tmp/console" >&2; fail "/init did not power the machine off"; }
grep -q '^discon: [0-9]* events (.*), 0 lost$' "$tmp/err" || fail "events lost: $(cat "$tmp/err")"

# The summary counts traps by kind as the report does, not raw events: on
# x86 each exception is reported twice (EXCEPTION, then its delivery as an
# INTERRUPT) and no return is a trap, so with nothing lost the traps are
# the raw line's interrupts and system calls. x86_64 exceptions and
# interrupts are named from their handler's symbol (tools/analysis/
# trap_kind.h): discon-record --symbols places the kernel's as
# discon-report --symbols does (the KASLR slide found from the handlers),
# so the two count the same kinds; every `syscall` is kind SYSCALL from
# its recorded cause, whatever its entry point's name.
check_summary_kinds "$tmp/rec" "$tmp/err" --symbols "$GUEST/amd64/kallsyms"
grep -q '^discon: traps named with the --symbols files, KASLR slide 0x[0-9a-f]* (found)$' "$tmp/err" ||
  fail "the summary does not say how the symbols were placed: $(cat "$tmp/err")"
grep -q '^discon: *[0-9]* local APIC timer (timer interrupt)$' "$tmp/err" ||
  fail "no timer interrupt named in the summary: $(cat "$tmp/err")"
expect_eq "traps of kind SYSCALL in the summary (getppid calls + the reboot)" $((calls + 1)) \
  "$(sed -n 's/^discon: *\([0-9]*\) SYSCALL (system call)$/\1/p' "$tmp/err")"
# Naming x86_64 traps from the kernel's symbols after a load renames the
# vectors' traps, never the system calls'.
"$T2S" -o "$tmp/rec.db" --symbols "$GUEST/amd64/kallsyms" "$tmp/rec" 2>/dev/null || fail "trace2sqlite"
expect_eq "traps of kind SYSCALL in the database loaded with --symbols" $((calls + 1)) \
  "$(sqlite3 "$tmp/rec.db" "SELECT count FROM trap_kinds WHERE kind = 'SYSCALL'")"
raw=$(grep '^discon: [0-9]* events (' "$tmp/err")
irq=$(sed 's/.*(interrupt \([0-9]*\),.*/\1/' <<<"$raw")
sys=$(sed 's/.* syscall \([0-9]*\)).*/\1/' <<<"$raw")
expect_eq "x86_64 summary traps (interrupts + system calls of: $raw)" $((irq + sys)) "$summary_traps"
[ "$summary_traps" -lt "$summary_events" ] || fail "x86_64: the summary counts raw events"

"$DISCON_DUMP" --format csv "$tmp/rec" >"$tmp/rec.csv" || fail "discon-dump failed"
# type from to cause syscall to_level from_level, by name (the header row);
# an empty field (no value) becomes "-" so that fields stay in place
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $1 == "event" { n = split("type from_pc to_pc cause syscall to_level from_level", f, " ")
                  for (i = 1; i <= n; i++) printf "%s%s", ($c[f[i]] == "" ? "-" : $c[f[i]]), (i < n ? " " : "\n") }' \
  "$tmp/rec.csv" >"$tmp/ev"

expect_eq "SYSCALL events" $((calls + 1)) "$(awk '$1 == "syscall"' "$tmp/ev" | wc -l)"
expect_eq "SYSCALL events with getppid's number ($nr)" "$calls" \
  "$(awk -v nr="$nr" '$1 == "syscall" && $5 == nr' "$tmp/ev" | wc -l)"
got=$(awk -v nr="$nr" '$1 == "syscall" && $5 == nr { print $2, $4, $6, $7 }' "$tmp/ev" | sort | uniq -c)
expect_eq "getppid SYSCALL events (count from cause to_level from_level)" \
  "$calls $insn 0x0 0 3" "$(awk '{ print $1, $2, $3, $4, $5 }' <<<"$got")"
expect_eq "kernel entry points of the getppid calls" 1 \
  "$(awk -v nr="$nr" '$1 == "syscall" && $5 == nr { print $3 }' "$tmp/ev" | sort -u | wc -l)"
echo "ok: exactly $calls SYSCALL events numbered getppid ($nr) from the program's syscall at $insn, CPL 3 -> 0"

# The returns to the instruction after the syscall, by the instruction
# they came from: the system-call exit's sysretq gives exactly N. Each has
# to_level 3, except those an interrupt met before the user's next block
# ran (recorded with no to_level: the registers show the handler by then).
awk -v a="$after" '$1 == "return" && $3 == a { print $2 }' "$tmp/ev" | sort | uniq -c |
  sort -rn >"$tmp/returns"
sysret=$(awk 'NR == 1 { print $2 }' "$tmp/returns")
expect_eq "returns to $after from the busiest return instruction" "$calls" \
  "$(awk 'NR == 1 { print $1 }' "$tmp/returns")"
expect_eq "their levels (to_level from_level)" "3 0" \
  "$(awk -v f="$sysret" -v a="$after" '$1 == "return" && $2 == f && $3 == a && $6 != "-" { print $6, $7 }' \
     "$tmp/ev" | sort -u)"
echo "ok: exactly $calls RETURN events from $sysret back to $after, CPL 0 -> 3"

# The database (loaded with the kernel's symbols, every trap named): the
# events view gives back every event, each sysret folded into its
# system call's row, the files' report; the default database (no
# symbols) takes at most 30 bytes per event.
DUMP=$DISCON_DUMP
. "$SRCDIR/tests/db_checks.sh"
view_is_dump "x86_64 getppid loop" "$tmp/rec.db" "$tmp/rec"
expect_eq "sysret RETURN events folded into their system calls' rows" 1 \
  "$(sqlite3 "$tmp/rec.db" "SELECT COUNT(*) >= $calls FROM _discon_events WHERE ret_dt IS NOT NULL")"
# (Without --symbols: the kernel's 190,000 symbols alone take 6 MB.)
"$T2S" -o "$tmp/plain.db" "$tmp/rec" 2>/dev/null || fail "trace2sqlite"
bytes_per_event_at_most "x86_64 getppid loop" "$tmp/plain.db" 30
"$REPORT" --symbols "$GUEST/amd64/kallsyms" "$tmp/rec" | grep -v "^discon report" >"$tmp/report.files"
"$REPORT" "$tmp/rec.db" | grep -v "^discon report\|^  symbols" >"$tmp/report.db"
grep -v "^  symbols" "$tmp/report.files" | diff -u - "$tmp/report.db" >&2 ||
  fail "the report from the database differs from the files'"
echo "ok: the database's events are the trace's; the report from it is the files'"
