/* discon-report: a database's raw events read in rowid order (no sort),
 * for a trace whose traces.seq_order says rowid order is sequence order on
 * each vCPU. input_db.c reads everything else of a database. */
#ifndef DISCON_REPORT_INPUT_DB_STORED_H
#define DISCON_REPORT_INPUT_DB_STORED_H

#include "discon_db.h"
#include "report.h"

#include <stddef.h>
#include <stdint.h>

struct db_input {
    struct discon_db db;
    struct report *r;
    int64_t trace; /* its row */
    char *err;
    size_t errlen;
    bool seq_order;       /* traces.seq_order: rowid order is sequence order */
    uint64_t *next_seq;   /* per vCPU below REPORT_MAX_VCPUS, the sequence number its
                             next event or loss has when none is missing (UINT64_MAX:
                             none seen); malloc'ed at the first, report_read_db frees */
};

/* A loss record held until the events of its vCPU reach it. */
struct db_loss {
    uint32_t vcpu;
    uint64_t first_seq, count, first_ns, last_ns;
};

/* Code's message (discon_db_message) into in->err: -1. */
int db_fail(struct db_input *in, int code);

/* The message for an event row discon_db_row_events refused with `bad`
 * (-1: type `type` is no event type; -2: a packed field no loader
 * writes) into in->err: -1. */
int db_bad_row(struct db_input *in, int bad, int64_t type);

/* Events ev[0..n) (each vCPU's in sequence order) into the report, whose
 * pairing is broken on a vCPU where its sequence numbers jump (events
 * missing: a file not loaded, damage), as reading the files breaks it at
 * their gaps (schema/trace_paths.c). 0, or -1 with in->err. */
int db_report_events(struct db_input *in, const struct discon_event *ev, size_t n);
/* Loss l into the report, in its place in its vCPU's sequence the same
 * way. 0, or -1 with in->err. */
int db_report_loss(struct db_input *in, const struct db_loss *l);

/* Every raw event of in's trace into the report, each vCPU's in sequence
 * order with its losses l[0..n) (sorted by vCPU and first_seq) where its
 * events pass them, and each folded RETURN at its place; *raw counts the
 * events. 0, or -1 with in->err. */
int db_feed_stored(struct db_input *in, const struct db_loss *l, size_t n, uint64_t *raw);

#endif
