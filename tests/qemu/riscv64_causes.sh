#!/usr/bin/env bash
# Real QEMU 11, riscv64 bare metal: a guest (cause_traps_riscv64.S) takes a
# load access fault, an illegal instruction and an ecall in M-mode, then an
# ecall from U-mode delegated to S. The trace must hold each trap's exact
# mcause/scause, mtval for the fault, a7 for the U-mode ecall, and the
# levels (the RISC-V privileged spec's cause codes: 5 load access fault,
# 2 illegal instruction, 11 ecall from M, 8 ecall from U). With returns=on
# (the default) each M trap is followed by the RETURN of mtrap's mret (M to
# M) back past the trapping instruction, and the mret that enters U-mode is
# a RETURN too (M to U): mret and sret run at the level that names them.
. "$(dirname "$0")/lib.sh"

assemble_riscv64_guest cause_traps_riscv64 g
sym() { elf_sym "$tmp/g.elf" "$1"; }

record_events rec -- "$QEMU" riscv64 -M virt -bios none -m 128M -display none \
  -nographic -no-reboot -kernel "$tmp/g.elf" >"$tmp/got"
mtrap=$(sym mtrap) strap=$(sym strap) mret=$(sym mtrap_mret)
{
  printf 'exception 0x%x 0x%x 0x5 0x90000000  3 \n' "$(sym load_insn)" "$mtrap"
  printf 'return 0x%x 0x%x    3 3\n' "$mret" "$(sym illegal_insn)"
  printf 'exception 0x%x 0x%x 0x2   3 \n' "$(sym illegal_insn)" "$mtrap"
  printf 'return 0x%x 0x%x    3 3\n' "$mret" "$(sym mecall_insn)"
  printf 'exception 0x%x 0x%x 0xb   3 3\n' "$(sym mecall_insn)" "$mtrap"
  printf 'return 0x%x 0x%x    3 3\n' "$mret" $(($(sym mecall_insn) + 4))
  printf 'return 0x%x 0x%x    0 3\n' "$(sym user_mret)" "$(sym user)"
  printf 'exception 0x%x 0x%x 0x8  64 1 0\n' "$(sym uecall_insn)" "$strap"
} >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" || fail "riscv64 traps and returns: wrong fields"
echo "ok: mcause/mtval of an access fault, illegal instruction and M ecall; scause 8 and a7 = 64 of a U ecall taken to S; the RETURN of every mret, M to M and M to U"
