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
 *      class: the probe goes on the next instruction, where rax is to_pc,
 *      and the prologue says which callee-saved registers then hold the
 *      CPUState, the type and from_pc;
 *   3. finds cpu_index's offset in the routine's `mov OFF(%cpu),%edi`
 *      that sets up a callback's first argument (followed by an indirect
 *      call), and requires every such load to agree.
 * Anything else is "unexpected shape": the caller refuses to attach rather
 * than read the wrong registers. x86-64 only.
 */
#ifndef DISCON_DISPATCH_SHAPE_H
#define DISCON_DISPATCH_SHAPE_H

#include "attach_event.h"

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
    uint64_t probe;              /* the instruction after the get-PC call */
    uint32_t cpu_index_offset;   /* bytes into CPUState */
    enum discon_attach_reg cpu_reg, type_reg, from_reg; /* held at `probe` */
};

/* Step 1 for one dispatcher: its code must be the tail jump above with
 * `type`. Sets *routine. 0, or -1 with a one-line reason in err. */
int discon_decode_dispatcher(const struct discon_code *code, uint32_t type, uint64_t *routine,
                             char *err, size_t errlen);

/* Steps 2 and 3 on the routine's code (at least its first few hundred
 * bytes; the search stops at the next endbr64, the next function). Fills
 * everything but s->routine. 0, or -1 with a one-line reason in err. */
int discon_decode_routine(const struct discon_code *code, struct discon_dispatch_shape *s,
                          char *err, size_t errlen);

#endif
