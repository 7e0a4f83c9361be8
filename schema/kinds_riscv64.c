/*
 * riscv64 trap kinds, decoded from scause/mcause: bit 63 set for an
 * interrupt, the exception code below it (The RISC-V Instruction Set
 * Manual, Volume II: Privileged Architecture, "Table: Machine cause
 * register (mcause) values after trap"; scause takes the same codes for
 * the traps delegated to S-mode; codes 2, 6, 10, 12 and 20-23 come from
 * the hypervisor extension, 13 from Sscofpmf, 16 from Ssdbltrp, 18 and 19
 * from the Zicfilp/Zicfiss and hardware-error additions).
 *
 * This table is the one place that spells these names and gives their ids
 * (200 + code for exceptions, 230 + code for interrupts). Ids are stable:
 * tests/test_kinds.c lists every one.
 */
#include "kinds_internal.h"
#include "discon_types.h"

/* X(sym, id, is_interrupt, code, from level, class, name). The level is
 * set only where the cause names it: an ecall says the mode it came from. */
#define RV_KINDS(X)                                                                        \
    X(INSN_MISALIGNED, 200, 0, 0, UNKNOWN, ALIGNMENT, "instruction address misaligned")  \
    X(INSN_ACCESS, 201, 0, 1, UNKNOWN, MEMORY_FAULT, "instruction access fault")         \
    X(ILLEGAL, 202, 0, 2, UNKNOWN, UNDEFINED, "illegal instruction")                     \
    X(BREAKPOINT, 203, 0, 3, UNKNOWN, BREAKPOINT, "breakpoint")                          \
    X(LOAD_MISALIGNED, 204, 0, 4, UNKNOWN, ALIGNMENT, "load address misaligned")         \
    X(LOAD_ACCESS, 205, 0, 5, UNKNOWN, MEMORY_FAULT, "load access fault")                \
    X(STORE_MISALIGNED, 206, 0, 6, UNKNOWN, ALIGNMENT, "store/AMO address misaligned")   \
    X(STORE_ACCESS, 207, 0, 7, UNKNOWN, MEMORY_FAULT, "store/AMO access fault")          \
    X(ECALL_U, 208, 0, 8, USER, SYSCALL, "environment call from U-mode")                 \
    X(ECALL_S, 209, 0, 9, KERNEL, FIRMWARE_CALL, "environment call from S-mode")         \
    X(ECALL_VS, 210, 0, 10, KERNEL, FIRMWARE_CALL, "environment call from VS-mode")      \
    X(ECALL_M, 211, 0, 11, FIRMWARE, FIRMWARE_CALL, "environment call from M-mode")      \
    X(INSN_PAGE, 212, 0, 12, UNKNOWN, MEMORY_FAULT, "instruction page fault")            \
    X(LOAD_PAGE, 213, 0, 13, UNKNOWN, MEMORY_FAULT, "load page fault")                   \
    X(STORE_PAGE, 215, 0, 15, UNKNOWN, MEMORY_FAULT, "store/AMO page fault")             \
    X(DOUBLE_TRAP, 216, 0, 16, UNKNOWN, OTHER, "double trap")                            \
    X(SOFTWARE_CHECK, 218, 0, 18, UNKNOWN, OTHER, "software check")                      \
    X(HARDWARE_ERROR, 219, 0, 19, UNKNOWN, OTHER, "hardware error")                      \
    X(INSN_GUEST_PAGE, 220, 0, 20, UNKNOWN, MEMORY_FAULT, "instruction guest-page fault") \
    X(LOAD_GUEST_PAGE, 221, 0, 21, UNKNOWN, MEMORY_FAULT, "load guest-page fault")       \
    X(VIRTUAL_INSN, 222, 0, 22, UNKNOWN, UNDEFINED, "virtual instruction")               \
    X(STORE_GUEST_PAGE, 223, 0, 23, UNKNOWN, MEMORY_FAULT, "store/AMO guest-page fault") \
    X(S_SOFT, 231, 1, 1, UNKNOWN, IPI, "supervisor software interrupt")                  \
    X(VS_SOFT, 232, 1, 2, UNKNOWN, IPI, "virtual supervisor software interrupt")         \
    X(M_SOFT, 233, 1, 3, UNKNOWN, IPI, "machine software interrupt")                     \
    X(S_TIMER, 235, 1, 5, UNKNOWN, TIMER, "supervisor timer interrupt")                  \
    X(VS_TIMER, 236, 1, 6, UNKNOWN, TIMER, "virtual supervisor timer interrupt")         \
    X(M_TIMER, 237, 1, 7, UNKNOWN, TIMER, "machine timer interrupt")                     \
    X(S_EXT, 239, 1, 9, UNKNOWN, EXTERNAL, "supervisor external interrupt")              \
    X(VS_EXT, 240, 1, 10, UNKNOWN, EXTERNAL, "virtual supervisor external interrupt")    \
    X(M_EXT, 241, 1, 11, UNKNOWN, EXTERNAL, "machine external interrupt")                \
    X(SG_EXT, 242, 1, 12, UNKNOWN, EXTERNAL, "supervisor guest external interrupt")      \
    X(COUNTER_OVERFLOW, 243, 1, 13, UNKNOWN, OTHER, "counter-overflow interrupt")        \
    X(UNKNOWN_EXC, 250, 0, 63, UNKNOWN, OTHER, "unknown exception cause")                \
    X(UNKNOWN_IRQ, 251, 1, 63, UNKNOWN, OTHER, "unknown interrupt cause")

/* Codes 0-23 are listed; 63 is a slot of its own for the unknown kinds. */
#define CODE_SLOTS 64

enum {
#define IDX_(sym, id, irq, code, from, cls, name) I_##sym,
    RV_KINDS(IDX_) N_KINDS
};

static const struct discon_kind kinds[N_KINDS] = {
#define KIND_(sym, id, irq, code, from, cls, name) \
    {(id), DISCON_ARCH_RISCV64, name, DISCON_CLASS_##cls},
    RV_KINDS(KIND_)
};

static const unsigned char from_levels[N_KINDS] = {
#define FROM_(sym, id, irq, code, from, cls, name) DISCON_LEVEL_##from,
    RV_KINDS(FROM_)
};

/* [is_interrupt][code] -> 1 + index; 0: not listed. */
static const unsigned char by_code[2][CODE_SLOTS] = {
#define CODE_(sym, id, irq, code, from, cls, name) [irq][code] = 1 + I_##sym,
    RV_KINDS(CODE_)
};

static const struct discon_kind *decode(unsigned type, uint64_t cause, unsigned to_level,
                                        enum discon_level *from_level)
{
    /* The level taken to (priv) does not change what the cause means: an
     * S-level cause taken to M because it was not delegated is still it. */
    (void)to_level;
    unsigned irq = (unsigned)(cause >> 63);
    uint64_t code = cause & ~(UINT64_C(1) << 63);
    unsigned i;
    if (type == DISCON_HOSTCALL) {
        *from_level = DISCON_LEVEL_UNKNOWN;
        return discon_kind_hostcall();
    }
    if (code < CODE_SLOTS && by_code[irq][code] != 0)
        i = by_code[irq][code] - 1u;
    else
        i = irq ? I_UNKNOWN_IRQ : I_UNKNOWN_EXC;
    *from_level = (enum discon_level)from_levels[i];
    return &kinds[i];
}

const struct discon_kind_table discon_kinds_riscv64 = {kinds, N_KINDS, decode};
