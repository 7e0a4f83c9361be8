/*
 * Inside libdiscon-trace's kind decoding (discon_kinds.h): each
 * architecture's table (kinds_<arch>.c) and its generated system-call
 * names (gen_syscalls.py). None of this is exported: the version script
 * keeps these symbols local.
 */
#ifndef DISCON_KINDS_INTERNAL_H
#define DISCON_KINDS_INTERNAL_H

#include "discon_kinds.h"

/* One architecture's kinds, and its decoder (arch already checked). */
struct discon_kind_table {
    const struct discon_kind *kinds;
    size_t count;
    const struct discon_kind *(*decode)(unsigned type, uint64_t cause, unsigned to_level,
                                        enum discon_level *from_level);
};

extern const struct discon_kind_table discon_kinds_aarch64;
extern const struct discon_kind_table discon_kinds_riscv64;
extern const struct discon_kind_table discon_kinds_x86_64;

/* The shared kinds of kinds.c, for the decoders. */
const struct discon_kind *discon_kind_unknown(void);
const struct discon_kind *discon_kind_hostcall(void);

/* Generated: number -> name, NULL for a hole. */
extern const char *const discon_syscalls_aarch64[];
extern const unsigned discon_syscalls_aarch64_count;
extern const char *const discon_syscalls_riscv64[];
extern const unsigned discon_syscalls_riscv64_count;
extern const char *const discon_syscalls_x86_64[];
extern const unsigned discon_syscalls_x86_64_count;

#endif
