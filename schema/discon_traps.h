/*
 * From raw events to traps, and traps paired with their returns: the one
 * place that knows how QEMU reports a trap on each architecture and how a
 * return closes one. A trace keeps exactly what QEMU said; every analysis
 * counts traps. Part of libdiscon-trace (node DISCON_TRACE_2.1).
 *
 * Derivation rules, by the trace header's target:
 *  - x86_64, i386: QEMU reports each exception twice: first an EXCEPTION
 *    with to_pc == from_pc (the handler is not known yet), then, for the
 *    delivery, an INTERRUPT on the same vCPU whose to_pc is the handler.
 *    Such a pair, with consecutive sequence numbers, is one exception trap
 *    from the delivery's from_pc to the handler. (The first report's PC is
 *    not always the faulting instruction: in a Debian boot about 40% of
 *    page faults name the start of the translation block instead, while
 *    the delivery names the instruction itself.) An EXCEPTION with
 *    to_pc == from_pc that is not followed by its delivery (the trace ends,
 *    or events were lost) stays a trap of its own with the handler unknown
 *    (to_pc == from_pc).
 *  - every other target, and unknown ones: one event is one trap.
 *  - under every rule: a SYSCALL event (x86_64 syscall/sysenter) is one
 *    trap; a RETURN event is never a trap.
 *
 * Pairing (discon_traps_pair; only for traces that recorded returns, see
 * discon_trace_has_returns): per vCPU a stack of open traps. A trap is
 * pushed when taken; a RETURN closes the innermost open trap. A trap's
 * depth is its nesting level, 1 + the number of traps open when it was
 * taken (1: none open; a fault in a system call's handler is at depth 2),
 * and its parent the innermost of them. What cannot be known is said, not guessed:
 *  - a RETURN with nothing open is an unmatched return (recording started
 *    inside a handler, or the trap was among lost events);
 *  - a loss of events on a vCPU ends every trap open on it as LOST (their
 *    returns may be among the lost events) and empties its stack: depths
 *    count from the loss, as they count from the start of recording;
 *  - traps open when the trace ends end as AT_END;
 *  - a host call is handled by QEMU, not by a guest handler: it never
 *    opens (depth and parent are set, it is never on the stack);
 *  - x86: an IRET that continues at the very next instruction (to_pc 1 to
 *    3 bytes after from_pc: CF, 48 CF, 66 CF) returns from no trap. It is
 *    the serializing IRET-to-self of Linux's sync_core() (about 140,000
 *    in a Debian x86_64 boot, kernel to kernel); closing the innermost
 *    open trap with it would end a page fault or a system call early. It
 *    is counted (returns_to_self), never paired;
 *  - a stack deeper than DISCON_TRAPS_MAX_DEPTH forgets its outermost
 *    trap, ended as TOO_DEEP (memory stays bounded on hostile input).
 * Memory grows with vCPUs and nesting depth, never with events.
 */
#ifndef DISCON_TRAPS_H
#define DISCON_TRAPS_H

#include "discon.pb-c.h"
#include "event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISCON_TRAPS_MAX_DEPTH 4096u

/* How an open trap ended (struct discon_trap.end). */
enum discon_trap_end {
    DISCON_TRAP_OPEN = 0,   /* not ended (yet), or not paired */
    DISCON_TRAP_RETURNED,   /* a RETURN closed it: return_* are set */
    DISCON_TRAP_AT_END,     /* still open when the trace ended */
    DISCON_TRAP_LOST,       /* events of its vCPU were lost while it was open */
    DISCON_TRAP_TOO_DEEP,   /* forgotten: the stack outgrew DISCON_TRAPS_MAX_DEPTH */
};

/* Bits of struct discon_trap.pairing. */
enum {
    DISCON_TRAP_PAIRED = 1,     /* depth and the end are meaningful */
    DISCON_TRAP_HAS_PARENT = 2, /* parent_seq names the enclosing open trap (same vCPU) */
};

struct discon_trap {
    uint32_t vcpu;
    uint8_t type;     /* enum discon_type (discon_types.h) */
    uint8_t events;   /* raw events it was derived from: 1 or 2 */
    uint64_t seq;     /* sequence number of its first event */
    uint64_t time_ns; /* time of its first event */
    uint64_t from_pc;
    uint64_t to_pc;   /* the handler */
    /* Why: the cause fields of the event that carries them (x86_64: the
     * EXCEPTION report, where the plugin read cr2), as struct discon_event
     * defines them; only those named in `has` (enum discon_has) are set. */
    uint64_t cause, fault_addr, syscall;
    uint8_t to_level, from_level, has;
    /* Pairing: 0 when the trace is not paired. */
    uint8_t pairing;  /* DISCON_TRAP_PAIRED | DISCON_TRAP_HAS_PARENT */
    uint8_t end;      /* enum discon_trap_end */
    uint32_t depth;   /* nesting level: 1 + the traps open when it was taken */
    uint64_t parent_seq;
    /* The RETURN that closed it (end == DISCON_TRAP_RETURNED): its time,
     * sequence number, the return instruction and where it went. */
    uint64_t return_ns, return_seq, return_pc, return_to_pc;
};

/* A trap (at entry, or at its end), or an unmatched RETURN event. The
 * pointer is valid during the call only. Non-zero stops the deriver and
 * is passed back by the call that fed it. */
typedef int (*discon_trap_fn)(void *ctx, const struct discon_trap *t);
typedef int (*discon_return_fn)(void *ctx, const struct discon_event *ret);

enum discon_trap_rule {
    DISCON_RULE_ONE_EVENT_ONE_TRAP,
    DISCON_RULE_X86_EXCEPTION_PAIRS,
};

/* Per vCPU pairing state: its open traps, outermost first. */
struct discon_trap_stack {
    struct discon_trap *open;
    uint32_t n, cap;
};

/* Plain data; fields are private to traps.c and trap_pairing.c. */
struct discon_trap_deriver {
    enum discon_trap_rule rule;
    discon_trap_fn emit;
    void *ctx;
    struct discon_event *pending; /* per vCPU: an x86 exception awaiting delivery */
    uint8_t *has_pending;
    uint32_t nvcpus;
    /* pairing (discon_traps_pair) */
    bool paired;
    discon_trap_fn ended;
    discon_return_fn unmatched;
    struct discon_trap_stack *stacks;
    uint32_t nstacks;
    uint64_t returns_to_self; /* x86 IRETs to the next instruction: closed nothing */
};

/* The rule for a target name (the trace header's `target`). */
enum discon_trap_rule discon_trap_rule_for(const char *target);
const char *discon_trap_rule_name(enum discon_trap_rule rule);

/* Whether `first` then `next` (the next event of its vCPU) are one trap
 * under `rule`: an x86 EXCEPTION with to_pc == from_pc and its delivery,
 * the INTERRUPT with the next sequence number (see above). The one test
 * of it: discon_traps_feed pairs by it, a store that keeps such a pair in
 * one row (trace2sqlite) folds by it, so the two never disagree. */
bool discon_traps_is_pair(enum discon_trap_rule rule, const struct discon_event *first,
                          const struct discon_event *next);

/* Whether the trace of header h recorded returns, so its traps can be
 * paired: the header's mask of recorded types has RETURN and its plugin
 * options do not say returns=off. A trace from before returns existed
 * (or recorded with returns=off) is never paired: its RETURN events, if a
 * hand-made file has any, are then ignored, never guessed into pairs. */
bool discon_trace_has_returns(const Discon__Header *h);

/* The name of an end ("returned", "open at the end", ...); static. NULL
 * for a value not in enum discon_trap_end. */
const char *discon_trap_end_name(unsigned end);

/* emit is called once per trap, when it is taken, in sequence order per
 * vCPU. With pairing, its depth and parent are set and, during the call,
 * discon_traps_open gives its chain (the trap itself is not on it yet). */
void discon_traps_init(struct discon_trap_deriver *d, enum discon_trap_rule rule,
                       discon_trap_fn emit, void *ctx);
/* Turn pairing on (before the first feed). ended (may be NULL) is called
 * once per trap that was open, with `end` and, for a returned trap, the
 * return_* fields set; while it runs the trap is still the innermost of
 * discon_traps_open. unmatched (may be NULL) gets each RETURN event with
 * nothing open. Both share init's ctx. */
void discon_traps_pair(struct discon_trap_deriver *d, discon_trap_fn ended,
                       discon_return_fn unmatched);
/* Events of one vCPU, in sequence order (a reader's batch). Returns the
 * first non-zero value of a callback, or -1 if out of memory. */
int discon_traps_feed(struct discon_trap_deriver *d, const struct discon_event *ev, size_t n);
/* Events of `vcpu` were lost: a pending exception will get no delivery,
 * and its open traps end as LOST. */
int discon_traps_break(struct discon_trap_deriver *d, uint32_t vcpu);
/* End of the trace: emit what is pending, end open traps as AT_END. */
int discon_traps_finish(struct discon_trap_deriver *d);
/* The open traps of vcpu, outermost first, and their number in *n; NULL
 * with *n = 0 if none. Owned by d: valid until its next call. */
const struct discon_trap *discon_traps_open(const struct discon_trap_deriver *d, uint32_t vcpu,
                                            size_t *n);
/* Put t back on its vCPU's stack without calling anything: a loader
 * continuing a trace it saved the open traps of (t->pairing must have
 * DISCON_TRAP_PAIRED). 0, or -1 if out of memory or the vCPU is absurd. */
int discon_traps_reopen(struct discon_trap_deriver *d, const struct discon_trap *t);
void discon_traps_free(struct discon_trap_deriver *d);

#endif
