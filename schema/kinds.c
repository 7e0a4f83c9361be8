/*
 * discon_kinds.h: the architecture dispatch, the kinds every architecture
 * shares, the names of classes and levels, and the system-call lookup.
 * The per-architecture tables are in kinds_<arch>.c.
 */
#include <string.h>

#include "kinds_internal.h"

/* Kinds of no architecture. Ids 0-9. */
static const struct discon_kind shared_kinds[] = {
    {0, DISCON_ARCH_UNKNOWN, "unknown", DISCON_CLASS_OTHER},
    /* QEMU handles the call itself (semihosting, PSCI through hvc/smc
     * without firmware): the guest asked its host, not its own code. */
    {1, DISCON_ARCH_UNKNOWN, "host call", DISCON_CLASS_FIRMWARE_CALL},
};

const struct discon_kind *discon_kind_unknown(void)
{
    return &shared_kinds[0];
}

const struct discon_kind *discon_kind_hostcall(void)
{
    return &shared_kinds[1];
}

static const struct discon_kind_table shared_table = {
    shared_kinds, sizeof shared_kinds / sizeof shared_kinds[0], NULL};

/* Indexed by enum discon_arch. */
static const struct discon_kind_table *const tables[DISCON_ARCH_COUNT] = {
    [DISCON_ARCH_UNKNOWN] = &shared_table,
    [DISCON_ARCH_AARCH64] = &discon_kinds_aarch64,
    [DISCON_ARCH_RISCV64] = &discon_kinds_riscv64,
    [DISCON_ARCH_X86_64] = &discon_kinds_x86_64,
};
#define N_TABLES (sizeof tables / sizeof tables[0])

const char *discon_trap_class_name(enum discon_trap_class trap_class)
{
    static const char *const names[DISCON_CLASS_COUNT] = {
        [DISCON_CLASS_OTHER] = "other",
        [DISCON_CLASS_SYSCALL] = "system call",
        [DISCON_CLASS_MEMORY_FAULT] = "page fault/memory abort",
        [DISCON_CLASS_UNDEFINED] = "undefined instruction",
        [DISCON_CLASS_BREAKPOINT] = "breakpoint/debug",
        [DISCON_CLASS_ALIGNMENT] = "alignment",
        [DISCON_CLASS_ARITHMETIC] = "arithmetic",
        [DISCON_CLASS_FIRMWARE_CALL] = "firmware/hypervisor call",
        [DISCON_CLASS_TIMER] = "timer interrupt",
        [DISCON_CLASS_IPI] = "inter-processor interrupt",
        [DISCON_CLASS_EXTERNAL] = "external interrupt",
    };
    return (unsigned)trap_class < DISCON_CLASS_COUNT ? names[trap_class]
                                                     : names[DISCON_CLASS_OTHER];
}

const char *discon_level_name(enum discon_level level)
{
    static const char *const names[DISCON_LEVEL_COUNT] = {
        [DISCON_LEVEL_UNKNOWN] = "unknown", [DISCON_LEVEL_USER] = "user",
        [DISCON_LEVEL_KERNEL] = "kernel", [DISCON_LEVEL_HYPERVISOR] = "hypervisor",
        [DISCON_LEVEL_FIRMWARE] = "firmware",
    };
    return (unsigned)level < DISCON_LEVEL_COUNT ? names[level] : names[DISCON_LEVEL_UNKNOWN];
}

const struct discon_kind *discon_trap_kind(enum discon_arch arch, unsigned type, uint64_t cause,
                                           unsigned to_level, enum discon_level *from_level)
{
    enum discon_level ignored;
    if (from_level == NULL)
        from_level = &ignored;
    *from_level = DISCON_LEVEL_UNKNOWN;
    if ((unsigned)arch >= N_TABLES || tables[arch]->decode == NULL)
        return discon_kind_unknown();
    return tables[arch]->decode(type, cause, to_level, from_level);
}

size_t discon_kind_count(void)
{
    size_t n = 0;
    for (size_t t = 0; t < N_TABLES; t++)
        n += tables[t]->count;
    return n;
}

const struct discon_kind *discon_kind_at(size_t i)
{
    for (size_t t = 0; t < N_TABLES; t++) {
        if (i < tables[t]->count)
            return &tables[t]->kinds[i];
        i -= tables[t]->count;
    }
    return NULL;
}

const struct discon_kind *discon_kind_by_id(unsigned id)
{
    for (size_t i = 0, n = discon_kind_count(); i < n; i++)
        if (discon_kind_at(i)->id == id)
            return discon_kind_at(i);
    return NULL;
}

const char *discon_syscall_name(enum discon_arch arch, uint64_t nr)
{
    switch (arch) {
    case DISCON_ARCH_AARCH64:
        return nr < discon_syscalls_aarch64_count ? discon_syscalls_aarch64[nr] : NULL;
    case DISCON_ARCH_RISCV64:
        return nr < discon_syscalls_riscv64_count ? discon_syscalls_riscv64[nr] : NULL;
    case DISCON_ARCH_X86_64:
        return nr < discon_syscalls_x86_64_count ? discon_syscalls_x86_64[nr] : NULL;
    default:
        return NULL;
    }
}
