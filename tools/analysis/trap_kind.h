/*
 * Why a trap happened: its kind, class and the level it came from, from
 * the cause fields the plugin recorded (struct discon_trap) and the
 * architecture's decoding table in libdiscon-trace (discon_kinds.h). The
 * one place the tools turn a derived trap into a kind, so the database
 * (trace2sqlite) and the report (discon-report) can never disagree.
 *
 * Per architecture:
 *  - aarch64: ESR_ELx of the level taken to. Interrupts carry no cause (QEMU
 *    does not update ESR for them, QEMU-FACTS): they are all "IRQ or FIQ".
 *  - riscv64: scause or mcause; an interrupt's code is its number.
 *  - x86_64: no cause register; the vector is the handler's Linux entry
 *    symbol (asm_exc_page_fault = 14), so without a symbol table, or for a
 *    handler that is not a Linux entry point, the kind is "unknown".
 * An exception recorded without its cause (cause=off, or a trace written
 * before causes existed) is of the shared kind "unknown", never a guess.
 */
#ifndef DISCON_TRAP_KIND_H
#define DISCON_TRAP_KIND_H

#include "discon_kinds.h"
#include "symbols.h"
#include "discon_traps.h"

#include <stdint.h>

#define DISCON_NAMER_CACHE 256 /* x86_64 handlers remembered (direct-mapped) */

/* State for naming the traps of one trace. Plain data; no resources. */
struct discon_trap_namer {
    enum discon_arch arch;
    const struct discon_symbols *syms; /* borrowed; may be NULL */
    /* x86_64: handler address -> vector + 1 (0: not cached). */
    uint64_t cache_pc[DISCON_NAMER_CACHE];
    int16_t cache_vector[DISCON_NAMER_CACHE];
};

/* What one trap was. */
struct discon_trap_why {
    const struct discon_kind *kind; /* never NULL; static (discon_kinds.h) */
    enum discon_level origin;       /* the level it came from, or UNKNOWN */
    int64_t interrupt;              /* x86 vector, riscv interrupt code; -1 if not known */
};

/* target: the trace header's QEMU target name ("aarch64", ...), may be
 * NULL. syms: the trace's symbols, already relocated by the KASLR slide;
 * borrowed, must outlive every call of discon_trap_why with this namer
 * (NULL: x86_64 kinds are unknown). Set syms again with
 * discon_trap_namer_set_symbols, which also forgets the cache. */
void discon_trap_namer_init(struct discon_trap_namer *n, const char *target,
                            const struct discon_symbols *syms);
void discon_trap_namer_set_symbols(struct discon_trap_namer *n, const struct discon_symbols *syms);

/* The kind, origin level and interrupt number of trap t. Never fails. */
void discon_trap_why(struct discon_trap_namer *n, const struct discon_trap *t,
                     struct discon_trap_why *out);

/* The system-call number of t, if it is a system call the plugin read the
 * number of; -1 if not. */
int64_t discon_trap_syscall(const struct discon_trap *t);

#endif
