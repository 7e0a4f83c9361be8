/* trace2sqlite: the reader's callbacks that turn a trace's records into
 * rows. One transaction per file: a file is loaded whole or not at all.
 * Rows go through row_batch (events, traps) or trap_agg
 * (--aggregate-only); pending.h, loaded_files.h and progress.h do the
 * rest of their jobs. */
#ifndef T2S_LOADER_H
#define T2S_LOADER_H

#include "aggregate.h"
#include "discon_db.h"
#include "progress.h"
#include "row_batch.h"
#include "tool_args.h"
#include "trace_reader.h"
#include "trap_kind.h"
#include "discon_traps.h"
#include "event_ids.h"
#include "resume_seq.h"
#include "stored_ranges.h"

#include <stdbool.h>
#include <stdint.h>

/* Columns inserted into _discon_events (its rowid and its 13 columns) and
 * _discon_traps (tools/db/schema.c): event_rows.h, trap_rows.c. */
#define EVENT_COLS 15
#define TRAP_COLS 8

struct loader {
    struct discon_db *db; /* not owned */
    struct row_batch event_rows, trap_rows;
    struct trap_agg agg;
    sqlite3_stmt *ins_loss, *ins_unmatched;
    sqlite3_stmt *set_kind; /* a trap's kind onto an inserted row (event_rows.h) */
    bool aggregate;       /* counts only, no raw rows */
    struct discon_window span; /* window of raw rows */
    /* the trace and file being loaded */
    int64_t trace;        /* row of the traces table */
    uint64_t t0;          /* the trace's clock reference, ns */
    bool in_file;
    int file_damaged;     /* files.damaged of this load: DISCON_DB_FILE_* */
    char file_path[4096];
    int64_t file_index;
    /* How far into the file: records in frames that start before
     * resume_from were loaded by an earlier run (loaded_files.h) */
    uint64_t resume_from, frame_off, file_size;
    char kept[96];        /* what this load keeps (files.kept) */
    const char *only_trace; /* --trace ID: files of other traces are skipped; or NULL */
    uint64_t other_files; /* files of other traces skipped */
    int64_t *rederive;    /* trace rows whose traps are derived again at the end */
    size_t nrederive;
    struct discon_trap_deriver deriver;
    bool have_deriver;
    struct discon_trap_namer namer; /* of the trace being loaded */
    struct event_ids ids; /* rowids of the trace's recent and open first events */
    int64_t next_rowid;   /* of the next events row */
    bool has_to_base;     /* the trace's traces.to_pc_base is set: */
    uint64_t to_base;     /* it (event_rows.h) */
    struct discon_event *held; /* per vCPU: an exception waiting to be folded (event_rows.h) */
    const struct discon_event *returning; /* the RETURN being fed, to fold (return_fold.h) */
    bool return_folded;   /* it was */
    uint8_t *has_held;
    uint32_t nheld;
    struct stored_ranges ranges; /* of the events stored from the file being loaded */
    struct resume_seq resume; /* where the trace's stored records end, per vCPU */
    bool seq_disorder;    /* an event stored out of sequence order on its vCPU */
    int64_t *traces_seen; /* trace rows of every header read, once each */
    size_t ntraces_seen;
    struct progress progress;
    uint64_t events;      /* raw events read */
    bool failed;
    char err[512];        /* the first failure, one line */
};

/* Prepare the statements. 0, or -1 with l->err; loader_free either way. */
int loader_init(struct loader *l, struct discon_db *db, bool aggregate,
                struct discon_window span);

/* The callbacks for discon_read_paths, with l as their context. On a
 * failure they stop the read and leave the reason in l->err. */
struct discon_reader_ops loader_ops(struct loader *l);

/* A fresh deriver for trace row `trace` (target, types and plugin options
 * from h, clock reference t0) with l's trap callbacks, nothing restored.
 * 0, or -1 with l->err. */
int loader_start_deriver(struct loader *l, int64_t trace, const Discon__Header *h, uint64_t t0);

/* Commit the file being loaded, if any. 0, or -1 with l->err. */
int loader_end_file(struct loader *l);

/* Record the failure `code` (discon_db_message into l->err, the first
 * one kept) and set l->failed: -1. */
int loader_fail(struct loader *l, int code);

/* Free everything but the database. */
void loader_free(struct loader *l);

#endif
