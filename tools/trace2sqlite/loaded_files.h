/* trace2sqlite: each trace file is loaded once. The files table keys a
 * file by (trace, file index): the same file given again adds nothing, a
 * new file of a trace is appended. A file loaded while damaged or still
 * being written cannot be loaded again: its rows cannot be told apart from
 * the rest (reloading would duplicate them, skipping would lose what it
 * gained), so the loader refuses it. */
#ifndef T2S_LOADED_FILES_H
#define T2S_LOADED_FILES_H

#include "discon_db.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    LOADED_FILE_NEW = 0,     /* recorded now: load it */
    LOADED_FILE_AGAIN = 1,   /* loaded before, unchanged and intact: skip it */
    LOADED_FILE_CHANGED = 2, /* loaded before while damaged or smaller: refuse */
};

/* What the files table held for a file loaded before. */
struct loaded_file {
    int64_t bytes_then, bytes_now;
    bool damaged;
};

/* Look file (trace row `trace`, file_index) up and, if new, record it with
 * `path` and its size now. Inside the caller's transaction. Returns a
 * LOADED_FILE_* value (then *before tells the earlier load for AGAIN and
 * CHANGED), or DISCON_DB_E_SQLITE. */
int loaded_file_begin(struct discon_db *db, int64_t trace, int64_t file_index, const char *path,
                      struct loaded_file *before);

/* Mark the file of trace row `trace` loaded from `path` damaged. 0 or
 * DISCON_DB_E_SQLITE. */
int loaded_file_damaged(struct discon_db *db, int64_t trace, const char *path);

#endif
