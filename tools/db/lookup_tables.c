/* The rows of the lookup tables of the discon database (their tables are
 * in schema.c), every one from libdiscon-trace: no value or name is
 * spelled here. */
#include "discon_db.h"
#include "discon_kinds.h"
#include "discon_traps.h"
#include "discon_types.h"
#include "schema.h"

/* What a lookup table's row function did with row i. */
enum row { ROW_END, ROW_SKIP, ROW_BOUND };

/* Rows of one lookup table through the INSERT `sql`: row(i, s) binds row i
 * (or skips it) until it says ROW_END. */
static int fill(struct discon_db *db, const char *sql, enum row (*row)(size_t i, sqlite3_stmt *s))
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, sql, &s);
    enum row r;
    for (size_t i = 0; rc == 0 && (r = row(i, s)) != ROW_END; i++)
        if (r == ROW_BOUND)
            rc = discon_db_step(db, s);
    sqlite3_finalize(s);
    return rc;
}

static enum row type_row(size_t i, sqlite3_stmt *s)
{
    if (i >= DISCON_NTYPES)
        return ROW_END;
    sqlite3_bind_int64(s, 1, discon_type_at((int)i));
    sqlite3_bind_text(s, 2, discon_type_name(discon_type_at((int)i)), -1, SQLITE_STATIC);
    return ROW_BOUND;
}

static enum row kind_row(size_t i, sqlite3_stmt *s)
{
    const struct discon_kind *k = discon_kind_at(i);
    if (!k)
        return ROW_END;
    sqlite3_bind_int64(s, 1, k->id);
    if (k->arch == DISCON_ARCH_UNKNOWN)
        sqlite3_bind_null(s, 2);
    else
        sqlite3_bind_text(s, 2, discon_arch_name(k->arch), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, k->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, k->trap_class);
    return ROW_BOUND;
}

static enum row class_row(size_t i, sqlite3_stmt *s)
{
    if (i >= DISCON_CLASS_COUNT)
        return ROW_END;
    sqlite3_bind_int64(s, 1, (int64_t)i);
    sqlite3_bind_text(s, 2, discon_trap_class_name((enum discon_trap_class)i), -1, SQLITE_STATIC);
    return ROW_BOUND;
}

static enum row level_row(size_t i, sqlite3_stmt *s)
{
    if (i >= DISCON_LEVEL_COUNT)
        return ROW_END;
    sqlite3_bind_int64(s, 1, (int64_t)i);
    sqlite3_bind_text(s, 2, discon_level_name((enum discon_level)i), -1, SQLITE_STATIC);
    return ROW_BOUND;
}

static enum row end_row(size_t i, sqlite3_stmt *s)
{
    const char *name = discon_trap_end_name((unsigned)i);
    if (!name)
        return ROW_END;
    sqlite3_bind_int64(s, 1, (int64_t)i);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    return ROW_BOUND;
}

/* schema/gen_syscalls.py refuses numbers above 4095, so every number a
 * table has is below this; tests/test_db.c checks none is missed. */
#define SYSCALL_NR_LIMIT 4096

/* Row i: architecture i / SYSCALL_NR_LIMIT + 1, number i % the limit;
 * the numbers a table does not have are skipped. */
static enum row syscall_row(size_t i, sqlite3_stmt *s)
{
    enum discon_arch arch = (enum discon_arch)(i / SYSCALL_NR_LIMIT + 1);
    uint64_t nr = i % SYSCALL_NR_LIMIT;
    if (arch >= DISCON_ARCH_COUNT)
        return ROW_END;
    const char *name = discon_syscall_name(arch, nr);
    if (!name)
        return ROW_SKIP;
    sqlite3_bind_text(s, 1, discon_arch_name(arch), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (int64_t)nr);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    return ROW_BOUND;
}

/* The lookup tables, every row from libdiscon-trace (discon_types.h,
 * discon_kinds.h): no value or name is spelled here. INSERT OR IGNORE: run
 * on every open for writing, it adds the rows of a library newer than the
 * database. One transaction: a few thousand rows. */
int discon_db_write_lookup_tables(struct discon_db *db)
{
    int rc = discon_db_exec(db, "BEGIN");
    if (rc == 0)
        rc = fill(db, "INSERT OR IGNORE INTO types(type, name) VALUES (?, ?)", type_row);
    if (rc == 0)
        rc = fill(db, "INSERT OR IGNORE INTO kinds(kind, arch, name, class) VALUES (?, ?, ?, ?)",
                  kind_row);
    if (rc == 0)
        rc = fill(db, "INSERT OR IGNORE INTO classes(class, name) VALUES (?, ?)", class_row);
    if (rc == 0)
        rc = fill(db, "INSERT OR IGNORE INTO levels(level, name) VALUES (?, ?)", level_row);
    if (rc == 0)
        rc = fill(db, "INSERT OR IGNORE INTO trap_ends(ended, name) VALUES (?, ?)", end_row);
    if (rc == 0)
        rc = fill(db, "INSERT OR IGNORE INTO syscall_names(arch, nr, name) VALUES (?, ?, ?)",
                  syscall_row);
    if (rc == 0)
        return discon_db_exec(db, "COMMIT");
    sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
