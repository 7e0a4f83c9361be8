/* trace2sqlite --symbols (see symbol_load.h). */
#include "symbol_load.h"
#include "discon_types.h"

#include <stdio.h>

/* The trace's target and its most frequent exception handlers (what the
 * KASLR slide and the trampoline names are found from). */
static int trace_handlers(struct discon_db *db, int64_t trace, char *target, size_t tlen,
                          uint64_t *handlers, size_t *n)
{
    sqlite3_stmt *s;
    int step = SQLITE_DONE;
    int rc = discon_db_prepare(db, "SELECT r.target, c.to_pc FROM traces r LEFT JOIN trap_counts c"
                                   " ON c.trace = r.trace AND c.type = ? WHERE r.trace = ?"
                                   " ORDER BY c.count DESC LIMIT ?", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, DISCON_EXCEPTION);
    sqlite3_bind_int64(s, 2, trace);
    sqlite3_bind_int(s, 3, DISCON_KASLR_HANDLERS);
    *n = 0;
    target[0] = '\0';
    while (*n < DISCON_KASLR_HANDLERS && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(target, tlen, "%s", t ? (const char *)t : "");
        if (sqlite3_column_type(s, 1) != SQLITE_NULL)
            handlers[(*n)++] = (uint64_t)sqlite3_column_int64(s, 1);
    }
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : DISCON_DB_E_SQLITE;
    if (rc)
        snprintf(db->detail, sizeof db->detail, "%s", sqlite3_errmsg(db->sql));
    sqlite3_finalize(s);
    return rc;
}

static int delete_rows(struct discon_db *db, const char *sql, int64_t trace)
{
    sqlite3_stmt *del = NULL;
    int rc = discon_db_prepare(db, sql, &del);
    if (rc == 0) {
        sqlite3_bind_int64(del, 1, trace);
        rc = discon_db_step(db, del);
    }
    sqlite3_finalize(del);
    return rc;
}

/* Which file was slid by how much (0: taken as it is). */
static int store_files(struct discon_db *db, int64_t trace, const struct discon_symbol_files *f,
                       const struct discon_symbol_placement *p)
{
    sqlite3_stmt *ins = NULL;
    int rc = delete_rows(db, "DELETE FROM symbol_files WHERE trace = ?", trace);
    if (rc == 0)
        rc = discon_db_prepare(db, "INSERT INTO symbol_files VALUES (?, ?, ?, ?)", &ins);
    for (size_t i = 0; rc == 0 && i < f->n; i++) {
        sqlite3_bind_int64(ins, 1, trace);
        sqlite3_bind_int64(ins, 2, (int64_t)i);
        sqlite3_bind_text(ins, 3, f->path[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 4, p->slid[i] ? p->slide : 0);
        rc = discon_db_step(db, ins);
    }
    sqlite3_finalize(ins);
    return rc;
}

/* The symbols of one trace, in one transaction (left open on failure:
 * the caller ends, and closing rolls it back). */
static int store_trace(struct discon_db *db, int64_t trace, const struct discon_symbols *syms,
                       const struct discon_symbol_files *f, const struct discon_symbol_placement *p)
{
    sqlite3_stmt *ins = NULL;
    int rc = discon_db_exec(db, "BEGIN");
    if (rc == 0)
        rc = delete_rows(db, "DELETE FROM symbols WHERE trace = ?", trace);
    if (rc == 0)
        rc = store_files(db, trace, f, p);
    if (rc == 0)
        rc = discon_db_prepare(db, "INSERT INTO symbols VALUES (?, ?, ?, ?)", &ins);
    for (size_t i = 0; rc == 0 && i < syms->n; i++) {
        sqlite3_bind_int64(ins, 1, trace);
        sqlite3_bind_int64(ins, 2, (int64_t)syms->sym[i].addr);
        sqlite3_bind_int64(ins, 3, (int64_t)syms->sym[i].end);
        sqlite3_bind_text(ins, 4, syms->sym[i].name, -1, SQLITE_STATIC);
        rc = discon_db_step(db, ins);
    }
    sqlite3_finalize(ins);
    return rc ? rc : discon_db_exec(db, "COMMIT");
}

/* One line: the slide, and whether auto found it. */
static void say_slide(int64_t trace, const struct discon_kaslr_option *kaslr,
                      const struct discon_symbol_placement *p)
{
    const char *how = kaslr->given && !kaslr->automatic ? "given"
                      : p->found ? "found from the trace's handlers"
                      : "auto: no kernel anchor symbol matches, symbols taken as they are";
    fprintf(stderr, "trace2sqlite: trace %lld: KASLR slide 0x%llx (%s)\n", (long long)trace,
            (unsigned long long)p->slide, how);
}

int symbols_store(struct discon_db *db, const struct discon_symbol_files *files,
                  const struct discon_kaslr_option *kaslr, const int64_t *traces, size_t n,
                  char *err, size_t errlen)
{
    for (size_t t = 0; t < n; t++) {
        char target[32];
        uint64_t handlers[DISCON_KASLR_HANDLERS];
        size_t nh;
        int rc = trace_handlers(db, traces[t], target, sizeof target, handlers, &nh);
        if (rc) {
            discon_db_message(db, rc, err, errlen);
            return -1;
        }
        struct discon_symbols syms;
        struct discon_symbol_placement placed;
        if (discon_symbols_for_trace(&syms, files, target, kaslr, handlers, nh, &placed)) {
            snprintf(err, errlen, "out of memory building the symbol table");
            return -1;
        }
        rc = store_trace(db, traces[t], &syms, files, &placed);
        discon_symbols_free(&syms);
        if (rc) {
            discon_db_message(db, rc, err, errlen);
            return -1;
        }
        say_slide(traces[t], kaslr, &placed);
    }
    return 0;
}
