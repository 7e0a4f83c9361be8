/* trace2sqlite: each trace file is loaded once, and only as far as it was
 * read. The files table keys a file by (trace, file index) and keeps the
 * bytes read and loaded: the same file given again adds nothing, a file
 * that has grown since (a trace still being written) loads from where the
 * last load stopped, a new file of a trace is appended. What a load kept
 * (every row, counts only, or a --from/--to window) is the same for every
 * file of a trace: a load that would mix two is refused, since the rows of
 * one could not be told from the other's. A file that came before a file
 * of its trace already loaded (given out of order over several runs) is
 * loaded, and the trace's traps are derived again from its events
 * (rederive.h), so the order of the loads changes nothing. */
#ifndef T2S_LOADED_FILES_H
#define T2S_LOADED_FILES_H

#include "discon_db.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    LOADED_FILE_NEW = 0,      /* recorded now: load it */
    LOADED_FILE_AGAIN = 1,    /* loaded before, whole: skip it */
    LOADED_FILE_CHANGED = 2,  /* loaded before while damaged, or smaller now: refuse */
    LOADED_FILE_GROWN = 3,    /* loaded before up to bytes_then, longer now: load the rest */
    LOADED_FILE_OTHER_KEPT = 4, /* the trace was loaded keeping something else: refuse */
};

/* What the files table held for a file or its trace. */
struct loaded_file {
    int64_t bytes_then, bytes_now;
    bool damaged;      /* damage inside it was skipped (DISCON_DB_FILE_DAMAGED) */
    bool later_loaded; /* a file of the trace with a higher index is loaded */
    char kept[96];     /* OTHER_KEPT: what the trace's earlier loads kept */
};

/* Look file (trace row `trace`, file_index, at `path`) up and, if new,
 * record it with 0 bytes loaded and `kept` ("all", "aggregate", "from A to
 * B"). Inside the caller's transaction. Returns a LOADED_FILE_* value with
 * *before filled, or DISCON_DB_E_SQLITE. */
int loaded_file_begin(struct discon_db *db, int64_t trace, int64_t file_index, const char *path,
                      const char *kept, struct loaded_file *before);

/* The file's load ends: `bytes` of it were read and loaded (the end of
 * its last intact frame), and what was skipped (DISCON_DB_FILE_*). 0 or
 * DISCON_DB_E_SQLITE. */
int loaded_file_done(struct discon_db *db, int64_t trace, int64_t file_index, int64_t bytes,
                     int damaged);

#endif
