/*
 * The encodings, from the architecture manuals (little-endian bytes):
 *
 * aarch64, Arm ARM DDI 0487 (K.a), C6.2 "ERET" and "ERETAA, ERETAB":
 *   ERET   0xd69f03e0
 *   ERETAA 0xd69f0bff, ERETAB 0xd69f0fff (FEAT_PAuth; M bit 10 selects B)
 *
 * riscv64, The RISC-V Instruction Set Manual Vol. II: Privileged
 * Architecture (20211203), 3.3.2 "Trap-Return Instructions" (SYSTEM
 * opcode, funct12 0x102 SRET / 0x302 MRET, rs1 = rd = 0):
 *   SRET 0x10200073, MRET 0x30200073. There are no compressed forms.
 *
 * x86_64, Intel 64 and IA-32 Architectures SDM Vol. 2 (instruction
 * reference "IRET/IRETD/IRETQ", "SYSRET", "SYSEXIT", "SYSCALL",
 * "SYSENTER"):
 *   IRET CF (IRETQ: REX.W CF, IRETW: 66 CF), SYSRET 0F 07, SYSEXIT 0F 35,
 *   SYSCALL 0F 05, SYSENTER 0F 34; REX.W selects the 64-bit forms.
 * Legacy prefixes (Vol. 2, 2.1.1) and one REX prefix (2.2.1, which must
 * come last) may precede the opcode; QEMU hands over one instruction's
 * bytes, so after the prefixes the opcode must end the instruction (in
 * 32-bit code 0x40-0x4f are INC/DEC, separate instructions QEMU never
 * joins to the next one).
 */
#include "return_decode.h"

#include <string.h>

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static enum discon_flow_insn aarch64(const uint8_t *b, size_t len)
{
    if (len != 4)
        return DISCON_FLOW_NONE;
    uint32_t w = le32(b);
    return w == 0xd69f03e0u                        ? DISCON_FLOW_ERET
           : w == 0xd69f0bffu || w == 0xd69f0fffu ? DISCON_FLOW_ERETA
                                                  : DISCON_FLOW_NONE;
}

uint64_t discon_a64_pac_strip(uint64_t ptr, uint64_t tcr_el1)
{
    unsigned hi = (unsigned)(ptr >> 55) & 1;
    unsigned tsz = (unsigned)(tcr_el1 >> (hi ? 16 : 0)) & 0x3f;
    tsz = tsz < 12 ? 12 : tsz > 48 ? 48 : tsz;
    int tbi = (tcr_el1 >> (37 + hi) & 1) && !(tcr_el1 >> (51 + hi) & 1);
    uint64_t code = ~0ull << (64 - tsz); /* bits [63:64-TxSZ], bit 55 among them */
    if (tbi)
        code &= (1ull << 56) - 1; /* the top byte stays */
    return hi ? ptr | code : ptr & ~code;
}

static enum discon_flow_insn riscv64(const uint8_t *b, size_t len)
{
    if (len != 4)
        return DISCON_FLOW_NONE;
    uint32_t w = le32(b);
    return w == 0x10200073u ? DISCON_FLOW_SRET
           : w == 0x30200073u ? DISCON_FLOW_MRET
                              : DISCON_FLOW_NONE;
}

static int legacy_prefix(uint8_t b)
{
    return memchr("\x66\x67\xf0\xf2\xf3\x2e\x36\x3e\x26\x64\x65", b, 11) != NULL;
}

static enum discon_flow_insn x86_64(const uint8_t *b, size_t len)
{
    size_t i = 0;
    while (i < len && legacy_prefix(b[i]))
        i++;
    if (i < len && (b[i] & 0xf0) == 0x40) /* REX */
        i++;
    if (i + 1 == len && b[i] == 0xcf)
        return DISCON_FLOW_IRET;
    if (i + 2 != len || b[i] != 0x0f)
        return DISCON_FLOW_NONE;
    switch (b[i + 1]) {
    case 0x07: return DISCON_FLOW_SYSRET;
    case 0x35: return DISCON_FLOW_SYSEXIT;
    case 0x05: return DISCON_FLOW_SYSCALL;
    case 0x34: return DISCON_FLOW_SYSENTER;
    default: return DISCON_FLOW_NONE;
    }
}

enum discon_flow_insn discon_flow_decode(enum discon_arch arch, const uint8_t *bytes, size_t len)
{
    if (!bytes)
        return DISCON_FLOW_NONE;
    switch (arch) {
    case DISCON_ARCH_AARCH64: return aarch64(bytes, len);
    case DISCON_ARCH_RISCV64: return riscv64(bytes, len);
    case DISCON_ARCH_X86_64: return x86_64(bytes, len);
    default: return DISCON_FLOW_NONE;
    }
}
