/*
 * aarch64 trap kinds, decoded from ESR_ELx: EC in bits [31:26], IL bit 25,
 * ISS [24:0] (Arm Architecture Reference Manual for A-profile, DDI 0487,
 * section D17.2.37 "ESR_EL1, Exception Syndrome Register (EL1)", the table
 * of EC values). For instruction and data aborts the fault status code
 * (IFSC/DFSC, ISS[5:0], same section, "ISS encoding for an exception from
 * an Instruction/Data Abort") gives a sub-kind.
 *
 * This table is the one place that spells these names and gives their ids.
 * Ids are stable: tests/test_kinds.c lists every one.
 */
#include "kinds_internal.h"
#include "discon_types.h"

/* Whether the EC says where the trap came from relative to where it went. */
enum side { SIDE_NONE, SIDE_LOWER, SIDE_SAME };

/* An abort's ten sub-kinds, ids id..id+9, by fault status code. */
#define A64_ABORT(X, sym, id, ec, side, base)                                         \
    X(sym##_ADDR_SIZE, (id) + 0, ec, side, MEMORY_FAULT, base ", address size fault") \
    X(sym##_TRANS0, (id) + 1, ec, side, MEMORY_FAULT, base ", translation fault level 0") \
    X(sym##_TRANS1, (id) + 2, ec, side, MEMORY_FAULT, base ", translation fault level 1") \
    X(sym##_TRANS2, (id) + 3, ec, side, MEMORY_FAULT, base ", translation fault level 2") \
    X(sym##_TRANS3, (id) + 4, ec, side, MEMORY_FAULT, base ", translation fault level 3") \
    X(sym##_ACCESS, (id) + 5, ec, side, MEMORY_FAULT, base ", access flag fault")      \
    X(sym##_PERM, (id) + 6, ec, side, MEMORY_FAULT, base ", permission fault")         \
    X(sym##_EXTERNAL, (id) + 7, ec, side, MEMORY_FAULT, base ", synchronous external abort") \
    X(sym##_ALIGN, (id) + 8, ec, side, ALIGNMENT, base ", alignment fault")            \
    X(sym##_OTHER, (id) + 9, ec, side, MEMORY_FAULT, base ", other fault status")

/* Pseudo-ECs past the 6-bit field: kinds the ESR does not give. */
#define EC_IRQ 0x40     /* interrupts: QEMU leaves ESR as the last exception set it */
#define EC_UNKNOWN 0x41 /* an EC the table does not list */
#define EC_SLOTS 0x42

/* X(sym, id, ec, side, class, name); AB(sym, first id, ec, side, name). */
#define A64_KINDS(X, AB)                                                                 \
    X(UNKNOWN_REASON, 10, 0x00, NONE, UNDEFINED, "unknown reason (undefined instruction)") \
    X(WFX, 11, 0x01, NONE, OTHER, "trapped WFI/WFE")                                    \
    X(CP15_32, 12, 0x03, NONE, OTHER, "trapped AArch32 MCR/MRC (coproc 15)")            \
    X(CP15_64, 13, 0x04, NONE, OTHER, "trapped AArch32 MCRR/MRRC (coproc 15)")          \
    X(CP14_32, 14, 0x05, NONE, OTHER, "trapped AArch32 MCR/MRC (coproc 14)")            \
    X(CP14_LS, 15, 0x06, NONE, OTHER, "trapped AArch32 LDC/STC")                        \
    X(FP_ACCESS, 16, 0x07, NONE, OTHER, "trapped SVE/SIMD/FP access")                   \
    X(LS64, 17, 0x0a, NONE, OTHER, "trapped LD64B/ST64B")                               \
    X(CP14_64, 18, 0x0c, NONE, OTHER, "trapped AArch32 MRRC (coproc 14)")               \
    X(BTI, 19, 0x0d, NONE, OTHER, "branch target exception")                            \
    X(ILLEGAL_STATE, 20, 0x0e, NONE, UNDEFINED, "illegal execution state")              \
    X(SVC32, 21, 0x11, NONE, SYSCALL, "SVC32")                                          \
    X(HVC32, 22, 0x12, NONE, FIRMWARE_CALL, "HVC32")                                    \
    X(SMC32, 23, 0x13, NONE, FIRMWARE_CALL, "SMC32")                                    \
    X(SVC64, 24, 0x15, NONE, SYSCALL, "SVC64")                                          \
    X(HVC64, 25, 0x16, NONE, FIRMWARE_CALL, "HVC64")                                    \
    X(SMC64, 26, 0x17, NONE, FIRMWARE_CALL, "SMC64")                                    \
    X(SYSREG, 27, 0x18, NONE, OTHER, "trapped MSR/MRS/system instruction")              \
    X(SVE, 28, 0x19, NONE, OTHER, "trapped SVE access")                                 \
    X(ERET, 29, 0x1a, NONE, OTHER, "trapped ERET")                                      \
    X(PAC, 30, 0x1c, NONE, OTHER, "pointer authentication failure")                     \
    X(SME, 31, 0x1d, NONE, OTHER, "trapped SME access")                                 \
    X(IMP_DEF, 32, 0x1f, NONE, OTHER, "implementation defined exception to EL3")        \
    X(PC_ALIGN, 33, 0x22, NONE, ALIGNMENT, "PC alignment fault")                        \
    X(SP_ALIGN, 34, 0x26, NONE, ALIGNMENT, "SP alignment fault")                        \
    X(MOPS, 35, 0x27, NONE, OTHER, "memory operation exception")                        \
    X(FP32, 36, 0x28, NONE, ARITHMETIC, "trapped AArch32 floating-point exception")     \
    X(FP64, 37, 0x2c, NONE, ARITHMETIC, "trapped floating-point exception")             \
    X(SERROR, 38, 0x2f, NONE, OTHER, "SError")                                          \
    X(BKPT_LOWER, 39, 0x30, LOWER, BREAKPOINT, "breakpoint from a lower EL")            \
    X(BKPT_SAME, 40, 0x31, SAME, BREAKPOINT, "breakpoint (same EL)")                    \
    X(STEP_LOWER, 41, 0x32, LOWER, BREAKPOINT, "software step from a lower EL")         \
    X(STEP_SAME, 42, 0x33, SAME, BREAKPOINT, "software step (same EL)")                 \
    X(WATCH_LOWER, 43, 0x34, LOWER, BREAKPOINT, "watchpoint from a lower EL")           \
    X(WATCH_SAME, 44, 0x35, SAME, BREAKPOINT, "watchpoint (same EL)")                   \
    X(BKPT32, 45, 0x38, NONE, BREAKPOINT, "BKPT (AArch32)")                             \
    X(VECTOR_CATCH, 46, 0x3a, NONE, BREAKPOINT, "vector catch (AArch32)")               \
    X(BRK, 47, 0x3c, NONE, BREAKPOINT, "BRK")                                           \
    /* Every interrupt reaches the PE from the GIC; which one (timer PPI,  \
     * SGI, device SPI) is in the GIC's acknowledge register, not in ESR. */ \
    X(IRQ, 48, EC_IRQ, NONE, EXTERNAL, "IRQ or FIQ")                                    \
    X(UNKNOWN_EC, 49, EC_UNKNOWN, NONE, OTHER, "unknown exception class")               \
    AB(IABT_LOWER, 50, 0x20, LOWER, "instruction abort from a lower EL")                \
    AB(IABT_SAME, 60, 0x21, SAME, "instruction abort (same EL)")                        \
    AB(DABT_LOWER, 70, 0x24, LOWER, "data abort from a lower EL")                       \
    AB(DABT_SAME, 80, 0x25, SAME, "data abort (same EL)")

/* Dense indices of the table. */
enum {
#define IDX_(sym, id, ec, side, cls, name) I_##sym,
#define IDX_AB_(sym, id, ec, side, base) A64_ABORT(IDX_, sym, id, ec, side, base)
    A64_KINDS(IDX_, IDX_AB_) N_KINDS
};

static const struct discon_kind kinds[N_KINDS] = {
#define KIND_(sym, id, ec, side, cls, name) {(id), DISCON_ARCH_AARCH64, name, DISCON_CLASS_##cls},
#define KIND_AB_(sym, id, ec, side, base) A64_ABORT(KIND_, sym, id, ec, side, base)
    A64_KINDS(KIND_, KIND_AB_)
};

static const unsigned char sides[N_KINDS] = {
#define SIDE_(sym, id, ec, side, cls, name) SIDE_##side,
#define SIDE_AB_(sym, id, ec, side, base) A64_ABORT(SIDE_, sym, id, ec, side, base)
    A64_KINDS(SIDE_, SIDE_AB_)
};

/* EC -> 1 + index of its kind (of an abort's first sub-kind); 0: not listed. */
static const unsigned char by_ec[EC_SLOTS] = {
#define EC_(sym, id, ec, side, cls, name) [ec] = 1 + I_##sym,
#define EC_AB_(sym, id, ec, side, base) [ec] = 1 + I_##sym##_ADDR_SIZE,
    A64_KINDS(EC_, EC_AB_)
};

/* The abort sub-kind (0-9, the order of A64_ABORT) of a fault status
 * code, ISS[5:0]: 0b0000LL address size, 0b0001LL translation, 0b0010LL
 * access flag, 0b0011LL permission fault at level LL; 0x10 and 0x12-0x17
 * synchronous external abort (0x12-0x17 on a table walk at level -2 to 3:
 * Arm ARM D24.2.40 ISS encoding for an exception from a Data Abort, DFSC;
 * -2 needs FEAT_D128, -1 FEAT_LPA2); 0x21 alignment. */
static unsigned abort_sub_kind(unsigned fsc)
{
    if (fsc <= 0x03)
        return 0;
    if (fsc <= 0x07)
        return 1 + (fsc & 3);
    if (fsc <= 0x0b)
        return 5;
    if (fsc <= 0x0f)
        return 6;
    if (fsc == 0x10 || (fsc >= 0x12 && fsc <= 0x17))
        return 7;
    return fsc == 0x21 ? 8 : 9;
}

static int is_abort_ec(unsigned ec)
{
    return ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
}

/* "Lower EL" seen at EL1 can only be EL0; seen at EL2 or EL3 it may be any
 * level below, which the ESR does not say. */
static enum discon_level from_level_of(enum side side, unsigned to_level)
{
    static const enum discon_level el_role[4] = {DISCON_LEVEL_USER, DISCON_LEVEL_KERNEL,
                                                 DISCON_LEVEL_HYPERVISOR, DISCON_LEVEL_FIRMWARE};
    if (side == SIDE_LOWER)
        return to_level == 1 ? DISCON_LEVEL_USER : DISCON_LEVEL_UNKNOWN;
    if (side == SIDE_SAME && to_level >= 1 && to_level <= 3)
        return el_role[to_level];
    return DISCON_LEVEL_UNKNOWN;
}

static const struct discon_kind *decode(unsigned type, uint64_t esr, unsigned to_level,
                                        enum discon_level *from_level)
{
    unsigned ec = (unsigned)(esr >> 26) & 0x3f;
    unsigned i;
    if (type == DISCON_HOSTCALL) {
        *from_level = DISCON_LEVEL_UNKNOWN;
        return discon_kind_hostcall();
    }
    if (type == DISCON_INTERRUPT)
        i = I_IRQ;
    else if (by_ec[ec] == 0)
        i = I_UNKNOWN_EC;
    else
        i = by_ec[ec] - 1u + (is_abort_ec(ec) ? abort_sub_kind((unsigned)esr & 0x3f) : 0);
    *from_level = from_level_of((enum side)sides[i], to_level);
    return &kinds[i];
}

const struct discon_kind_table discon_kinds_aarch64 = {kinds, N_KINDS, decode};
