/* The database module (tools/db): which files it accepts, the codes it
 * refuses the rest with, that a refused file is left byte for byte as it
 * was, and that the lookup tables (types, kinds, classes, levels,
 * syscall_names) hold exactly libdiscon-trace's rows. */
#define _GNU_SOURCE
#include "check.h"
#include "discon_db.h"
#include "discon_kinds.h"
#include "discon_types.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/discon-test-db.XXXXXX";
static char path[512];

static const char *at(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* The whole file, malloc'd (NULL if unreadable); *len its size. */
static char *slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (size_t n; (buf = realloc(buf, cap += 65536)) && (n = fread(buf + *len, 1, cap - *len, f));)
        *len += n;
    fclose(f);
    return buf;
}

/* Another program's SQLite database, made with plain SQLite calls. */
static void make_sqlite(const char *p, const char *sql)
{
    sqlite3 *db;
    CHECK(sqlite3_open(p, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

static void write_bytes(const char *p, const char *bytes, size_t n)
{
    FILE *f = fopen(p, "wb");
    CHECK(f && fwrite(bytes, 1, n, f) == n);
    if (f)
        fclose(f);
}

/* Both opens refuse p with `code`, and leave it byte-identical. */
static void refused(const char *p, int code)
{
    size_t n0 = 0, n1 = 0;
    char *before = slurp(p, &n0);
    struct discon_db db;
    CHECK_EQ(discon_db_open_write(&db, p), code);
    CHECK(db.sql == NULL);
    CHECK(discon_db_strerror(code)[0] != '\0');
    CHECK_EQ(discon_db_open_read(&db, p), code);
    CHECK(db.sql == NULL);
    char *after = slurp(p, &n1);
    CHECK(before && after && n0 == n1 && memcmp(before, after, n0) == 0);
    free(before);
    free(after);
}

static void types_table_is_discon_types(struct discon_db *db)
{
    sqlite3_stmt *s;
    CHECK_EQ(discon_db_prepare(db, "SELECT type, name FROM types ORDER BY type", &s), 0);
    int i = 0;
    while (s && sqlite3_step(s) == SQLITE_ROW) {
        CHECK(i < DISCON_NTYPES);
        CHECK_EQ(sqlite3_column_int64(s, 0), discon_type_at(i));
        CHECK(strcmp((const char *)sqlite3_column_text(s, 1), discon_type_name(discon_type_at(i))) == 0);
        i++;
    }
    CHECK_EQ(i, DISCON_NTYPES);
    sqlite3_finalize(s);
}

/* One row of a lookup table: the text of column `col`, or NULL. */
static const char *text_or_null(sqlite3_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s, col);
}

static bool same(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* kinds: every kind of the library once, with its id, arch, name, class. */
static void kinds_table_is_the_library(struct discon_db *db)
{
    sqlite3_stmt *s;
    CHECK_EQ(discon_db_prepare(db, "SELECT kind, arch, name, class FROM kinds", &s), 0);
    size_t rows = 0;
    while (s && sqlite3_step(s) == SQLITE_ROW) {
        const struct discon_kind *k = discon_kind_by_id((unsigned)sqlite3_column_int64(s, 0));
        CHECK(k != NULL);
        if (!k)
            continue;
        CHECK(same(text_or_null(s, 1),
                   k->arch == DISCON_ARCH_UNKNOWN ? NULL : discon_arch_name(k->arch)));
        CHECK(same(text_or_null(s, 2), k->name));
        CHECK_EQ(sqlite3_column_int64(s, 3), (int64_t)k->trap_class);
        rows++;
    }
    CHECK_EQ(rows, discon_kind_count());
    sqlite3_finalize(s);
}

/* classes and levels: one row per value below the library's count. */
static void names_table_is_the_library(struct discon_db *db, const char *sql, int count,
                                       const char *(*name)(int))
{
    sqlite3_stmt *s;
    CHECK_EQ(discon_db_prepare(db, sql, &s), 0);
    int i = 0;
    while (s && sqlite3_step(s) == SQLITE_ROW) {
        CHECK_EQ(sqlite3_column_int64(s, 0), i);
        CHECK(same(text_or_null(s, 1), name(i)));
        i++;
    }
    CHECK_EQ(i, count);
    sqlite3_finalize(s);
}
static const char *class_name(int i) { return discon_trap_class_name((enum discon_trap_class)i); }
static const char *level_name(int i) { return discon_level_name((enum discon_level)i); }

/* syscall_names: for every architecture, every number up to 2^16 that the
 * library names is a row with that name, and no other row exists. */
static void syscall_names_are_the_library(struct discon_db *db)
{
    sqlite3_stmt *s;
    CHECK_EQ(discon_db_prepare(db, "SELECT name FROM syscall_names WHERE arch = ? AND nr = ?", &s),
             0);
    int64_t named = 0;
    for (int a = DISCON_ARCH_AARCH64; s && a < DISCON_ARCH_COUNT; a++) {
        int64_t per_arch = 0;
        for (uint64_t nr = 0; nr < 65536; nr++) {
            const char *want = discon_syscall_name((enum discon_arch)a, nr);
            sqlite3_bind_text(s, 1, discon_arch_name((enum discon_arch)a), -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 2, (int64_t)nr);
            const char *got = sqlite3_step(s) == SQLITE_ROW ? text_or_null(s, 0) : NULL;
            CHECK(same(got, want));
            per_arch += want != NULL;
            sqlite3_reset(s);
        }
        CHECK(per_arch >= 200); /* a real table, not an empty one */
        named += per_arch;
    }
    sqlite3_finalize(s);
    CHECK_EQ(discon_db_prepare(db, "SELECT COUNT(*) FROM syscall_names", &s), 0);
    CHECK(s && sqlite3_step(s) == SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int64(s, 0), named);
    sqlite3_finalize(s);
    /* Spot checks against the Linux UAPI headers: arm64 and riscv share
     * the generic table (getppid 173), x86_64 has its own (getppid 110). */
    CHECK(same(discon_syscall_name(DISCON_ARCH_AARCH64, 173), "getppid"));
    CHECK(same(discon_syscall_name(DISCON_ARCH_X86_64, 110), "getppid"));
}

static void lookup_tables_are_the_library(struct discon_db *db)
{
    types_table_is_discon_types(db);
    kinds_table_is_the_library(db);
    names_table_is_the_library(db, "SELECT class, name FROM classes ORDER BY class",
                               DISCON_CLASS_COUNT, class_name);
    names_table_is_the_library(db, "SELECT level, name FROM levels ORDER BY level",
                               DISCON_LEVEL_COUNT, level_name);
    syscall_names_are_the_library(db);
}

/* A stand-in for the aggregate the batch query calls. */
static void no_step(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
    (void)ctx, (void)argc, (void)v;
}

static void no_final(sqlite3_context *ctx)
{
    sqlite3_result_null(ctx);
}

static void new_then_append(void)
{
    struct discon_db db;
    CHECK_EQ(discon_db_open_write(&db, at("new.db")), DISCON_DB_OK);
    CHECK(db.created);
    CHECK_EQ(DISCON_DB_SCHEMA_VERSION, 7);
    /* Every kind id fits in its field of _discon_events.bits. */
    for (size_t i = 0; discon_kind_at(i); i++)
        CHECK(discon_kind_at(i)->id <= DISCON_DB_BITS_KIND_MAX);
    lookup_tables_are_the_library(&db);
    /* Rows a database lacks (an older library's) are added on open. */
    CHECK_EQ(discon_db_exec(&db, "DELETE FROM kinds WHERE rowid IN (SELECT rowid FROM kinds LIMIT 3);"
                                 " DELETE FROM syscall_names WHERE nr > 100"), 0);
    discon_db_close(&db);
    CHECK_EQ(discon_db_open_write(&db, at("new.db")), DISCON_DB_OK);
    CHECK(!db.created);
    lookup_tables_are_the_library(&db); /* completed, not doubled */
    discon_db_close(&db);

    CHECK_EQ(discon_db_open_read(&db, at("new.db")), DISCON_DB_OK);
    sqlite3_stmt *s;
    CHECK_EQ(discon_db_prepare(&db, "SELECT (SELECT application_id FROM pragma_application_id),"
                                    " (SELECT user_version FROM pragma_user_version)", &s), 0);
    CHECK(s && sqlite3_step(s) == SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int64(s, 0), DISCON_DB_APPLICATION_ID);
    CHECK_EQ(sqlite3_column_int64(s, 1), DISCON_DB_SCHEMA_VERSION);
    sqlite3_finalize(s);
    /* Every read query prepares against the schema; no other query does.
     * The batch query needs its function (tools/db/event_batches.c): one
     * of that shape stands in, so the query's columns are checked here. */
    CHECK_EQ(discon_db_query(&db, DISCON_DB_Q_EVENTS_RANGE, &s), DISCON_DB_E_SQLITE);
    CHECK_EQ(sqlite3_create_function(db.sql, "discon_batch_rows", DISCON_DB_ROW_COUNT,
                                     SQLITE_UTF8, NULL, NULL, no_step, no_final), SQLITE_OK);
    for (int q = DISCON_DB_Q_TRACE; q <= DISCON_DB_Q_SYMBOL_FILES; q++) {
        CHECK_EQ(discon_db_query(&db, (enum discon_db_query)q, &s), 0);
        CHECK(s != NULL);
        sqlite3_finalize(s);
    }
    CHECK_EQ(discon_db_query(&db, (enum discon_db_query)(DISCON_DB_Q_SYMBOL_FILES + 1), &s),
             DISCON_DB_E_SQLITE);
    CHECK(s == NULL);
    /* Read-only: writing fails with a code, not a crash. */
    CHECK_EQ(discon_db_exec(&db, "DELETE FROM types"), DISCON_DB_E_SQLITE);
    discon_db_close(&db);
    discon_db_close(&db); /* twice is harmless */
}

static void refusals(void)
{
    make_sqlite(at("foreign.db"), "CREATE TABLE notes(x); INSERT INTO notes VALUES ('mine')");
    refused(at("foreign.db"), DISCON_DB_E_FOREIGN);
    make_sqlite(at("wal.db"), "PRAGMA journal_mode = WAL; CREATE TABLE notes(x)");
    refused(at("wal.db"), DISCON_DB_E_FOREIGN);
    make_sqlite(at("app.db"), "PRAGMA application_id = 1234; CREATE TABLE traces(x)");
    refused(at("app.db"), DISCON_DB_E_FOREIGN);
    make_sqlite(at("appempty.db"), "PRAGMA application_id = 1234");
    refused(at("appempty.db"), DISCON_DB_E_FOREIGN);

    /* A discon database of the next version, and one from before versions. */
    struct discon_db db;
    CHECK_EQ(discon_db_open_write(&db, at("next.db")), DISCON_DB_OK);
    char q[64];
    snprintf(q, sizeof q, "PRAGMA user_version = %d", DISCON_DB_SCHEMA_VERSION + 1);
    CHECK_EQ(discon_db_exec(&db, q), 0);
    discon_db_close(&db);
    refused(at("next.db"), DISCON_DB_E_VERSION);
    CHECK_EQ(discon_db_open_read(&db, at("next.db")), DISCON_DB_E_VERSION);
    CHECK_EQ(db.found_version, DISCON_DB_SCHEMA_VERSION + 1);
    CHECK_EQ(discon_db_open_write(&db, at("old.db")), DISCON_DB_OK);
    CHECK_EQ(discon_db_exec(&db, "PRAGMA application_id = 0; PRAGMA user_version = 0"), 0);
    discon_db_close(&db);
    refused(at("old.db"), DISCON_DB_E_VERSION);
    /* Version 1 (before the cause columns): refused in one line that
     * names both versions. */
    CHECK_EQ(discon_db_open_write(&db, at("v1.db")), DISCON_DB_OK);
    CHECK_EQ(discon_db_exec(&db, "PRAGMA user_version = 1"), 0);
    discon_db_close(&db);
    refused(at("v1.db"), DISCON_DB_E_VERSION);
    CHECK_EQ(discon_db_open_read(&db, at("v1.db")), DISCON_DB_E_VERSION);
    CHECK_EQ(db.found_version, 1);
    char line[512];
    discon_db_message(&db, DISCON_DB_E_VERSION, line, sizeof line);
    CHECK(strstr(line, "version 1, this program's is 7") != NULL);
    CHECK(strchr(line, '\n') == NULL);
    /* Version 2 (before returns were paired): refused too. */
    CHECK_EQ(discon_db_open_write(&db, at("v2.db")), DISCON_DB_OK);
    CHECK_EQ(discon_db_exec(&db, "PRAGMA user_version = 2"), 0);
    discon_db_close(&db);
    refused(at("v2.db"), DISCON_DB_E_VERSION);
    CHECK_EQ(discon_db_open_read(&db, at("v2.db")), DISCON_DB_E_VERSION);
    CHECK_EQ(db.found_version, 2);
    /* Version 3 (traps stored whole, handler/source names): refused too. */
    CHECK_EQ(discon_db_open_write(&db, at("v3.db")), DISCON_DB_OK);
    CHECK_EQ(discon_db_exec(&db, "PRAGMA user_version = 3"), 0);
    discon_db_close(&db);
    refused(at("v3.db"), DISCON_DB_E_VERSION);
    CHECK_EQ(discon_db_open_read(&db, at("v3.db")), DISCON_DB_E_VERSION);
    CHECK_EQ(db.found_version, 3);
    /* Version 4 (either of the two lines of work merged into 5): refused. */
    CHECK_EQ(discon_db_open_write(&db, at("v4.db")), DISCON_DB_OK);
    CHECK_EQ(discon_db_exec(&db, "PRAGMA user_version = 4"), 0);
    discon_db_close(&db);
    refused(at("v4.db"), DISCON_DB_E_VERSION);
    CHECK_EQ(discon_db_open_read(&db, at("v4.db")), DISCON_DB_E_VERSION);
    CHECK_EQ(db.found_version, 4);
    /* Version 5 (events stored one row each, traps in a table of their own): refused. */
    CHECK_EQ(discon_db_open_write(&db, at("v5.db")), DISCON_DB_OK);
    CHECK_EQ(discon_db_exec(&db, "PRAGMA user_version = 5"), 0);
    discon_db_close(&db);
    refused(at("v5.db"), DISCON_DB_E_VERSION);
    CHECK_EQ(discon_db_open_read(&db, at("v5.db")), DISCON_DB_E_VERSION);
    CHECK_EQ(db.found_version, 5);

    static const char junk[] = "not a database, just text\n";
    write_bytes(at("junk"), junk, sizeof junk - 1);
    refused(at("junk"), DISCON_DB_E_NOT_SQLITE);
    char fake[4096];
    memset(fake, 0x5a, sizeof fake);
    memcpy(fake, "SQLite format 3", 16);
    write_bytes(at("fake.db"), fake, sizeof fake);
    struct discon_db f;
    int rc = discon_db_open_read(&f, at("fake.db"));
    CHECK(rc == DISCON_DB_E_NOT_SQLITE || rc == DISCON_DB_E_SQLITE);
    refused(at("fake.db"), rc);
    CHECK(discon_db_looks_like(at("fake.db")));
    CHECK(!discon_db_looks_like(at("junk")));
}

static void edges(void)
{
    struct discon_db db;
    /* An empty file is an empty database: created for writing... */
    write_bytes(at("empty.db"), "", 0);
    CHECK_EQ(discon_db_open_read(&db, at("empty.db")), DISCON_DB_E_FOREIGN);
    CHECK_EQ(discon_db_open_write(&db, at("empty.db")), DISCON_DB_OK);
    CHECK(db.created);
    discon_db_close(&db);
    CHECK_EQ(discon_db_open_read(&db, at("empty.db")), DISCON_DB_OK);
    discon_db_close(&db);
    /* ...a file that is not there cannot be read, a directory is not a file. */
    CHECK_EQ(discon_db_open_read(&db, at("missing.db")), DISCON_DB_E_OPEN);
    CHECK(access(at("missing.db"), F_OK) != 0);
    CHECK(discon_db_open_write(&db, dir) < 0);
    CHECK(db.sql == NULL);
    /* Devices and FIFOs are refused before SQLite can block on or misread them. */
    CHECK_EQ(discon_db_open_write(&db, "/dev/null"), DISCON_DB_E_OPEN);
    CHECK(mkfifo(at("fifo"), 0600) == 0);
    CHECK_EQ(discon_db_open_write(&db, at("fifo")), DISCON_DB_E_OPEN);
    CHECK_EQ(discon_db_open_read(&db, at("fifo")), DISCON_DB_E_OPEN);
    char msg[512];
    CHECK(discon_db_message(&db, DISCON_DB_E_OPEN, msg, sizeof msg)[0] != '\0');
    CHECK(strchr(msg, '\n') == NULL);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    new_then_append();
    refusals();
    edges();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    CHECK_DONE();
}
