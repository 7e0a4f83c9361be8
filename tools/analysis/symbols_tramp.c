/*
 * arm64 KPTI: naming the fixmap alias of tramp_vectors (see symbols.h).
 *
 * With KPTI (CONFIG_UNMAP_KERNEL_AT_EL0) the kernel is unmapped while EL0
 * runs, and VBAR_EL1 points at TRAMP_VALIAS, a fixmap page mapping the
 * .entry.tramp.text section (arch/arm64/include/asm/fixmap.h:
 * __fix_to_virt(FIX_ENTRY_TRAMP_TEXT1); arch/arm64/kernel/entry.S). Every
 * trap from EL0 enters there; the trampoline maps the kernel, points
 * VBAR_EL1 at the real `vectors` and branches on, so traps taken at EL1 go
 * to `vectors` directly. tramp_vectors, at the start of that section, holds
 * one 2 KiB vector table per Spectre-BHB mitigation (one to four), each
 * with only its lower-EL half (0x400 - 0x7ff) filled; the kernel picks one
 * table per CPU.
 *
 * The alias address is a build constant (the fixmap slot depends on the
 * configuration) that no symbol file records, so it is recognised from
 * the trace instead: a frequent exception handler H is an entry of the
 * alias when
 *   - the target is aarch64 and the symbols hold tramp_vectors (KPTI built
 *     in), 2 KiB aligned;
 *   - H is a kernel (TTBR1) address above every symbol and inside none:
 *     the fixmap lies above the kernel image and the module area in every
 *     arm64 memory layout, and nothing else there is code;
 *   - H is a lower-EL AArch64/AArch32 vector entry of a 2 KiB table:
 *     H mod 0x800 in 0x400 .. 0x780, a multiple of 0x80. The alias is page
 *     aligned and tramp_vectors 2 KiB aligned in its section, so a table of
 *     the alias starts at a multiple of 0x800 and H mod 0x800 is the slot.
 * Only the 2 KiB table holding H is named: which of the (up to four)
 * tables H is in is not knowable without TRAMP_VALIAS, so neighbouring
 * tables, and tramp_exit after them, are left unnamed rather than guessed.
 * Another frequent EL0 handler in another table (a CPU with another
 * mitigation) names that table too.
 */
#include "symbols.h"

#include <stdio.h>
#include <string.h>

#define TABLE 0x800u /* one AArch64 vector table */
#define SLOT 0x80u   /* one vector entry */
#define KERNEL_HALF 0xffff000000000000u

const char *discon_arm64_vector_name(uint64_t offset)
{
    /* Arm ARM D1.10.2: four groups by where the exception came from, four
     * entries each by type. EL1t/EL1h: from EL1 using SP_EL0/SP_EL1. */
    static const char *const names[16] = {
        "EL1t sync", "EL1t IRQ", "EL1t FIQ", "EL1t SError",
        "EL1h sync", "EL1h IRQ", "EL1h FIQ", "EL1h SError",
        "EL0 sync", "EL0 IRQ", "EL0 FIQ", "EL0 SError",
        "EL0 sync (AArch32)", "EL0 IRQ (AArch32)", "EL0 FIQ (AArch32)", "EL0 SError (AArch32)",
    };
    return names[(offset % TABLE) / SLOT];
}

/* Whether h is an entry of the trampoline alias (the rules above). */
static bool alias_entry(const struct discon_symbols *s, uint64_t highest, uint64_t h)
{
    uint64_t off;
    uint64_t slot = h % TABLE;
    return h >= KERNEL_HALF && h > highest && !discon_symbols_find(s, h, &off) &&
           slot >= 0x400 && slot % SLOT == 0;
}

/* Name the 16 entries of the table at `table`. 0, or -1 (out of memory). */
static int name_table(struct discon_symbols *s, uint64_t table)
{
    for (uint64_t slot = 0; slot < TABLE; slot += SLOT) {
        char name[64];
        int len = snprintf(name, sizeof name, "tramp_vectors %s",
                           discon_arm64_vector_name(slot));
        if (discon_symbols_add_flags(s, table + slot, SLOT, name, (size_t)len, 0))
            return -1;
    }
    return 0;
}

int discon_symbols_name_tramp_alias(struct discon_symbols *s, const char *target,
                                    const uint64_t *handlers, size_t n)
{
    const struct discon_symbol *tramp = discon_symbols_by_name(s, "tramp_vectors");
    if (!target || strcmp(target, "aarch64") != 0 || !tramp || tramp->addr % TABLE != 0 ||
        s->n == 0)
        return 0;
    uint64_t highest = s->sym[s->n - 1].addr;
    uint64_t named[DISCON_KASLR_HANDLERS];
    size_t nnamed = 0;
    for (size_t i = 0; i < n && nnamed < DISCON_KASLR_HANDLERS; i++) {
        if (!alias_entry(s, highest, handlers[i]))
            continue;
        uint64_t table = handlers[i] - handlers[i] % TABLE;
        bool seen = false;
        for (size_t j = 0; j < nnamed; j++)
            seen |= named[j] == table;
        if (!seen)
            named[nnamed++] = table;
    }
    for (size_t j = 0; j < nnamed; j++)
        if (name_table(s, named[j]))
            return -1;
    discon_symbols_sort(s);
    return (int)nnamed;
}
