/*
 * Naming traps: what a trap was (its kind), from the architecture's cause
 * value, and which Linux system call a number is. Pure functions on plain
 * integers: they take the event type (enum discon_type, discon_types.h),
 * the cause the plugin read (aarch64 ESR_EL1, riscv64 scause/mcause, x86_64
 * the vector) and the level the trap went to, never an event struct.
 *
 * Each architecture's decoding table is the one place that spells a
 * kind's name and gives it its id (schema/kinds_<arch>.c); the system-call
 * tables are generated at build time from the Linux UAPI headers
 * (schema/gen_syscalls.py). Every string returned is static: never freed,
 * valid for the life of the process.
 *
 * Part of libdiscon-trace soname 2 (version node DISCON_TRACE_2).
 */
#ifndef DISCON_KINDS_H
#define DISCON_KINDS_H

#include <stddef.h>
#include <stdint.h>

#include "discon_arch.h" /* enum discon_arch, from QEMU's target name */

/* What a trap is for, the same on every architecture. Stable values. */
enum discon_trap_class {
    DISCON_CLASS_OTHER = 0,
    DISCON_CLASS_SYSCALL = 1,        /* a system call (svc, ecall from U, int 0x80) */
    DISCON_CLASS_MEMORY_FAULT = 2,   /* page fault or memory abort */
    DISCON_CLASS_UNDEFINED = 3,      /* undefined or illegal instruction */
    DISCON_CLASS_BREAKPOINT = 4,     /* breakpoint, watchpoint, single step, debug */
    DISCON_CLASS_ALIGNMENT = 5,      /* misaligned access or PC/SP */
    DISCON_CLASS_ARITHMETIC = 6,     /* divide error, overflow, floating point */
    DISCON_CLASS_FIRMWARE_CALL = 7,  /* firmware or hypervisor call (hvc, smc, SBI ecall) */
    DISCON_CLASS_TIMER = 8,          /* timer interrupt */
    DISCON_CLASS_IPI = 9,            /* inter-processor interrupt */
    DISCON_CLASS_EXTERNAL = 10,      /* interrupt from outside the core (devices) */
    DISCON_CLASS_COUNT               /* number of classes; not a class */
};

/* Privilege levels, named by their role. Stable values. */
enum discon_level {
    DISCON_LEVEL_UNKNOWN = 0,
    DISCON_LEVEL_USER = 1,       /* aarch64 EL0, riscv U */
    DISCON_LEVEL_KERNEL = 2,     /* aarch64 EL1, riscv S (and VS) */
    DISCON_LEVEL_HYPERVISOR = 3, /* aarch64 EL2 */
    DISCON_LEVEL_FIRMWARE = 4,   /* aarch64 EL3, riscv M */
    DISCON_LEVEL_COUNT           /* number of levels; not a level */
};

/* One kind of trap. The library owns every instance (callers only hold
 * pointers to them), so a later minor version may add fields at the end. */
struct discon_kind {
    unsigned id;                       /* stable small integer, unique across arches */
    enum discon_arch arch;             /* DISCON_ARCH_UNKNOWN for the shared kinds */
    const char *name;                  /* unique across all kinds */
    enum discon_trap_class trap_class;
};

/* "system call", "page fault/memory abort", ...; "other" if out of range. */
const char *discon_trap_class_name(enum discon_trap_class trap_class);
/* "user", "kernel", "hypervisor", "firmware", "unknown". */
const char *discon_level_name(enum discon_level level);

/*
 * The kind of one trap. Never NULL: a cause the tables do not know gives
 * an "unknown ..." kind of that architecture (or of none).
 * - type: the event's type (DISCON_INTERRUPT, DISCON_EXCEPTION,
 *   DISCON_HOSTCALL, or on x86_64 DISCON_SYSCALL with cause 0 for
 *   `syscall` and 1 for `sysenter`: kinds "SYSCALL", "SYSENTER"). Host
 *   calls are one shared kind on every arch.
 * - cause: aarch64 ESR_ELx (ignored for interrupts: QEMU does not update
 *   ESR for them); riscv64 scause/mcause (bit 63: interrupt); x86_64 the
 *   vector (0-255, or DISCON_X86_VECTOR_EXTERNAL).
 * - to_level: the level the trap was taken to, as the architecture numbers
 *   it. aarch64: the EL, 1-3 (cpsr bits [3:2] read in the callback, which
 *   already shows the handler's level); it turns "lower EL"/"same EL" into
 *   a level. Ignored on riscv64 (an ecall's code names its mode; pass
 *   `priv` anyway, 0 U, 1 S, 3 M, for later use) and on x86_64.
 * - from_level (may be NULL): set to the level the trap came from where
 *   the cause says so (aarch64 "from a lower EL" taken to EL1 = user,
 *   "same EL" = the level taken to; riscv ecall from U/S/M), else
 *   DISCON_LEVEL_UNKNOWN.
 */
const struct discon_kind *discon_trap_kind(enum discon_arch arch, unsigned type, uint64_t cause,
                                           unsigned to_level, enum discon_level *from_level);

/* Every kind, for a database's `kinds` table: i in [0, discon_kind_count()),
 * NULL beyond. The order is not stable; the ids are. */
size_t discon_kind_count(void);
const struct discon_kind *discon_kind_at(size_t i);
/* The kind with this id, or NULL. */
const struct discon_kind *discon_kind_by_id(unsigned id);

/* x86_64 has no cause register: the vector is known from the handler QEMU
 * reports. The vector of a Linux entry symbol ("asm_exc_page_fault" -> 14,
 * "asm_sysvec_apic_timer_interrupt" -> 0xec, ...; a "xen_" prefix is
 * accepted), DISCON_X86_VECTOR_EXTERNAL for asm_common_interrupt (a device
 * vector, which one the symbol does not say), or -1 for any other name.
 * The name must be the bare symbol, without "+offset". */
#define DISCON_X86_VECTOR_EXTERNAL 0x100
int discon_x86_vector_by_handler_symbol(const char *symbol);

/* The Linux system-call name of number nr on arch ("getpid"), or NULL if
 * the architecture's table has no such number. */
const char *discon_syscall_name(enum discon_arch arch, uint64_t nr);

#endif
