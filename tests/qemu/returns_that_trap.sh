#!/usr/bin/env bash
# Real QEMU 11: a trap return executed where it is not allowed traps
# instead of returning, and the plugin, which records ERET/SRET/MRET at
# the instruction, must then record the exception QEMU raises and no
# RETURN. Every event is checked: type, from_pc, to_pc, cause and levels.
# 1. aarch64 (eret_at_el0.S): ERET is UNDEFINED at EL0 (Arm ARM C6.2): an
#    exception with ESR_EL1 0x02000000 (EC 0 "unknown reason", IL 1) from
#    the eret itself to vectors + 0x400 (synchronous, from a lower EL).
#    The erets of EL1 are RETURNs, EL1 to EL0.
# 1b. aarch64 (eret_trap_el2.S): ERET at EL1 under HCR_EL2.NV or
#    HFGITR_EL2.ERET traps to EL2: an EC 0x1a exception, no RETURN.
# 2. riscv64 (sret_traps_riscv64.S): SRET in U-mode, and in S-mode under
#    mstatus.TSR, is an illegal instruction (mcause 2) taken to M. The
#    mrets of M are RETURNs, M to U or to S (the level that trapped).
# An EC 0 exception or an illegal instruction does not say where it came
# from, so those exceptions carry to_level only.
. "$(dirname "$0")/lib.sh"

# 1. aarch64.
assemble_guest eret_at_el0 a64
sym() { elf_sym "$tmp/a64.elf" "$1"; }
entry_eret=$(sym entry_eret) el0_entry=$(sym el0_entry) el0_eret=$(sym el0_eret)
el0_svc=$(sym el0_svc) handler_eret=$(sym handler_eret) vectors=$(sym vectors)
n=$(sed -n 's/^ *\.equ ERET_COUNT, *\([0-9]*\).*/\1/p' "$SRCDIR/tests/qemu/eret_at_el0.S")
record_events a64 -- "$QEMU" aarch64 -M virt -cpu cortex-a57 -m 128M -semihosting -display none \
  -nographic -no-reboot -kernel "$tmp/a64.elf" >"$tmp/got"
{
  printf 'return 0x%x 0x%x    0 1\n' "$entry_eret" "$el0_entry"
  for ((i = 0; i < n; i++)); do
    printf 'exception 0x%x 0x%x 0x2000000   1 \n' "$el0_eret" $((vectors + 0x400))
    printf 'return 0x%x 0x%x    0 1\n' "$handler_eret" $((el0_eret + 4))
  done
  # svc #0: EC 0x15 (SVC64), IL 1, ISS 0, from the instruction after it.
  printf 'exception 0x%x 0x%x 0x56000000  93 1 \n' $((el0_svc + 4)) $((vectors + 0x400))
} >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" || fail "aarch64: not exactly the expected events (ERET at EL0 must trap, not return)"
echo "ok: aarch64: $n erets at EL0 are $n EC 0 exceptions from the eret and no RETURN;" \
  "the $((n + 1)) erets of EL1 are RETURNs, EL1 to EL0"

# 1b. aarch64 at EL1 under EL2 (eret_trap_el2.S): ERET at EL1 traps to EL2
#    when HCR_EL2.NV or HFGITR_EL2.ERET is set (Arm ARM C6.2): an
#    exception with ESR_EL2 0x6a000000 (EC 0x1a, IL 1) from the eret to
#    vec2 + 0x400, and no RETURN to its ELR_EL1. The eret of EL2 is a
#    RETURN, EL2 to EL1.
for how in NV FGT; do
  fgt=0; [ "$how" = FGT ] && fgt=1
  assemble_guest eret_trap_el2 "el2-$how" --defsym "FGT=$fgt"
  sym() { elf_sym "$tmp/el2-$how.elf" "$1"; }
  entry_eret=$(sym entry_eret) el1_eret=$(sym el1_eret) vec2=$(sym vec2)
  record_events "el2-$how" -- "$QEMU" aarch64 -M virt,virtualization=on -cpu max -m 128M -semihosting \
    -display none -nographic -no-reboot -kernel "$tmp/el2-$how.elf" >"$tmp/got"
  {
    printf 'return 0x%x 0x%x    1 2\n' "$entry_eret" "$el1_eret"
    printf 'exception 0x%x 0x%x 0x6a000000   2 \n' "$el1_eret" $((vec2 + 0x400))
  } >"$tmp/want"
  diff -u "$tmp/want" "$tmp/got" || fail "aarch64 $how: not exactly the expected events (ERET at EL1 must trap to EL2, not return)"
  echo "ok: aarch64: an eret at EL1 under $how is an EC 0x1a exception to EL2 and no RETURN"
done

# 2. riscv64.
"$QEMU" riscv64 --version >/dev/null 2>&1 || skip "aarch64 passed; no QEMU for riscv64: run scripts/setup"
assemble_riscv64_guest sret_traps_riscv64 rv
sym() { elf_sym "$tmp/rv.elf" "$1"; }
user_mret=$(sym user_mret) user=$(sym user) user_sret=$(sym user_sret) user_ecall=$(sym user_ecall)
super_mret=$(sym super_mret) super_sret=$(sym super_sret) super_ecall=$(sym super_ecall)
mtrap=$(sym mtrap) mtrap_mret=$(sym mtrap_mret)
n=$(sed -n 's/^ *\.equ SRET_COUNT, *\([0-9]*\).*/\1/p' "$SRCDIR/tests/qemu/sret_traps_riscv64.S")
record_events rv -- "$QEMU" riscv64 -M virt -bios none -m 128M -display none -nographic \
  -no-reboot -kernel "$tmp/rv.elf" >"$tmp/got"
{
  printf 'return 0x%x 0x%x    0 3\n' "$user_mret" "$user"
  for ((i = 0; i < n; i++)); do
    printf 'exception 0x%x 0x%x 0x2   3 \n' "$user_sret" "$mtrap"
    printf 'return 0x%x 0x%x    0 3\n' "$mtrap_mret" $((user_sret + 4))
  done
  printf 'exception 0x%x 0x%x 0x8  93 3 0\n' "$user_ecall" "$mtrap"
  printf 'return 0x%x 0x%x    1 3\n' "$super_mret" "$super_sret"
  printf 'exception 0x%x 0x%x 0x2   3 \n' "$super_sret" "$mtrap"
  printf 'return 0x%x 0x%x    1 3\n' "$mtrap_mret" $((super_sret + 4))
  printf 'exception 0x%x 0x%x 0x9   3 1\n' "$super_ecall" "$mtrap"
} >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" || fail "riscv64: not exactly the expected events (SRET in U, and in S under TSR, must trap, not return)"
echo "ok: riscv64: $n srets in U-mode and one in S-mode under TSR are illegal instructions" \
  "(mcause 2) from the sret and no RETURN; the mrets are RETURNs, M to U and M to S"

