/* trace2sqlite: x86_64 traps named from stored symbols (see trap_names.h). */
#include "trap_names.h"
#include "trap_kind.h"

#include <stdio.h>

/* The architecture of trace row `trace` (by its target) and, for x86_64
 * only, the symbols stored for it, as they are (already slid). */
static int trace_symbols(struct discon_db *db, int64_t trace, enum discon_arch *arch,
                         struct discon_symbols *syms)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT r.target, s.addr, s.end_addr, s.name FROM traces r"
                                   " LEFT JOIN symbols s USING (trace) WHERE r.trace = ?", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    *arch = DISCON_ARCH_UNKNOWN;
    for (bool first = true; rc == 0 && sqlite3_step(s) == SQLITE_ROW; first = false) {
        if (first)
            *arch = discon_arch_from_target((const char *)sqlite3_column_text(s, 0));
        if (*arch != DISCON_ARCH_X86_64 || sqlite3_column_type(s, 3) == SQLITE_NULL)
            break;
        if (discon_symbols_add(syms, (uint64_t)sqlite3_column_int64(s, 1),
                               (uint64_t)sqlite3_column_int64(s, 2),
                               (const char *)sqlite3_column_text(s, 3)))
            rc = DISCON_DB_E_NOMEM;
    }
    sqlite3_finalize(s);
    discon_symbols_sort(syms);
    return rc;
}

/* temp.trap_names: (type, to_pc) -> kind, origin, interrupt for every
 * handler of the trace's traps and counts. Not for `syscall`/`sysenter`
 * (DISCON_SYSCALL): their kind is their recorded cause, named at load,
 * whatever the entry point's symbol. */
static int name_handlers(struct discon_db *db, int64_t trace, struct discon_trap_namer *namer)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = discon_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS trap_names(type INT, to_pc INT,"
                                " kind INT, origin INT, interrupt INT, PRIMARY KEY(type, to_pc));"
                                " DELETE FROM temp.trap_names");
    if (rc == 0)
        rc = discon_db_prepare(db, "SELECT type, to_pc FROM traps WHERE trace = ?1 AND type != ?2"
                                   " UNION SELECT type, to_pc FROM trap_agg WHERE trace = ?1"
                                   " AND type != ?2", &sel);
    if (rc == 0)
        rc = discon_db_prepare(db, "INSERT INTO temp.trap_names VALUES (?, ?, ?, ?, ?)", &ins);
    if (rc == 0) {
        sqlite3_bind_int64(sel, 1, trace);
        sqlite3_bind_int64(sel, 2, DISCON_SYSCALL);
    }
    while (rc == 0 && sqlite3_step(sel) == SQLITE_ROW) {
        struct discon_trap t = {
            .type = (uint8_t)sqlite3_column_int64(sel, 0),
            .to_pc = (uint64_t)sqlite3_column_int64(sel, 1),
        };
        struct discon_trap_why why;
        discon_trap_why(namer, &t, &why);
        sqlite3_bind_int64(ins, 1, t.type);
        sqlite3_bind_int64(ins, 2, (int64_t)t.to_pc);
        sqlite3_bind_int64(ins, 3, why.kind->id);
        if (why.origin == DISCON_LEVEL_UNKNOWN)
            sqlite3_bind_null(ins, 4);
        else
            sqlite3_bind_int64(ins, 4, why.origin);
        if (why.interrupt < 0)
            sqlite3_bind_null(ins, 5);
        else
            sqlite3_bind_int64(ins, 5, why.interrupt);
        rc = discon_db_step(db, ins);
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}

/* Rows and counts take their handler's names. A count whose kind changes
 * is moved onto the row of its new kind (added to one already there, from
 * an earlier load of the trace), then its old row goes. */
static const char rename_sql[] =
    "UPDATE _discon_events SET bits = (bits & ~" DISCON_DB_STR(DISCON_DB_BITS_TRAP) ")\n"
    "    | ((n.kind + 1) << " DISCON_DB_STR(DISCON_DB_BITS_KIND) ")\n"
    "    | (ifnull(n.origin, 0) << " DISCON_DB_STR(DISCON_DB_BITS_ORIGIN) ")\n"
    "    | (ifnull(n.interrupt + 1, 0) << " DISCON_DB_STR(DISCON_DB_BITS_INTERRUPT) ")\n"
    "  FROM temp.trap_names n\n"
    "  WHERE _discon_events.trace = ?1\n"
    "    AND (_discon_events.bits & " DISCON_DB_STR(DISCON_DB_BITS_TRAP) ")\n"
    "    AND n.type = (_discon_events.bits & " DISCON_DB_STR(DISCON_DB_BITS_TYPE) ")\n"
    "    AND n.to_pc = ifnull((SELECT p.to_pc\n"
    "      FROM _discon_traps p WHERE p.event = _discon_events.rowid),\n"
    "      " DISCON_DB_TO_PC_SQL("_discon_events", "(SELECT to_pc_base FROM traces WHERE trace = ?1)")
    ");\n"
    "INSERT INTO trap_agg SELECT a.trace, a.second, a.vcpu, a.type, a.to_pc, n.kind, a.count\n"
    "  FROM trap_agg a JOIN temp.trap_names n USING (type, to_pc)\n"
    "  WHERE a.trace = ?1 AND a.kind != n.kind\n"
    "  ON CONFLICT DO UPDATE SET count = count + excluded.count;\n"
    "DELETE FROM trap_agg WHERE trace = ?1 AND kind != (SELECT n.kind FROM temp.trap_names n\n"
    "  WHERE n.type = trap_agg.type AND n.to_pc = trap_agg.to_pc);\n";

static int rename_trace(struct discon_db *db, int64_t trace)
{
    enum discon_arch arch;
    struct discon_symbols syms = {0};
    int rc = trace_symbols(db, trace, &arch, &syms);
    if (rc == 0 && arch == DISCON_ARCH_X86_64 && syms.n > 0) {
        struct discon_trap_namer namer;
        discon_trap_namer_init(&namer, discon_arch_name(arch), &syms);
        rc = discon_db_exec(db, "BEGIN");
        if (rc == 0)
            rc = name_handlers(db, trace, &namer);
        if (rc == 0)
            rc = discon_db_exec_trace(db, rename_sql, trace);
        rc = rc ? rc : discon_db_exec(db, "COMMIT");
        if (rc)
            sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    }
    discon_symbols_free(&syms);
    return rc;
}

int trap_names_from_symbols(struct discon_db *db, const int64_t *traces, size_t n, char *err,
                            size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        int rc = rename_trace(db, traces[i]);
        if (rc) {
            discon_db_message(db, rc, err, errlen);
            return -1;
        }
    }
    return 0;
}
