/* Opening a discon database: telling it from anything else before a byte
 * is written, creating it when it is new. */
#include "discon_db.h"
#include "schema.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Tables every discon database has had, version 0 included: how a
 * database made before the header carried an id is recognised (traps is
 * a view since version 4). */
static const char *const core_tables = "'traces', 'files', 'events', 'traps', 'trap_agg'";
enum { NCORE_TABLES = 5 };

/* What SQLite said about the last failure. A file that is not SQLite at
 * all only shows on its first read, as SQLITE_NOTADB. */
static int sql_error(struct discon_db *db)
{
    snprintf(db->detail, sizeof db->detail, "%s", sqlite3_errmsg(db->sql));
    return (sqlite3_errcode(db->sql) & 0xff) == SQLITE_NOTADB ? DISCON_DB_E_NOT_SQLITE
                                                              : DISCON_DB_E_SQLITE;
}

int discon_db_exec(struct discon_db *db, const char *sql)
{
    return sqlite3_exec(db->sql, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : sql_error(db);
}

int discon_db_exec_trace(struct discon_db *db, const char *sql, int64_t trace)
{
    int rc = 0;
    for (const char *next = sql; rc == 0 && *next;) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db->sql, next, -1, &s, &next) != SQLITE_OK)
            return sql_error(db);
        if (!s) /* trailing white space */
            break;
        sqlite3_bind_int64(s, 1, trace);
        rc = discon_db_step(db, s);
        sqlite3_finalize(s);
    }
    return rc;
}

int discon_db_prepare(struct discon_db *db, const char *sql, sqlite3_stmt **out)
{
    *out = NULL;
    if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) == SQLITE_OK)
        return 0;
    sqlite3_finalize(*out);
    *out = NULL;
    return sql_error(db);
}

int discon_db_step(struct discon_db *db, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sql_error(db);
}

/* A connection that never checkpoints on close: closing a refused WAL
 * database must not copy its log into it. */
static int connect(struct discon_db *db, const char *path, int flags)
{
    memset(db, 0, sizeof *db);
    db->path = path;
    if (sqlite3_open_v2(path, &db->sql, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(db->detail, sizeof db->detail, "%s",
                 db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
        sqlite3_close(db->sql);
        db->sql = NULL;
        return DISCON_DB_E_OPEN;
    }
    sqlite3_db_config(db->sql, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_extended_result_codes(db->sql, 1);
    return 0;
}

/*
 * Read the header's id and version and the catalogue: 0 for a discon
 * database of this version (*empty false) or an empty SQLite database
 * (*empty true), else the refusal. Reads only.
 */
static int classify(struct discon_db *db, bool *empty)
{
    char q[512];
    snprintf(q, sizeof q,
             "SELECT (SELECT application_id FROM pragma_application_id),"
             " (SELECT user_version FROM pragma_user_version),"
             " (SELECT COUNT(*) FROM sqlite_master),"
             " (SELECT COUNT(*) FROM sqlite_master WHERE type IN ('table', 'view')"
             " AND name IN (%s))",
             core_tables);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db->sql, q, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
        int rc = sql_error(db);
        sqlite3_finalize(s);
        return rc;
    }
    int64_t app = sqlite3_column_int64(s, 0), version = sqlite3_column_int64(s, 1);
    int64_t objects = sqlite3_column_int64(s, 2), core = sqlite3_column_int64(s, 3);
    sqlite3_finalize(s);
    *empty = app == 0 && version == 0 && objects == 0;
    if (*empty || (app == DISCON_DB_APPLICATION_ID && version == DISCON_DB_SCHEMA_VERSION))
        return 0;
    if (app == DISCON_DB_APPLICATION_ID || (app == 0 && version == 0 && core == NCORE_TABLES)) {
        db->found_version = (int)version;
        snprintf(db->detail, sizeof db->detail, "version %lld, this program's is %d "
                 "(load the trace into a new database)",
                 (long long)version, DISCON_DB_SCHEMA_VERSION);
        return DISCON_DB_E_VERSION;
    }
    snprintf(db->detail, sizeof db->detail, "application_id 0x%llx, %lld schema objects",
             (unsigned long long)(uint32_t)app, (long long)objects);
    return DISCON_DB_E_FOREIGN;
}

void discon_db_close(struct discon_db *db)
{
    sqlite3_close(db->sql);
    db->sql = NULL;
}

static int refuse(struct discon_db *db, int rc)
{
    discon_db_close(db); /* keeps path, detail and found_version */
    return rc;
}

/* A database accepted as ours: closing may checkpoint its log and remove
 * the -wal and -shm files again, as SQLite does by default. */
static void accept(struct discon_db *db)
{
    sqlite3_db_config(db->sql, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
}

/* A refusal before any connection: db holds only path and why. */
static int refuse_unopened(struct discon_db *db, const char *path, const char *why)
{
    memset(db, 0, sizeof *db);
    db->path = path;
    snprintf(db->detail, sizeof db->detail, "%s", why);
    return DISCON_DB_E_OPEN;
}

/* A regular file (or a link to one) or nothing: never a device, FIFO or
 * directory, which SQLite would block on or misread. */
static int regular_or_missing(struct discon_db *db, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
        return 0;
    return refuse_unopened(db, path, "not a regular file");
}

/*
 * "file:PATH?immutable=1", PATH percent-encoded but for its slashes and
 * unreserved characters (a '?', '#' or '%' in a name would otherwise end
 * or change it). An absolute PATH follows an empty authority, so that
 * "//x" cannot be read as a host. 0, or -1 when it does not fit.
 */
static int immutable_uri(char *uri, size_t len, const char *path)
{
    size_t n = (size_t)snprintf(uri, len, "file:%s", path[0] == '/' ? "//" : "");
    for (const unsigned char *p = (const unsigned char *)path; *p && n + 4 < len; p++) {
        if (isalnum(*p) || strchr("/-._~", *p))
            uri[n++] = (char)*p;
        else
            n += (size_t)snprintf(uri + n, len - n, "%%%02X", *p);
    }
    if (n + sizeof "?immutable=1" > len)
        return -1;
    memcpy(uri + n, "?immutable=1", sizeof "?immutable=1");
    return 0;
}

/*
 * The judge: a connection that reads `path` and nothing else, and its
 * classification. Why immutable=1: SQLite then treats the file like a
 * temporary one (pager.c, act_like_temp_file) - no locks, no hot-journal
 * rollback, and for a WAL-mode file it neither opens nor creates the -wal
 * and -shm files; a read-only connection in WAL mode creates both, and
 * NO_CKPT_ON_CLOSE does not remove them. (mode=ro&nolock=1 is no help: a
 * WAL file cannot be opened without shared memory, CANTOPEN.) The price:
 * transactions still in a -wal are not seen, so the judge sees the file as
 * of its last checkpoint. That is enough to tell whose file it is and of
 * which version, since the header is written when a database is created;
 * an accepted file is opened again normally and judged once more.
 */
static int judge(struct discon_db *db, const char *path, bool *empty)
{
    char uri[3 * 4096 + 32];
    int rc = regular_or_missing(db, path);
    if (rc == 0 && immutable_uri(uri, sizeof uri, path) != 0)
        rc = refuse_unopened(db, path, "path too long");
    if (rc == 0)
        rc = connect(db, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    db->path = path;
    if (rc == 0)
        rc = classify(db, empty);
    discon_db_close(db);
    return rc;
}

int discon_db_open_read(struct discon_db *db, const char *path)
{
    bool empty = false;
    int rc = judge(db, path, &empty);
    if (rc == 0 && empty) {
        snprintf(db->detail, sizeof db->detail, "an empty database");
        rc = DISCON_DB_E_FOREIGN;
    }
    /* Accepted: now read it as SQLite normally does, its log included,
     * and check again what that view says. */
    if (rc == 0)
        rc = connect(db, path, SQLITE_OPEN_READONLY);
    if (rc == 0)
        rc = classify(db, &empty);
    if (rc == 0 && empty)
        rc = DISCON_DB_E_FOREIGN;
    if (rc)
        return refuse(db, rc);
    accept(db);
    return 0;
}

/* Under a write lock, so two loaders starting on one new file do not both
 * create it: check again, then write the schema if it is still empty. */
static int create_if_empty(struct discon_db *db)
{
    bool empty = false;
    int rc = discon_db_exec(db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    rc = classify(db, &empty);
    if (rc == 0 && empty)
        rc = discon_db_write_schema(db);
    if (rc) {
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    db->created = empty;
    return discon_db_exec(db, "COMMIT");
}

int discon_db_open_write(struct discon_db *db, const char *path)
{
    /* An existing file is first judged through a read-only connection:
     * a read-write one could roll back another program's hot journal. */
    if (access(path, F_OK) == 0) {
        bool empty = false;
        int rc = judge(db, path, &empty);
        if (rc)
            return rc;
    }
    int rc = connect(db, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (rc == 0)
        rc = create_if_empty(db);
    if (rc == 0)
        rc = discon_db_write_lookup_tables(db);
    /* Bulk loading: see discon_db.h. Set outside any transaction. */
    if (rc == 0)
        rc = discon_db_exec(db, db->created ? "PRAGMA journal_mode = MEMORY" : "PRAGMA journal_mode = WAL");
    if (rc == 0)
        rc = discon_db_exec(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
                                " PRAGMA temp_store = MEMORY");
    if (rc)
        return refuse(db, rc);
    accept(db);
    return 0;
}

bool discon_db_looks_like(const char *path)
{
    char magic[16] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return n == sizeof magic && memcmp(magic, "SQLite format 3", sizeof magic) == 0;
}

const char *discon_db_strerror(int code)
{
    switch (code) {
    case DISCON_DB_OK: return "no error";
    case DISCON_DB_E_OPEN: return "cannot open";
    case DISCON_DB_E_NOT_SQLITE: return "not an SQLite database";
    case DISCON_DB_E_FOREIGN: return "not a discon database (made by another program)";
    case DISCON_DB_E_VERSION: return "a discon database of another schema version";
    case DISCON_DB_E_SQLITE: return "SQLite failed";
    case DISCON_DB_E_NOMEM: return "out of memory";
    default: return "unknown error";
    }
}

const char *discon_db_message(const struct discon_db *db, int code, char *buf, size_t len)
{
    snprintf(buf, len, "%s: %s%s%s", db->path ? db->path : "database", discon_db_strerror(code),
             db->detail[0] ? ": " : "", db->detail);
    return buf;
}
