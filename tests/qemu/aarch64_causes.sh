#!/usr/bin/env bash
# Real QEMU 11, aarch64 bare metal: a guest (cause_traps.S) takes an svc, a
# udf, a data abort and a brk at EL1. The trace must hold, for each, the
# exact ESR_EL1 (EC and ISS), FAR_EL1 for the abort, x8 for the svc and the
# levels, as discon-dump --format csv prints them; with cause=off, none.
# Expected syndromes from the Arm ARM (DDI 0487), ESR_EL1: EC [31:26],
# IL [25] (1: a 32-bit instruction), ISS [24:0]:
#   svc #0x123  EC 0x15 (SVC64), ISS imm16 0x123            0x56000123
#   udf #0      EC 0x00 (unknown reason), ISS 0              0x02000000
#   ldr (abort) EC 0x25 (data abort, same EL), ISV 0, DFSC   0x96000000 | DFSC
#               0x10 synchronous external abort (no device at 0x50000000),
#               0x21 alignment fault (MMU off: Device memory, address + 1)
#   brk #0x42   EC 0x3c (BRK64), ISS comment 0x42            0xf2000042
# The same traces loaded by trace2sqlite: the events' cause columns hold
# the same values, trap_kinds names each trap (kinds from the Arm ARM: EC
# 0x15 SVC64, 0x00 unknown reason, 0x25 data abort from the same EL named
# by its DFSC (0x10 synchronous external abort, 0x21 alignment fault), 0x3c
# BRK), syscalls names x8 = 221 (execve in Linux's generic table), and a
# report from the database equals the report from the trace files. With
# returns=on (the default) each trap is followed by the RETURN of the
# handler's eret (EL1 to EL1) to the instruction after the trapping one:
# RETURN events carry levels only, with cause=off too.
. "$(dirname "$0")/lib.sh"

sym() { elf_sym "$tmp/$1.elf" "$2"; }

# run_traps OUT ABORT_ADDR [DISCON-RECORD OPTIONS]: record the guest into $tmp/OUT,
# print its events' from_pc and cause fields, one line each.
run_traps() {
  local out=$1 addr=$2
  shift 2
  assemble_guest cause_traps "$out" --defsym "ABORT_ADDR=$addr"
  record_events "$out" "$@" -- \
    "$QEMU" aarch64 -M virt -cpu cortex-a57 -m 128M -semihosting -display none -nographic \
    -no-reboot -kernel "$tmp/$out.elf"
}

# expected OUT DFSC ABORT_ADDR: the lines run_traps must print.
expected() {
  local g=$1 vectors eret
  vectors=$(sym "$g" vectors) eret=$(sym "$g" handler_eret)
  ret() { printf 'return 0x%x 0x%x    1 1\n' "$eret" "$1"; }
  printf 'exception 0x%x 0x%x 0x56000123  221 1 \n' $(($(sym "$g" svc_insn) + 4)) $((vectors + 0x200))
  ret $(($(sym "$g" svc_insn) + 4))
  printf 'exception 0x%x 0x%x 0x2000000   1 \n' "$(sym "$g" udf_insn)" $((vectors + 0x200))
  ret $(($(sym "$g" udf_insn) + 4))
  printf 'exception 0x%x 0x%x 0x%x 0x%x  1 1\n' "$(sym "$g" abort_insn)" $((vectors + 0x200)) \
    $((0x96000000 | $2)) "$3"
  ret $(($(sym "$g" abort_insn) + 4))
  printf 'exception 0x%x 0x%x 0xf2000042   1 \n' "$(sym "$g" brk_insn)" $((vectors + 0x200))
  ret $(($(sym "$g" brk_insn) + 4))
}

# in_sql OUT: load $tmp/OUT into $tmp/OUT.db; print its events as run_traps
# does (NULL as an empty field).
in_sql() {
  "$T2S" -o "$tmp/$1.db" "$tmp/$1" 2>"$tmp/$1.t2s" || { cat "$tmp/$1.t2s" >&2; fail "trace2sqlite failed ($1)"; }
  sqlite3 "$tmp/$1.db" "SELECT t.name || ' ' || printf('0x%x', from_pc) || ' ' || printf('0x%x', to_pc)
      || ' ' || iif(cause IS NULL, '', printf('0x%x', cause))
      || ' ' || iif(fault_addr IS NULL, '', printf('0x%x', fault_addr))
      || ' ' || ifnull(syscall, '') || ' ' || ifnull(to_level, '') || ' ' || ifnull(from_level, '')
    FROM events JOIN types t USING (type) ORDER BY vcpu, seq"
}
# kinds_want ABORT_KIND ABORT_CLASS: trap_kinds of the guest, ordered by
# count, then name.
kinds_want() {
  printf '%s
' "BRK|breakpoint/debug|1|0.25" "SVC64|system call|1|0.25" "$1|$2|1|0.25" \
    "unknown reason (undefined instruction)|undefined instruction|1|0.25"
}
# same_report OUT: discon-report from the trace files and from the database agree.
same_report() {
  for f in text csv json; do
    "$REPORT" --format "$f" "$tmp/$1" >"$tmp/$1.files.$f" || fail "report ($1, files)"
    "$REPORT" --format "$f" "$tmp/$1.db" >"$tmp/$1.db.$f" || fail "report ($1, database)"
    diff -u "$tmp/$1.files.$f" "$tmp/$1.db.$f" || fail "$1: the $f report from the database differs"
  done
}

run_traps external 0x50000000 >"$tmp/got"
expected external 0x10 0x50000000 >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" || fail "svc, udf, external abort, brk: wrong cause fields"
echo "ok: ESR_EL1 of svc, udf, external data abort and brk exact; FAR_EL1 0x50000000; x8 = 221"
in_sql external >"$tmp/got-sql"
diff -u "$tmp/want" "$tmp/got-sql" || fail "trace2sqlite: wrong cause columns (external abort)"
diff -u <(kinds_want "data abort (same EL), synchronous external abort" "page fault/memory abort") \
  <(sqlite3 "$tmp/external.db" "SELECT kind, class, count, share FROM trap_kinds") ||
  fail "trap_kinds (external abort)"
expect_eq "syscalls" "221|execve|1" "$(sqlite3 "$tmp/external.db" "SELECT nr, name, count FROM syscalls")"
expect_eq "page_faults" "$((0x50000000))|data abort (same EL), synchronous external abort|1" \
  "$(sqlite3 "$tmp/external.db" "SELECT fault_page, kind, count FROM page_faults")"
expect_eq "abort's origin" "kernel|$((0x50000000))|$((0x96000010))" \
  "$(sqlite3 "$tmp/external.db" "SELECT l.name, fault_addr, cause FROM traps JOIN levels l ON l.level = origin
                                  WHERE fault_addr IS NOT NULL")"
same_report external
# discon-dump --traps names each trap with the same kind as the database.
diff -u <(sqlite3 "$tmp/external.db" "SELECT k.name FROM traps JOIN kinds k USING (kind)
                                        JOIN types t USING (type) WHERE t.name = 'exception'
                                        ORDER BY vcpu, seq") \
  <("$DISCON_DUMP" --traps --type exception --format csv "$tmp/external" |
     python3 -c 'import csv, sys; [print(r["kind"]) for r in csv.DictReader(sys.stdin) if r["record"] == "trap"]') || fail "discon-dump --traps kinds differ from SQL"
echo "ok: in SQL: the same cause columns, trap_kinds SVC64, unknown reason, external data abort, BRK; execve; the abort's page; equal reports"

run_traps align 0x40000001 >"$tmp/got"
expected align 0x21 0x40000001 >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" || fail "alignment fault: wrong cause fields"
echo "ok: alignment fault: ESR_EL1 0x96000021, FAR_EL1 0x40000001"
in_sql align >"$tmp/got-sql"
diff -u "$tmp/want" "$tmp/got-sql" || fail "trace2sqlite: wrong cause columns (alignment fault)"
diff -u <(kinds_want "data abort (same EL), alignment fault" alignment) \
  <(sqlite3 "$tmp/align.db" "SELECT kind, class, count, share FROM trap_kinds") ||
  fail "trap_kinds (alignment fault)"
expect_eq "no page fault" "" "$(sqlite3 "$tmp/align.db" "SELECT * FROM page_faults")"
same_report align
echo "ok: in SQL: the alignment fault is its own kind, of class alignment, and no page fault"

run_traps off 0x50000000 --cause off >"$tmp/got"
expected off 0x10 0x50000000 |
  awk '$1 == "return" { print; next } { print $1, $2, $3, "", "", "", "", "" }' >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" || fail "cause=off recorded cause fields"
echo "ok: cause=off records the same events without cause fields"
in_sql off >"$tmp/got-sql"
diff -u "$tmp/want" "$tmp/got-sql" || fail "trace2sqlite: cause=off gave cause columns"
expect_eq "cause=off kinds" "unknown|other|4" \
  "$(sqlite3 "$tmp/off.db" "SELECT kind, class, count FROM trap_kinds")"
echo "ok: in SQL: cause=off leaves every cause column NULL and every exception of kind unknown"
