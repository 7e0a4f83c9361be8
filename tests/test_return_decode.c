/*
 * return_decode.c on the encodings of the manuals (cited there): every
 * return and fast system call of each target, their prefixed forms, and
 * near misses that must not match (other SYSTEM/branch encodings, wrong
 * lengths, bytes left over after the opcode, another target's bytes).
 */
#include "check.h"
#include "return_decode.h"

#include <stdint.h>

static enum discon_flow_insn dec(enum discon_arch a, const char *bytes, size_t n)
{
    return discon_flow_decode(a, (const uint8_t *)bytes, n);
}

/* TCR_EL1 fields (return_decode.h): TxSZ, TBI, TBID. */
#define T0SZ(n) ((uint64_t)(n))
#define T1SZ(n) ((uint64_t)(n) << 16)
#define TBI0 (1ull << 37)
#define TBI1 (1ull << 38)
#define TBID0 (1ull << 51)

/* ERETAA/ERETAB targets: the code off, bit 55's copies in its place. */
static void pac_strip(void)
{
    const uint64_t tcr48 = T0SZ(16) | T1SZ(16);
    CHECK_EQ(discon_a64_pac_strip(0x12b4800010001000ull, tcr48), 0xffff800010001000ull);
    CHECK_EQ(discon_a64_pac_strip(0x0035000000401000ull, tcr48), 0x0000000000401000ull);
    CHECK_EQ(discon_a64_pac_strip(0xffff800010001000ull, tcr48), 0xffff800010001000ull);
    /* top byte ignored for instructions: kept; TBID turns that off */
    CHECK_EQ(discon_a64_pac_strip(0x5635000000401000ull, tcr48 | TBI0), 0x5600000000401000ull);
    CHECK_EQ(discon_a64_pac_strip(0x5635000000401000ull, tcr48 | TBI0 | TBID0),
             0x0000000000401000ull);
    CHECK_EQ(discon_a64_pac_strip(0x56b5800010001000ull, tcr48 | TBI1), 0x56ff800010001000ull);
    /* 39-bit kernel range: the code starts at bit 39; T0SZ does not count */
    CHECK_EQ(discon_a64_pac_strip(0x5a80004010001000ull, T0SZ(16) | T1SZ(25)),
             0xffffffc010001000ull);
    /* out-of-range TxSZ clamped (0 -> 12, 63 -> 48) */
    CHECK_EQ(discon_a64_pac_strip(0x0070000000401000ull, T0SZ(0)), 0x0000000000401000ull);
    CHECK_EQ(discon_a64_pac_strip(0x0000f00000001000ull, T0SZ(63)), 0x0000000000001000ull);
}

static enum discon_flow_insn dec32(enum discon_arch a, uint32_t w)
{
    uint8_t b[4] = {(uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24)};
    return discon_flow_decode(a, b, 4);
}

int main(void)
{
    const enum discon_arch A = DISCON_ARCH_AARCH64, R = DISCON_ARCH_RISCV64,
                           X = DISCON_ARCH_X86_64;
    pac_strip();
    /* aarch64 */
    CHECK_EQ(dec32(A, 0xd69f03e0), DISCON_FLOW_ERET);
    CHECK_EQ(dec32(A, 0xd69f0bff), DISCON_FLOW_ERETA); /* ERETAA */
    CHECK_EQ(dec32(A, 0xd69f0fff), DISCON_FLOW_ERETA); /* ERETAB */
    CHECK_EQ(dec32(A, 0xd65f03c0), DISCON_FLOW_NONE); /* RET */
    CHECK_EQ(dec32(A, 0xd4000001), DISCON_FLOW_NONE); /* SVC #0 */
    CHECK_EQ(dec32(A, 0xd6bf03e0), DISCON_FLOW_NONE); /* DRPS */
    CHECK_EQ(dec(A, "\xe0\x03\x9f", 3), DISCON_FLOW_NONE);
    /* riscv64 */
    CHECK_EQ(dec32(R, 0x10200073), DISCON_FLOW_SRET);
    CHECK_EQ(dec32(R, 0x30200073), DISCON_FLOW_MRET);
    CHECK_EQ(dec32(R, 0x00000073), DISCON_FLOW_NONE); /* ECALL */
    CHECK_EQ(dec32(R, 0x10500073), DISCON_FLOW_NONE); /* WFI */
    CHECK_EQ(dec32(R, 0x00008067), DISCON_FLOW_NONE); /* RET (jalr x0, ra) */
    CHECK_EQ(dec(R, "\x73\x00", 2), DISCON_FLOW_NONE);
    /* x86_64 */
    CHECK_EQ(dec(X, "\xcf", 1), DISCON_FLOW_IRET);
    CHECK_EQ(dec(X, "\x48\xcf", 2), DISCON_FLOW_IRET);     /* IRETQ */
    CHECK_EQ(dec(X, "\x66\xcf", 2), DISCON_FLOW_IRET);     /* IRET, 16-bit */
    CHECK_EQ(dec(X, "\x0f\x07", 2), DISCON_FLOW_SYSRET);
    CHECK_EQ(dec(X, "\x48\x0f\x07", 3), DISCON_FLOW_SYSRET); /* SYSRETQ */
    CHECK_EQ(dec(X, "\x0f\x35", 2), DISCON_FLOW_SYSEXIT);
    CHECK_EQ(dec(X, "\x48\x0f\x35", 3), DISCON_FLOW_SYSEXIT);
    CHECK_EQ(dec(X, "\x0f\x05", 2), DISCON_FLOW_SYSCALL);
    CHECK_EQ(dec(X, "\x0f\x34", 2), DISCON_FLOW_SYSENTER);
    CHECK_EQ(dec(X, "\xc3", 1), DISCON_FLOW_NONE);          /* RET */
    CHECK_EQ(dec(X, "\xcd\x80", 2), DISCON_FLOW_NONE);      /* INT 0x80 */
    CHECK_EQ(dec(X, "\x0f\x01\xf8", 3), DISCON_FLOW_NONE);  /* SWAPGS */
    CHECK_EQ(dec(X, "\x0f\x0b", 2), DISCON_FLOW_NONE);      /* UD2 */
    CHECK_EQ(dec(X, "\xcf\x90", 2), DISCON_FLOW_NONE);      /* bytes after the opcode */
    CHECK_EQ(dec(X, "\x48\x48\xcf", 3), DISCON_FLOW_NONE);  /* two REX */
    CHECK_EQ(dec(X, "\x48\x66\xcf", 3), DISCON_FLOW_NONE);  /* REX not last */
    CHECK_EQ(dec(X, "\x48", 1), DISCON_FLOW_NONE);
    CHECK_EQ(dec(X, "", 0), DISCON_FLOW_NONE);
    /* another target's bytes, an unknown target, no bytes */
    CHECK_EQ(dec32(X, 0xd69f03e0), DISCON_FLOW_NONE);
    CHECK_EQ(dec(A, "\x0f\x05\x00\x00", 4), DISCON_FLOW_NONE);
    CHECK_EQ(dec32(DISCON_ARCH_UNKNOWN, 0xd69f03e0), DISCON_FLOW_NONE);
    CHECK_EQ(discon_flow_decode(A, NULL, 4), DISCON_FLOW_NONE);
    CHECK(discon_flow_is_return(DISCON_FLOW_SYSEXIT) && !discon_flow_is_return(DISCON_FLOW_SYSCALL));
    CHECK_DONE();
}
