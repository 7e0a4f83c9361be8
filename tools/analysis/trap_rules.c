/* Fault loops and double traps (trap_rules.h). */
#include "trap_rules.h"

bool discon_fault_loop_feed(struct discon_fault_loop *run, struct discon_trap_namer *n,
                            const struct discon_trap *t, struct discon_fault_loop *ended)
{
    if (t->type == DISCON_INTERRUPT)
        return false; /* asynchronous: the faulting instruction did not move on */
    bool had = run->count > 0;
    if (had)
        *ended = *run;
    if (t->type != DISCON_EXCEPTION) {
        run->count = 0;
        return had;
    }
    struct discon_trap_why why;
    discon_trap_why(n, t, &why);
    if (why.kind->trap_class == DISCON_CLASS_SYSCALL ||
        why.kind->trap_class == DISCON_CLASS_FIRMWARE_CALL) { /* a call, not a fault */
        run->count = 0;
        return had;
    }
    const struct discon_trap *f = &run->first;
    bool same_addr = ((f->has ^ t->has) & DISCON_HAS_FAULT_ADDR) == 0 &&
                     (!(t->has & DISCON_HAS_FAULT_ADDR) || f->fault_addr == t->fault_addr);
    if (had && run->from_pc == t->from_pc && run->to_pc == t->to_pc &&
        run->stream_kind == why.kind->id && same_addr) {
        run->count++;
        run->last_ns = t->time_ns;
        return false;
    }
    *run = (struct discon_fault_loop){.vcpu = t->vcpu, .type = t->type, .from_pc = t->from_pc,
                                      .to_pc = t->to_pc, .count = 1, .first_ns = t->time_ns,
                                      .last_ns = t->time_ns, .first = *t,
                                      .stream_kind = why.kind->id};
    return had;
}

bool discon_double_after(const struct discon_trap *prev, const struct discon_trap *t,
                         uint64_t window, uint64_t time_bound_ns)
{
    bool levels = (prev->has & t->has & DISCON_HAS_TO_LEVEL) != 0;
    return t->type == DISCON_EXCEPTION && prev->type != DISCON_HOSTCALL &&
           prev->to_pc != prev->from_pc && (!levels || prev->to_level == t->to_level) &&
           t->from_pc - prev->to_pc < window && t->time_ns - prev->time_ns <= time_bound_ns;
}

/* A level's privilege, higher for more. */
static int privilege(bool x86, uint8_t level)
{
    return x86 ? 3 - (int)level : (int)level;
}

bool discon_double_nested(bool x86, const struct discon_trap *open, size_t nopen,
                          const struct discon_trap *t, uint64_t window)
{
    if (t->type != DISCON_EXCEPTION)
        return false;
    for (size_t i = 0; i < nopen; i++) {
        const struct discon_trap *o = &open[i];
        /* Without both levels recorded every open handler counts. */
        bool level = !(o->has & t->has & DISCON_HAS_TO_LEVEL) ||
                     privilege(x86, o->to_level) >= privilege(x86, t->to_level);
        if (level && t->from_pc >= o->to_pc && t->from_pc - o->to_pc < window)
            return true;
    }
    return false;
}
