/* trace2sqlite: per-vCPU ranges of stored events (see stored_ranges.h). */
#include "stored_ranges.h"

#include <stdlib.h>

int stored_ranges_add(struct stored_ranges *s, const struct discon_event *e)
{
    if (s->last >= s->n || s->r[s->last].vcpu != e->vcpu) {
        for (s->last = 0; s->last < s->n && s->r[s->last].vcpu != e->vcpu; s->last++)
            ;
        if (s->last == s->n) {
            if (s->n == s->cap) {
                size_t cap = s->cap ? 2 * s->cap : 16;
                struct stored_range *r = realloc(s->r, cap * sizeof *r);
                if (!r)
                    return -1;
                s->r = r;
                s->cap = cap;
            }
            s->r[s->n++] = (struct stored_range){
                .vcpu = e->vcpu, .first_seq = e->seq, .end_seq = e->seq + 1,
                .first_ns = e->time_ns,
            };
        }
    }
    struct stored_range *r = &s->r[s->last];
    r->events++;
    if (e->seq < r->first_seq)
        r->first_seq = e->seq;
    if (e->seq + 1 > r->end_seq)
        r->end_seq = e->seq + 1;
    if (e->time_ns < r->first_ns)
        r->first_ns = e->time_ns;
    return 0;
}

int stored_ranges_save(struct stored_ranges *s, struct discon_db *db, int64_t trace)
{
    if (s->n == 0)
        return 0;
    sqlite3_stmt *st;
    int rc = discon_db_prepare(db, "INSERT INTO _discon_vcpu_events VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                   " ON CONFLICT DO UPDATE SET events = events + excluded.events,"
                                   " first_seq = min(first_seq, excluded.first_seq),"
                                   " end_seq = max(end_seq, excluded.end_seq),"
                                   " first_time_ns = min(first_time_ns, excluded.first_time_ns)",
                               &st);
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        const struct stored_range *r = &s->r[i];
        sqlite3_bind_int64(st, 1, trace);
        sqlite3_bind_int64(st, 2, r->vcpu);
        sqlite3_bind_int64(st, 3, (int64_t)r->events);
        sqlite3_bind_int64(st, 4, (int64_t)r->first_seq);
        sqlite3_bind_int64(st, 5, (int64_t)r->end_seq);
        sqlite3_bind_int64(st, 6, (int64_t)r->first_ns);
        rc = discon_db_step(db, st);
    }
    sqlite3_finalize(st);
    s->n = s->last = 0;
    return rc;
}

void stored_ranges_free(struct stored_ranges *s)
{
    free(s->r);
    *s = (struct stored_ranges){0};
}
