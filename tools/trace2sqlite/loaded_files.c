/* trace2sqlite: the files table (see loaded_files.h). */
#include "loaded_files.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* What earlier loads of the trace kept, if not `kept`: into before->kept. */
static int other_kept(struct discon_db *db, int64_t trace, const char *kept,
                      struct loaded_file *before)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT kept FROM files WHERE trace = ? AND kept != ? LIMIT 1",
                               &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_text(s, 2, kept, -1, SQLITE_STATIC);
    bool other = sqlite3_step(s) == SQLITE_ROW;
    if (other)
        snprintf(before->kept, sizeof before->kept, "%s", sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return other ? LOADED_FILE_OTHER_KEPT : 0;
}

static int later_loaded(struct discon_db *db, int64_t trace, int64_t file_index, bool *later)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT 1 FROM files WHERE trace = ? AND file_index > ?"
                                   " LIMIT 1", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_int64(s, 2, file_index);
    *later = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return 0;
}

int loaded_file_begin(struct discon_db *db, int64_t trace, int64_t file_index, const char *path,
                      const char *kept, struct loaded_file *before)
{
    struct stat st;
    *before = (struct loaded_file){.bytes_now = stat(path, &st) == 0 ? st.st_size : 0};
    int rc = other_kept(db, trace, kept, before);
    if (rc == 0)
        rc = later_loaded(db, trace, file_index, &before->later_loaded);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = discon_db_prepare(db, "SELECT bytes, damaged FROM files WHERE trace = ? AND file_index = ?",
                           &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_int64(s, 2, file_index);
    if (sqlite3_step(s) == SQLITE_ROW) {
        before->bytes_then = sqlite3_column_int64(s, 0);
        before->damaged = sqlite3_column_int(s, 1) == DISCON_DB_FILE_DAMAGED;
        sqlite3_finalize(s);
        /* The size now only says whether there may be more: what was
         * loaded is what was read, never what a stat saw. */
        if (before->damaged || before->bytes_now < before->bytes_then)
            return LOADED_FILE_CHANGED;
        return before->bytes_now > before->bytes_then ? LOADED_FILE_GROWN : LOADED_FILE_AGAIN;
    }
    sqlite3_finalize(s);
    rc = discon_db_prepare(db, "INSERT INTO files(trace, file_index, path, bytes, kept)"
                               " VALUES (?, ?, ?, 0, ?)", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_int64(s, 2, file_index);
    sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, kept, -1, SQLITE_STATIC);
    rc = discon_db_step(db, s);
    sqlite3_finalize(s);
    return rc ? rc : LOADED_FILE_NEW;
}

int loaded_file_done(struct discon_db *db, int64_t trace, int64_t file_index, int64_t bytes,
                     int damaged)
{
    /* A load reads on from `bytes` only where nothing was damaged before
     * it (loaded_file_begin): this load's state is the file's, except
     * that damage stays. */
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "UPDATE files SET bytes = ?, damaged = iif(damaged = "
                                   DISCON_DB_STR(DISCON_DB_FILE_DAMAGED) ", damaged, ?)"
                                   " WHERE trace = ? AND file_index = ?", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, bytes);
    sqlite3_bind_int(s, 2, damaged);
    sqlite3_bind_int64(s, 3, trace);
    sqlite3_bind_int64(s, 4, file_index);
    rc = discon_db_step(db, s);
    sqlite3_finalize(s);
    return rc;
}
