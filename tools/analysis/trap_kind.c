#include "trap_kind.h"

#include <string.h>

void discon_trap_namer_set_symbols(struct discon_trap_namer *n, const struct discon_symbols *syms)
{
    n->syms = syms;
    memset(n->cache_pc, 0, sizeof n->cache_pc);
    memset(n->cache_vector, 0, sizeof n->cache_vector);
}

void discon_trap_namer_init(struct discon_trap_namer *n, const char *target,
                            const struct discon_symbols *syms)
{
    n->arch = discon_arch_from_target(target);
    discon_trap_namer_set_symbols(n, syms);
}

/* The x86 vector a handler address is the entry of, or -1. Entry symbols
 * are looked up by exact address: a handler QEMU reports is where the IDT
 * points, the symbol's first byte. */
static int x86_vector(struct discon_trap_namer *n, uint64_t handler)
{
    if (n->syms == NULL)
        return -1;
    size_t slot = (size_t)((handler >> 4) ^ (handler >> 12)) % DISCON_NAMER_CACHE;
    if (n->cache_vector[slot] != 0 && n->cache_pc[slot] == handler)
        return n->cache_vector[slot] - 1;
    uint64_t off;
    const struct discon_symbol *s = discon_symbols_find(n->syms, handler, &off);
    int vector = s && off == 0 ? discon_x86_vector_by_handler_symbol(s->name) : -1;
    n->cache_pc[slot] = handler;
    n->cache_vector[slot] = (int16_t)(vector + 1);
    return vector;
}

/* A level as the plugin recorded it (the architecture's numbering) as a
 * role. aarch64: EL0-EL3 (Arm ARM D1.1); riscv: 0 U, 1 S, 3 M (privileged
 * spec 1.2). */
static enum discon_level level_role(enum discon_arch arch, unsigned level)
{
    static const enum discon_level el[4] = {DISCON_LEVEL_USER, DISCON_LEVEL_KERNEL,
                                            DISCON_LEVEL_HYPERVISOR, DISCON_LEVEL_FIRMWARE};
    static const enum discon_level priv[4] = {DISCON_LEVEL_USER, DISCON_LEVEL_KERNEL,
                                              DISCON_LEVEL_UNKNOWN, DISCON_LEVEL_FIRMWARE};
    if (level > 3)
        return DISCON_LEVEL_UNKNOWN;
    if (arch == DISCON_ARCH_AARCH64)
        return el[level];
    if (arch == DISCON_ARCH_RISCV64)
        return priv[level];
    return DISCON_LEVEL_UNKNOWN;
}

void discon_trap_why(struct discon_trap_namer *n, const struct discon_trap *t,
                     struct discon_trap_why *out)
{
    enum discon_arch arch = n->arch;
    uint64_t cause = t->cause;
    bool has_cause = (t->has & DISCON_HAS_CAUSE) != 0;
    out->interrupt = -1;
    if (arch == DISCON_ARCH_X86_64 && t->type != DISCON_SYSCALL) {
        /* The vector from the handler's symbol. Not for `syscall` and
         * `sysenter`, which go through no vector: their recorded cause
         * says which of the two it was (kinds_x86_64.c). */
        int vector = t->type == DISCON_HOSTCALL ? -1 : x86_vector(n, t->to_pc);
        cause = vector < 0 ? UINT64_MAX : (uint64_t)vector;
        has_cause = vector >= 0;
        if (t->type == DISCON_INTERRUPT && vector >= 0x20 && vector < 0x100)
            out->interrupt = vector;
    } else if (arch == DISCON_ARCH_RISCV64 && has_cause && (cause >> 63) != 0) {
        out->interrupt = (int64_t)(cause & ~(UINT64_C(1) << 63));
    }
    /* aarch64 names interrupts without a cause (ESR is stale for them);
     * everything else needs one. */
    bool decodable = has_cause || t->type == DISCON_HOSTCALL ||
                     (arch == DISCON_ARCH_AARCH64 && t->type == DISCON_INTERRUPT);
    unsigned to_level = (t->has & DISCON_HAS_TO_LEVEL) ? t->to_level : 0;
    enum discon_level origin = DISCON_LEVEL_UNKNOWN;
    out->kind = discon_trap_kind(decodable ? arch : DISCON_ARCH_UNKNOWN, t->type, cause,
                                 to_level, &origin);
    if (origin == DISCON_LEVEL_UNKNOWN && (t->has & DISCON_HAS_FROM_LEVEL))
        origin = level_role(arch, t->from_level);
    out->origin = origin;
}

int64_t discon_trap_syscall(const struct discon_trap *t)
{
    return (t->has & DISCON_HAS_SYSCALL) ? (int64_t)t->syscall : -1;
}
