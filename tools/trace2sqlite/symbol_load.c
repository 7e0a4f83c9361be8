/* trace2sqlite --symbols (see symbol_load.h). */
#include "symbol_load.h"
#include "discon_types.h"

#include <stdio.h>

/* KASLR: the slide that makes a frequent exception handler a known entry. */
static int find_kaslr_offset(struct discon_db *db, int64_t trace, const struct discon_symbols *syms,
                             int64_t *offset, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT r.target, c.to_pc FROM trap_counts c JOIN traces r"
                                   " USING (trace) WHERE trace = ? AND type = ?"
                                   " ORDER BY count DESC LIMIT ?", &s);
    if (rc) {
        discon_db_message(db, rc, err, errlen);
        return -1;
    }
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_int64(s, 2, DISCON_EXCEPTION);
    sqlite3_bind_int(s, 3, DISCON_KASLR_HANDLERS);
    uint64_t handlers[DISCON_KASLR_HANDLERS];
    size_t n = 0;
    char target[32] = "";
    while (n < DISCON_KASLR_HANDLERS && sqlite3_step(s) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(target, sizeof target, "%s", t ? (const char *)t : "");
        handlers[n++] = (uint64_t)sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (discon_kaslr_find(syms, target, handlers, n, offset) == 0)
        return 0;
    snprintf(err, errlen, "cannot find the KASLR offset: no known handler symbol "
             "matches the trace; give --kaslr-offset");
    return -1;
}

/* The symbols of one trace, already slid, in one transaction (left open
 * on failure: the caller ends, and closing rolls it back). */
static int store_trace(struct discon_db *db, int64_t trace, const struct discon_symbols *syms)
{
    sqlite3_stmt *del = NULL, *ins = NULL;
    int rc = discon_db_exec(db, "BEGIN");
    if (rc == 0)
        rc = discon_db_prepare(db, "DELETE FROM symbols WHERE trace = ?", &del);
    if (rc == 0) {
        sqlite3_bind_int64(del, 1, trace);
        rc = discon_db_step(db, del);
    }
    if (rc == 0)
        rc = discon_db_prepare(db, "INSERT INTO symbols VALUES (?, ?, ?, ?)", &ins);
    for (size_t i = 0; rc == 0 && i < syms->n; i++) {
        sqlite3_bind_int64(ins, 1, trace);
        sqlite3_bind_int64(ins, 2, (int64_t)syms->sym[i].addr);
        sqlite3_bind_int64(ins, 3, (int64_t)syms->sym[i].end);
        sqlite3_bind_text(ins, 4, syms->sym[i].name, -1, SQLITE_STATIC);
        rc = discon_db_step(db, ins);
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return rc ? rc : discon_db_exec(db, "COMMIT");
}

int symbols_store(struct discon_db *db, struct discon_symbols *syms,
                  const struct discon_kaslr_option *kaslr, const int64_t *traces, size_t n,
                  char *err, size_t errlen)
{
    for (size_t t = 0; t < n; t++) {
        int64_t offset = kaslr->given && !kaslr->automatic ? kaslr->offset : 0;
        if (kaslr->automatic && find_kaslr_offset(db, traces[t], syms, &offset, err, errlen))
            return -1;
        discon_symbols_relocate(syms, offset);
        int db_rc = store_trace(db, traces[t], syms);
        discon_symbols_relocate(syms, -offset);
        if (db_rc) {
            discon_db_message(db, db_rc, err, errlen);
            return -1;
        }
        if (offset)
            fprintf(stderr, "trace2sqlite: trace %lld: symbols moved by KASLR offset 0x%llx\n",
                    (long long)traces[t], (unsigned long long)offset);
    }
    return 0;
}
