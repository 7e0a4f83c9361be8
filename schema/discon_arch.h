/*
 * Guest architectures, from QEMU's target name (qemu_info_t.target_name,
 * the trace header's `target`): the one mapping that both the plugin (to
 * know which cause registers to read) and the trap-kind tables use.
 * Header-only, so the plugin needs no library. The values are stable: they
 * may be stored. Strings are static, valid for the life of the process.
 */
#ifndef DISCON_ARCH_H
#define DISCON_ARCH_H

#include <string.h>

enum discon_arch {
    DISCON_ARCH_UNKNOWN = 0,
    DISCON_ARCH_AARCH64 = 1,
    DISCON_ARCH_RISCV64 = 2,
    DISCON_ARCH_X86_64 = 3,
    DISCON_ARCH_COUNT /* number of values; not an architecture */
};

/* "aarch64", "riscv64", "x86_64" (QEMU's target names), or "unknown". */
static inline const char *discon_arch_name(enum discon_arch arch)
{
    static const char *const names[DISCON_ARCH_COUNT] = {
        [DISCON_ARCH_UNKNOWN] = "unknown",
        [DISCON_ARCH_AARCH64] = "aarch64",
        [DISCON_ARCH_RISCV64] = "riscv64",
        [DISCON_ARCH_X86_64] = "x86_64",
    };
    return (unsigned)arch < DISCON_ARCH_COUNT ? names[arch] : names[DISCON_ARCH_UNKNOWN];
}

/* The architecture of a QEMU target name, or DISCON_ARCH_UNKNOWN (also
 * for NULL). */
static inline enum discon_arch discon_arch_from_target(const char *target_name)
{
    for (int a = DISCON_ARCH_AARCH64; a < DISCON_ARCH_COUNT && target_name; a++)
        if (strcmp(target_name, discon_arch_name((enum discon_arch)a)) == 0)
            return (enum discon_arch)a;
    return DISCON_ARCH_UNKNOWN;
}

#endif
