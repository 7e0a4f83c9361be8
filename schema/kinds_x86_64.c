/*
 * x86_64 trap kinds, by vector. Vectors 0-21: Intel 64 and IA-32
 * Architectures Software Developer's Manual, Vol. 3A, Table 6-1
 * "Protected-Mode Exceptions and Interrupts"; 29 (#VC): AMD64 Architecture
 * Programmer's Manual Vol. 2, section 8.2. Vectors 0x80 and 0xec-0xff are
 * Linux's choices, not the architecture's (arch/x86/include/asm/
 * irq_vectors.h: IA32_SYSCALL_VECTOR, LOCAL_TIMER_VECTOR, ...); every other
 * vector from 0x20 is a device interrupt.
 *
 * QEMU gives no vector: it is found from the handler (Linux's entry
 * symbols, discon_x86_vector_by_handler_symbol), checked against the
 * Debian guest kernel's kallsyms (grep 'asm_exc_\|asm_sysvec_').
 *
 * This table is the one place that spells these names and gives their ids
 * (300 + vector for 0-31). Ids are stable: tests/test_kinds.c lists them.
 */
#include <string.h>

#include "kinds_internal.h"
#include "discon_types.h"

/* X(sym, id, vector, class, name, Linux entry symbol or NULL) */
#define X86_KINDS(X)                                                                    \
    X(DE, 300, 0, ARITHMETIC, "#DE", "asm_exc_divide_error")                          \
    X(DB, 301, 1, BREAKPOINT, "#DB", "asm_exc_debug")                                 \
    X(NMI, 302, 2, OTHER, "NMI", "asm_exc_nmi")                                       \
    X(BP, 303, 3, BREAKPOINT, "#BP", "asm_exc_int3")                                  \
    X(OF, 304, 4, ARITHMETIC, "#OF", "asm_exc_overflow")                              \
    X(BR, 305, 5, OTHER, "#BR", "asm_exc_bounds")                                     \
    X(UD, 306, 6, UNDEFINED, "#UD", "asm_exc_invalid_op")                             \
    X(NM, 307, 7, OTHER, "#NM", "asm_exc_device_not_available")                       \
    X(DF, 308, 8, OTHER, "#DF", "asm_exc_double_fault")                               \
    X(CSO, 309, 9, OTHER, "coprocessor segment overrun", "asm_exc_coproc_segment_overrun") \
    X(TS, 310, 10, OTHER, "#TS", "asm_exc_invalid_tss")                               \
    X(NP, 311, 11, OTHER, "#NP", "asm_exc_segment_not_present")                       \
    X(SS, 312, 12, OTHER, "#SS", "asm_exc_stack_segment")                             \
    X(GP, 313, 13, OTHER, "#GP", "asm_exc_general_protection")                        \
    X(PF, 314, 14, MEMORY_FAULT, "#PF", "asm_exc_page_fault")                         \
    X(MF, 316, 16, ARITHMETIC, "#MF", "asm_exc_coprocessor_error")                    \
    X(AC, 317, 17, ALIGNMENT, "#AC", "asm_exc_alignment_check")                       \
    X(MC, 318, 18, OTHER, "#MC", "asm_exc_machine_check")                             \
    X(XM, 319, 19, ARITHMETIC, "#XM", "asm_exc_simd_coprocessor_error")               \
    X(VE, 320, 20, OTHER, "#VE", "asm_exc_virtualization_exception")                  \
    X(CP, 321, 21, OTHER, "#CP", "asm_exc_control_protection")                        \
    X(VC, 329, 29, OTHER, "#VC", "asm_exc_vmm_communication")                         \
    X(INT80, 330, 0x80, SYSCALL, "int 0x80 system call", "asm_int80_emulation")       \
    X(LAPIC_TIMER, 340, 0xec, TIMER, "local APIC timer", "asm_sysvec_apic_timer_interrupt") \
    X(RESCHEDULE, 341, 0xfd, IPI, "reschedule IPI", "asm_sysvec_reschedule_ipi")      \
    X(CALL_FUNC, 342, 0xfc, IPI, "call function IPI", "asm_sysvec_call_function")     \
    X(CALL_FUNC_SINGLE, 343, 0xfb, IPI, "call function single IPI",                   \
      "asm_sysvec_call_function_single")                                              \
    X(IRQ_WORK, 344, 0xf6, IPI, "IRQ work IPI", "asm_sysvec_irq_work")                \
    X(REBOOT, 345, 0xf8, IPI, "reboot IPI", "asm_sysvec_reboot")                      \
    X(PLATFORM_IPI, 346, 0xf7, OTHER, "platform IPI", "asm_sysvec_x86_platform_ipi")    \
    X(THERMAL, 347, 0xfa, OTHER, "thermal interrupt", "asm_sysvec_thermal")           \
    X(THRESHOLD, 348, 0xf9, OTHER, "MCE threshold interrupt", "asm_sysvec_threshold") \
    X(DEFERRED_ERROR, 349, 0xf4, OTHER, "deferred error interrupt", "asm_sysvec_deferred_error") \
    X(APIC_ERROR, 350, 0xfe, OTHER, "APIC error interrupt", "asm_sysvec_error_interrupt") \
    X(SPURIOUS_APIC, 351, 0xff, OTHER, "spurious APIC interrupt",                     \
      "asm_sysvec_spurious_apic_interrupt")                                           \
    X(EXTERNAL, 360, DISCON_X86_VECTOR_EXTERNAL, EXTERNAL, "external interrupt",      \
      "asm_common_interrupt")                                                         \
    X(RESERVED, 361, 15, OTHER, "reserved exception vector", "asm_exc_spurious_interrupt_bug") \
    X(UNKNOWN, 362, VEC_UNKNOWN, OTHER, "unknown vector", NULL)                       \
    X(SYSCALL, 363, VEC_SYSCALL, SYSCALL, "SYSCALL", NULL)                            \
    X(SYSENTER, 364, VEC_SYSENTER, SYSCALL, "SYSENTER", NULL)

/* Slots past the 256 vectors and DISCON_X86_VECTOR_EXTERNAL: kinds that no
 * vector names, so no handler address decodes to them. SYSCALL-type events
 * (discon_types.h) are x86_64's fast system calls, which are not traps to
 * QEMU: the plugin records cause 0 for `syscall`, 1 for `sysenter`. */
#define VEC_UNKNOWN 0x101
#define VEC_SYSCALL 0x102
#define VEC_SYSENTER 0x103
#define VECTOR_SLOTS 0x104

enum {
#define IDX_(sym, id, vec, cls, name, symbol) I_##sym,
    X86_KINDS(IDX_) N_KINDS
};

static const struct discon_kind kinds[N_KINDS] = {
#define KIND_(sym, id, vec, cls, name, symbol) {(id), DISCON_ARCH_X86_64, name, DISCON_CLASS_##cls},
    X86_KINDS(KIND_)
};

/* vector -> 1 + index; 0: not listed (a reserved exception below 0x20,
 * a device interrupt from 0x20). */
static const unsigned char by_vector[VECTOR_SLOTS] = {
#define VEC_(sym, id, vec, cls, name, symbol) [vec] = 1 + I_##sym,
    X86_KINDS(VEC_)
};

static const struct {
    const char *symbol;
    int vector;
} by_symbol[] = {
#define SYM_(sym, id, vec, cls, name, symbol) {symbol, vec},
    X86_KINDS(SYM_)
    /* Linux's device interrupt entry for a vector with no IRQ. */
    {"asm_spurious_interrupt", DISCON_X86_VECTOR_EXTERNAL},
};

static const struct discon_kind *decode(unsigned type, uint64_t vector, unsigned to_level,
                                        enum discon_level *from_level)
{
    /* The vector says nothing of the level it came from, and the handler
     * runs in the kernel. */
    (void)to_level;
    *from_level = DISCON_LEVEL_UNKNOWN;
    if (type == DISCON_HOSTCALL)
        return discon_kind_hostcall();
    if (type == DISCON_SYSCALL) {
        return vector == 0 ? &kinds[I_SYSCALL] : vector == 1 ? &kinds[I_SYSENTER]
                                                             : &kinds[I_UNKNOWN];
    }
    if (vector >= VEC_UNKNOWN)
        return &kinds[I_UNKNOWN];
    if (by_vector[vector] != 0)
        return &kinds[by_vector[vector] - 1u];
    return &kinds[vector < 0x20 ? I_RESERVED : I_EXTERNAL];
}

int discon_x86_vector_by_handler_symbol(const char *symbol)
{
    if (symbol == NULL)
        return -1;
    /* Xen PV guests enter through xen_asm_exc_* wrappers of the same. */
    if (strncmp(symbol, "xen_", 4) == 0)
        symbol += 4;
    for (size_t i = 0; i < sizeof by_symbol / sizeof by_symbol[0]; i++)
        if (by_symbol[i].symbol != NULL && strcmp(symbol, by_symbol[i].symbol) == 0)
            return by_symbol[i].vector;
    return -1;
}

const struct discon_kind_table discon_kinds_x86_64 = {kinds, N_KINDS, decode};
