#include "db_schema.h"

/* symbol+offset of PC in trace T: the nearest symbol at or below PC (an
 * index lookup), if PC is below its end. Both bounds are compared, so the
 * signed storage of PCs never matches across 2^63. */
#define SYM(T, PC)                                                                  \
    "(SELECT s.name || '+' || printf('0x%x', " PC " - s.addr) FROM symbols s\n"     \
    "   WHERE s.trace = " T " AND " PC " < s.end_addr AND s.addr =\n"               \
    "     (SELECT MAX(addr) FROM symbols WHERE trace = " T " AND addr <= " PC ")\n"  \
    "   LIMIT 1)"

const char discon_db_tables[] =
    "CREATE TABLE IF NOT EXISTS traces(\n"
    "  trace INTEGER PRIMARY KEY,      -- key used by every other table\n"
    "  trace_id TEXT UNIQUE NOT NULL,  -- hex of the header's trace id\n"
    "  target TEXT, system_mode INT, vcpu_count INT, host TEXT, qemu_argv TEXT,\n"
    "  plugin_options TEXT, mode TEXT, ring_capacity INT,\n"
    "  clock_monotonic_ns INT, clock_realtime_ns INT,\n"
    "  trap_rule TEXT,                 -- how traps were derived from events\n"
    "  complete INT DEFAULT 0,         -- end record seen\n"
    "  producer_finished INT,\n"
    "  unrecorded INT);\n"
    "CREATE TABLE IF NOT EXISTS files(\n"
    "  trace INT NOT NULL, file_index INT NOT NULL, path TEXT, bytes INT,\n"
    "  damaged INT DEFAULT 0, PRIMARY KEY(trace, file_index));\n"
    "CREATE TABLE IF NOT EXISTS vcpus(\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL,\n"
    "  produced INT, dropped INT, written INT,  -- from the end record\n"
    "  PRIMARY KEY(trace, vcpu));\n"
    /* Plain rowid tables: rows are appended, the fastest way into SQLite.
     * Loading is idempotent per file (the files table), not per row. */
    "CREATE TABLE IF NOT EXISTS events(      -- raw, as QEMU reported them\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, seq INT NOT NULL, time_ns INT NOT NULL,\n"
    "  type INT NOT NULL, from_pc INT NOT NULL, to_pc INT NOT NULL, cause INT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS traps(       -- derived: see traces.trap_rule\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, seq INT NOT NULL, time_ns INT NOT NULL,\n"
    "  type INT NOT NULL, from_pc INT NOT NULL, to_pc INT NOT NULL, events INT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS trap_agg(    -- --aggregate-only: counts, no rows\n"
    "  trace INT NOT NULL, second INT NOT NULL, vcpu INT NOT NULL, type INT NOT NULL,\n"
    "  to_pc INT NOT NULL, count INT NOT NULL,\n"
    "  PRIMARY KEY(trace, second, vcpu, type, to_pc)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS trap_pending( -- x86 exception awaiting its delivery\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, seq INT, time_ns INT, from_pc INT,\n"
    "  PRIMARY KEY(trace, vcpu));\n"
    "CREATE TABLE IF NOT EXISTS losses(\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, first_seq INT, count INT,\n"
    "  first_time_ns INT, last_time_ns INT);\n"
    "CREATE TABLE IF NOT EXISTS symbols(\n"
    "  trace INT NOT NULL, addr INT NOT NULL, end_addr INT NOT NULL, name TEXT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS types(type INTEGER PRIMARY KEY, name TEXT);\n"
    "INSERT OR IGNORE INTO types VALUES (1, 'interrupt'), (2, 'exception'), (4, 'hostcall');\n"
    "CREATE VIEW IF NOT EXISTS trap_counts AS\n"
    "  SELECT trace, type, to_pc, SUM(n) AS count FROM (\n"
    "    SELECT trace, type, to_pc, 1 AS n FROM traps\n"
    "    UNION ALL SELECT trace, type, to_pc, count FROM trap_agg)\n"
    "  GROUP BY trace, type, to_pc;\n"
    "CREATE VIEW IF NOT EXISTS trap_counts_hex AS\n"
    "  SELECT c.trace, t.name AS type, printf('0x%016x', c.to_pc) AS handler,\n"
    "    " SYM("c.trace", "c.to_pc") " AS handler_symbol,\n"
    "    c.count FROM trap_counts c JOIN types t USING (type)\n"
    "  ORDER BY c.trace, c.count DESC;\n"
    "CREATE VIEW IF NOT EXISTS trap_rate AS\n"
    "  SELECT trace, second, t.name AS type, SUM(n) AS count FROM (\n"
    "    SELECT p.trace, (p.time_ns - r.clock_monotonic_ns) / 1000000000 AS second, p.type, 1 AS n\n"
    "      FROM traps p JOIN traces r USING (trace)\n"
    "    UNION ALL SELECT trace, second, type, count FROM trap_agg)\n"
    "  JOIN types t USING (type) GROUP BY trace, second, type;\n"
    "CREATE VIEW IF NOT EXISTS vcpu_summary AS\n"
    "  SELECT v.trace, v.vcpu, v.produced, v.dropped, v.written,\n"
    "    (SELECT SUM(count) FROM trap_counts_by_vcpu c WHERE c.trace = v.trace AND c.vcpu = v.vcpu)\n"
    "      AS traps\n"
    "  FROM vcpus v;\n"
    "CREATE VIEW IF NOT EXISTS trap_counts_by_vcpu AS\n"
    "  SELECT trace, vcpu, type, SUM(n) AS count FROM (\n"
    "    SELECT trace, vcpu, type, 1 AS n FROM traps\n"
    "    UNION ALL SELECT trace, vcpu, type, count FROM trap_agg)\n"
    "  GROUP BY trace, vcpu, type;\n"
    "CREATE VIEW IF NOT EXISTS events_hex AS\n"
    "  SELECT e.trace, e.vcpu, e.seq, e.time_ns, t.name AS type,\n"
    "    printf('0x%016x', e.from_pc) AS from_pc,\n"
    "    " SYM("e.trace", "e.from_pc") " AS from_symbol,\n"
    "    printf('0x%016x', e.to_pc) AS to_pc,\n"
    "    " SYM("e.trace", "e.to_pc") " AS to_symbol\n"
    "  FROM events e JOIN types t USING (type);\n";

/* Created after the bulk insert: building them once is faster than
 * keeping them up to date row by row. */
const char discon_db_indexes[] =
    "CREATE INDEX IF NOT EXISTS symbols_addr ON symbols(trace, addr);\n";

/* --index: lookups by vCPU and sequence number, and by time. */
const char discon_db_row_indexes[] =
    "CREATE INDEX IF NOT EXISTS events_key ON events(trace, vcpu, seq);\n"
    "CREATE INDEX IF NOT EXISTS events_time ON events(trace, time_ns);\n"
    "CREATE INDEX IF NOT EXISTS traps_key ON traps(trace, vcpu, seq);\n";
