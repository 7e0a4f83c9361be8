/* trace2sqlite: the deriver's callbacks, trap by trap (see
 * trap_callbacks.h). */
#include "trap_callbacks.h"
#include "event_rows.h"
#include "return_fold.h"
#include "trap_rows.h"

bool loader_in_window(const struct loader *l, uint64_t time_ns)
{
    return discon_in_window(l->t0, time_ns, l->span);
}

/* Each trap is named as it is derived: aarch64 and riscv64 from its own
 * cause fields. x86_64 kinds come from the handler's symbol, which is
 * only known after the load (the KASLR slide is found from the traps'
 * counts): the namer has no symbols here and trap_names.h names them
 * again once the trace's symbols are stored. */
int loader_on_trap(void *ctx, const struct discon_trap *t)
{
    struct loader *l = ctx;
    if (!loader_in_window(l, t->time_ns))
        return 0;
    int rc = 0;
    if (l->aggregate) {
        struct discon_trap_why why;
        discon_trap_why(&l->namer, t, &why);
        struct agg_key k = {
            .second = discon_second_from(l->t0, t->time_ns),
            .vcpu = t->vcpu, .type = t->type, .to_pc = t->to_pc, .kind = why.kind->id,
        };
        rc = trap_agg_add(&l->agg, l->trace, &k);
    } else {
        /* Its kind now, while its first event's row is still queued. */
        rc = trap_kind_set(l, t);
        if (rc == 0 && (!(t->pairing & DISCON_TRAP_PAIRED) || t->type == DISCON_HOSTCALL)) {
            rc = trap_row_add(l, t, NULL);
        } else if (rc == 0) { /* a paired trap's row waits for its end */
            const struct event_id *first = trap_first_event(l, t);
            rc = !first ? DISCON_DB_E_SQLITE
                        : event_ids_open(&l->ids, first) ? DISCON_DB_E_NOMEM : 0;
        }
    }
    return rc ? loader_fail(l, rc) : 0;
}

/* A paired trap ended: the RETURN that closed it folded into its first
 * event's row with its pairing (return_fold.h), or its own row. */
int loader_on_trap_end(void *ctx, const struct discon_trap *t)
{
    struct loader *l = ctx;
    if (l->aggregate || !loader_in_window(l, t->time_ns))
        return 0;
    int rc = 0;
    if (!(l->returning && trap_row_pairing_only(l, t) &&
          (l->return_folded = return_fold(l, t, l->returning, &rc))))
        rc = trap_row_add(l, t, NULL);
    event_ids_close(&l->ids, t->vcpu, t->seq);
    return rc ? loader_fail(l, rc) : 0;
}

int loader_on_unmatched(void *ctx, const struct discon_event *e)
{
    struct loader *l = ctx;
    if (!loader_in_window(l, e->time_ns))
        return 0;
    sqlite3_stmt *s = l->ins_unmatched;
    sqlite3_bind_int64(s, 1, l->trace);
    sqlite3_bind_int64(s, 2, e->vcpu);
    sqlite3_bind_int64(s, 3, (int64_t)e->seq);
    sqlite3_bind_int64(s, 4, (int64_t)e->time_ns);
    sqlite3_bind_int64(s, 5, (int64_t)e->from_pc);
    sqlite3_bind_int64(s, 6, (int64_t)e->to_pc);
    int rc = discon_db_step(l->db, s);
    return rc ? loader_fail(l, rc) : 0;
}

/* RETURN r of a paired trace: fed to the deriver first, so the trap it
 * closes can take it into its row (loader_on_trap_end, return_fold.h), then
 * stored if it was not; what was held on its vCPU is stored before. */
int loader_feed_return(struct loader *l, const struct discon_event *r)
{
    bool keep = loader_in_window(l, r->time_ns);
    int rc = event_rows_release(l, r->vcpu);
    if (rc)
        return rc;
    l->returning = keep ? r : NULL;
    l->return_folded = false;
    bool nomem = discon_traps_feed(&l->deriver, r, 1) != 0;
    l->returning = NULL;
    if (l->failed || nomem)
        return l->failed ? DISCON_DB_E_SQLITE : DISCON_DB_E_NOMEM;
    if (l->return_folded || (keep && return_follow(l, r, &rc)))
        return rc;
    return event_rows_add(l, r, keep);
}
