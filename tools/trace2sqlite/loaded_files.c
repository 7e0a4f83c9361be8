/* trace2sqlite: the files table (see loaded_files.h). */
#include "loaded_files.h"

#include <sys/stat.h>

int loaded_file_begin(struct discon_db *db, int64_t trace, int64_t file_index, const char *path,
                      struct loaded_file *before)
{
    struct stat st;
    int64_t bytes = stat(path, &st) == 0 ? st.st_size : 0;
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT bytes, damaged FROM files WHERE trace = ? AND file_index = ?",
                               &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_int64(s, 2, file_index);
    if (sqlite3_step(s) == SQLITE_ROW) {
        before->bytes_then = sqlite3_column_int64(s, 0);
        before->bytes_now = bytes;
        before->damaged = sqlite3_column_int(s, 1) != 0;
        sqlite3_finalize(s);
        return before->bytes_then != bytes || before->damaged ? LOADED_FILE_CHANGED
                                                               : LOADED_FILE_AGAIN;
    }
    sqlite3_finalize(s);
    rc = discon_db_prepare(db, "INSERT INTO files(trace, file_index, path, bytes) VALUES (?, ?, ?, ?)",
                           &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_int64(s, 2, file_index);
    sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, bytes);
    rc = discon_db_step(db, s);
    sqlite3_finalize(s);
    return rc ? rc : LOADED_FILE_NEW;
}

int loaded_file_damaged(struct discon_db *db, int64_t trace, const char *path)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "UPDATE files SET damaged = 1 WHERE trace = ? AND path = ?", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
    rc = discon_db_step(db, s);
    sqlite3_finalize(s);
    return rc;
}
