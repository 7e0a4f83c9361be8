/* The schema of the discon database (documented in the README and in
 * discon_db.h) and the statements that write it. */
#include "discon_db.h"
#include "discon_types.h"
#include "schema.h"

#include <stdio.h>


/* symbol+offset of PC in trace T: the nearest symbol at or below PC (an
 * index lookup), if PC is below its end. Both bounds are compared, so the
 * signed storage of PCs never matches across 2^63. */
#define SYM(T, PC)                                                                  \
    "(SELECT s.name || '+' || printf('0x%x', " PC " - s.addr) FROM symbols s\n"     \
    "   WHERE s.trace = " T " AND " PC " < s.end_addr AND s.addr =\n"               \
    "     (SELECT MAX(addr) FROM symbols WHERE trace = " T " AND addr <= " PC ")\n"  \
    "   LIMIT 1)"

/* Written once, into an empty database, in the transaction that sets the
 * version: plain CREATE (no IF NOT EXISTS), so a table already there means
 * a failed check, never a silently mixed schema. */
static const char tables[] =
    "CREATE TABLE traces(\n"
    "  trace INTEGER PRIMARY KEY,      -- key used by every other table\n"
    "  trace_id TEXT UNIQUE NOT NULL,  -- hex of the header's trace id\n"
    "  target TEXT, system_mode INT, vcpu_count INT, host TEXT, qemu_argv TEXT,\n"
    "  plugin_options TEXT, mode TEXT, ring_capacity INT,\n"
    "  clock_monotonic_ns INT, clock_realtime_ns INT,\n"
    "  trap_rule TEXT,                 -- how traps were derived from events\n"
    "  complete INT DEFAULT 0,         -- end record seen\n"
    "  producer_finished INT,\n"
    "  unrecorded INT);\n"
    "CREATE TABLE files(\n"
    "  trace INT NOT NULL, file_index INT NOT NULL, path TEXT, bytes INT,\n"
    "  damaged INT DEFAULT 0, PRIMARY KEY(trace, file_index));\n"
    "CREATE TABLE vcpus(\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL,\n"
    "  produced INT, dropped INT, written INT,  -- from the end record\n"
    "  PRIMARY KEY(trace, vcpu));\n"
    /* Plain rowid tables: rows are appended, the fastest way into SQLite.
     * Loading is idempotent per file (the files table), not per row. */
    "CREATE TABLE events(      -- raw, as QEMU reported them\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, seq INT NOT NULL, time_ns INT NOT NULL,\n"
    "  type INT NOT NULL, from_pc INT NOT NULL, to_pc INT NOT NULL, cause INT NOT NULL);\n"
    "CREATE TABLE traps(       -- derived: see traces.trap_rule\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, seq INT NOT NULL, time_ns INT NOT NULL,\n"
    "  type INT NOT NULL, from_pc INT NOT NULL, to_pc INT NOT NULL, events INT NOT NULL);\n"
    "CREATE TABLE trap_agg(    -- --aggregate-only: counts, no rows\n"
    "  trace INT NOT NULL, second INT NOT NULL, vcpu INT NOT NULL, type INT NOT NULL,\n"
    "  to_pc INT NOT NULL, count INT NOT NULL,\n"
    "  PRIMARY KEY(trace, second, vcpu, type, to_pc)) WITHOUT ROWID;\n"
    "CREATE TABLE trap_pending( -- x86 exception awaiting its delivery\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, seq INT, time_ns INT, from_pc INT,\n"
    "  PRIMARY KEY(trace, vcpu));\n"
    "CREATE TABLE losses(\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, first_seq INT, count INT,\n"
    "  first_time_ns INT, last_time_ns INT);\n"
    "CREATE TABLE symbols(\n"
    "  trace INT NOT NULL, addr INT NOT NULL, end_addr INT NOT NULL, name TEXT NOT NULL);\n"
    "CREATE TABLE symbol_files( -- trace2sqlite --symbols, in the order given\n"
    "  trace INT NOT NULL, file_index INT NOT NULL, path TEXT,\n"
    "  slide INT NOT NULL,            -- KASLR slide applied to it (0: as it is)\n"
    "  PRIMARY KEY(trace, file_index));\n"
    /* Rows from schema/discon_types.h: see discon_db_write_types(). */
    "CREATE TABLE types(type INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE VIEW trap_counts AS\n"
    "  SELECT trace, type, to_pc, SUM(n) AS count FROM (\n"
    "    SELECT trace, type, to_pc, 1 AS n FROM traps\n"
    "    UNION ALL SELECT trace, type, to_pc, count FROM trap_agg)\n"
    "  GROUP BY trace, type, to_pc;\n"
    "CREATE VIEW trap_counts_hex AS\n"
    "  SELECT c.trace, t.name AS type, printf('0x%016x', c.to_pc) AS handler,\n"
    "    " SYM("c.trace", "c.to_pc") " AS handler_symbol,\n"
    "    c.count FROM trap_counts c JOIN types t USING (type)\n"
    "  ORDER BY c.trace, c.count DESC;\n"
    "CREATE VIEW trap_rate AS\n"
    "  SELECT trace, second, t.name AS type, SUM(n) AS count FROM (\n"
    "    SELECT p.trace, (p.time_ns - r.clock_monotonic_ns) / 1000000000 AS second, p.type, 1 AS n\n"
    "      FROM traps p JOIN traces r USING (trace)\n"
    "    UNION ALL SELECT trace, second, type, count FROM trap_agg)\n"
    "  JOIN types t USING (type) GROUP BY trace, second, type;\n"
    "CREATE VIEW vcpu_summary AS\n"
    "  SELECT v.trace, v.vcpu, v.produced, v.dropped, v.written,\n"
    "    (SELECT SUM(count) FROM trap_counts_by_vcpu c WHERE c.trace = v.trace AND c.vcpu = v.vcpu)\n"
    "      AS traps\n"
    "  FROM vcpus v;\n"
    "CREATE VIEW trap_counts_by_vcpu AS\n"
    "  SELECT trace, vcpu, type, SUM(n) AS count FROM (\n"
    "    SELECT trace, vcpu, type, 1 AS n FROM traps\n"
    "    UNION ALL SELECT trace, vcpu, type, count FROM trap_agg)\n"
    "  GROUP BY trace, vcpu, type;\n"
    "CREATE VIEW events_hex AS\n"
    "  SELECT e.trace, e.vcpu, e.seq, e.time_ns, t.name AS type,\n"
    "    printf('0x%016x', e.from_pc) AS from_pc,\n"
    "    " SYM("e.trace", "e.from_pc") " AS from_symbol,\n"
    "    printf('0x%016x', e.to_pc) AS to_pc,\n"
    "    " SYM("e.trace", "e.to_pc") " AS to_symbol\n"
    "  FROM events e JOIN types t USING (type);\n";

/* Created after the bulk insert: building them once is faster than
 * keeping them up to date row by row. */
static const char indexes[] =
    "CREATE INDEX IF NOT EXISTS symbols_addr ON symbols(trace, addr);\n";

/* --index: lookups by vCPU and sequence number, and by time. */
static const char row_indexes[] =
    "CREATE INDEX IF NOT EXISTS events_key ON events(trace, vcpu, seq);\n"
    "CREATE INDEX IF NOT EXISTS events_time ON events(trace, time_ns);\n"
    "CREATE INDEX IF NOT EXISTS traps_key ON traps(trace, vcpu, seq);\n";

/* The types table, one row per entry of schema/discon_types.h: no type
 * value or name is spelled here. INSERT OR IGNORE: run on every open for
 * writing, it adds the rows of types newer than the database. */
int discon_db_write_types(struct discon_db *db)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "INSERT OR IGNORE INTO types(type, name) VALUES (?, ?)", &s);
    for (int i = 0; rc == 0 && i < DISCON_NTYPES; i++) {
        sqlite3_bind_int64(s, 1, discon_type_at(i));
        sqlite3_bind_text(s, 2, discon_type_name(discon_type_at(i)), -1, SQLITE_STATIC);
        rc = discon_db_step(db, s);
    }
    sqlite3_finalize(s);
    return rc;
}

int discon_db_write_schema(struct discon_db *db)
{
    char version[128];
    snprintf(version, sizeof version, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
             DISCON_DB_APPLICATION_ID, DISCON_DB_SCHEMA_VERSION);
    int rc = discon_db_exec(db, tables);
    return rc ? rc : discon_db_exec(db, version);
}

int discon_db_create_indexes(struct discon_db *db, bool rows)
{
    int rc = discon_db_exec(db, indexes);
    return rc || !rows ? rc : discon_db_exec(db, row_indexes);
}
