/*
 * Where to probe a running QEMU, found by decoding its own machine code.
 *
 * QEMU 11.1 exports three discontinuity dispatchers (plugins/core.c):
 * qemu_plugin_vcpu_{interrupt,exception,hostcall}_cb(CPUState *cpu,
 * uint64_t from). Debian's x86-64 build compiles each into a tail jump
 * into one static routine, plugin_vcpu_cb__discon(cpu, ev, type, from),
 * which first calls cpu->cc->get_pc(cpu) (its return value is to_pc) and
 * later passes cpu->cpu_index to each plugin callback. Neither to_pc nor
 * the vCPU index is an argument of the exported symbols, so the decoder:
 *   1. checks each dispatcher is `mov %rsi,%rcx; mov $TYPE,%edx;
 *      mov $EV,%esi; jmp ROUTINE` (endbr64 allowed) with its own TYPE and
 *      one common ROUTINE;
 *   2. follows ROUTINE's prologue (pushes, register moves, the load of the
 *      CPU class from the CPUState) up to the indirect call through that
 *      class, tracking which register holds the CPUState, the type and
 *      from_pc; after the call rax is to_pc and the caller-saved
 *      registers hold nothing known;
 *   3. follows the straight-line code after the call (register moves,
 *      loads, stores to memory, compares) to its first conditional jump
 *      and probes that jump: x86 uprobes emulate a jcc, where a probe on
 *      any other instruction is single-stepped out of line, a second
 *      kernel entry that costs this machine ~10 us per event
 *      (bench/uprobe_floor). If an instruction it does not know comes
 *      first, the probe stays on the instruction right after the call
 *      (rax = to_pc), single-stepped: slower, equally exact;
 *   4. finds cpu_index's offset in the routine's `mov OFF(%cpu),%edi`
 *      that sets up a callback's first argument (followed by an indirect
 *      call), and requires every such load to agree.
 * Anything else is "unexpected shape": the caller refuses to attach rather
 * than read the wrong registers. x86-64 only.
 */
#ifndef DISCON_DISPATCH_SHAPE_H
#define DISCON_DISPATCH_SHAPE_H

#include "attach_event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The dispatchers, in the order of their discon type (1, 2, 4). */
#define DISCON_DISPATCHER_COUNT 3
extern const char *const discon_dispatcher_names[DISCON_DISPATCHER_COUNT];
extern const uint32_t discon_dispatcher_types[DISCON_DISPATCHER_COUNT];

/* Code bytes read from the binary at a virtual address (not retained). */
struct discon_code {
    uint64_t vaddr;
    const uint8_t *bytes;
    size_t len;
};

/* What the decoder found. Addresses are the binary's virtual addresses. */
struct discon_dispatch_shape {
    uint64_t routine;            /* the shared routine all three jump into */
    uint64_t probe;              /* the instruction the uprobe goes on */
    bool probe_emulated;         /* a jcc (emulated), or the instruction after
                                    the call (single-stepped) */
    uint32_t cpu_index_offset;   /* bytes into CPUState */
    /* Registers holding each value at `probe` (never DISCON_REG_NONE). */
    enum discon_attach_reg cpu_reg, type_reg, from_reg, to_reg;
};

/* Why a shape was refused (0: accepted). */
enum discon_shape_error {
    DISCON_SHAPE_OK = 0,
    DISCON_SHAPE_NOT_TAIL_JUMP,     /* a dispatcher is not the 4-instruction tail jump */
    DISCON_SHAPE_WRONG_TYPE,        /* a dispatcher passes another discon type */
    DISCON_SHAPE_ROUTINES_DIFFER,   /* the dispatchers jump to different routines */
    DISCON_SHAPE_TRUNCATED,         /* the code ends before the shape does */
    DISCON_SHAPE_UNKNOWN_INSN,      /* a prologue instruction the decoder does not know */
    DISCON_SHAPE_NO_CALL,           /* no get-PC call in the first 32 instructions */
    DISCON_SHAPE_ARG_LOST,          /* CPUState, type or from_pc in no register at the probe */
    DISCON_SHAPE_NO_CPU_INDEX,      /* no load of cpu_index into a callback's argument */
    DISCON_SHAPE_CPU_INDEX_DIFFERS, /* two loads of cpu_index at different offsets */
    DISCON_SHAPE_BAD_CPU_INDEX,     /* an offset that cannot be cpu_index's */
};

/* Step 1: code[d] is dispatcher d's code (discon_dispatcher_names order);
 * each must be the tail jump above with its own type, all into one
 * routine. Sets *routine. DISCON_SHAPE_OK, or a reason code with a
 * one-line reason (naming the dispatcher) in err. */
enum discon_shape_error discon_decode_dispatchers(const struct discon_code code[DISCON_DISPATCHER_COUNT],
                                                  uint64_t *routine, char *err, size_t errlen);

/* Steps 2 to 4 on the routine's code (at least its first few hundred
 * bytes; the search stops at the next endbr64, the next function). Fills
 * everything but s->routine. DISCON_SHAPE_OK, or a reason code with err. */
enum discon_shape_error discon_decode_routine(const struct discon_code *code,
                                              struct discon_dispatch_shape *s, char *err,
                                              size_t errlen);

#endif
