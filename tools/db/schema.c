/* The schema of the discon database (documented in the README and in
 * discon_db.h) and the statements that write it. */
#include "discon_db.h"
#include "discon_kinds.h"
#include "discon_traps.h"
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

/* The packed fields of an event row E (DISCON_DB_BITS_* of discon_db.h)
 * as the views give them: the type; the kind id (-1: the row starts no
 * trap, which no kind matches); origin and levels NULL where stored 0;
 * to_pc, stored as DISCON_DB_BITS_TO_MODE says (R: the trace's row). */
#define BITS(E, SHIFT, MASK) "(" E ".bits >> " DISCON_DB_STR(SHIFT) " & " #MASK ")"
#define TYPE_OF(E) "(" E ".bits & " DISCON_DB_STR(DISCON_DB_BITS_TYPE) ")"
#define KIND_OF(E) "(" BITS(E, DISCON_DB_BITS_KIND, 1023) " - 1)"
#define ORIGIN_OF(E) "nullif(" BITS(E, DISCON_DB_BITS_ORIGIN, 7) ", 0)"
#define LEVEL_OF(E, SHIFT, WIDE)                                                    \
    "iif(" BITS(E, SHIFT, 7) " = " DISCON_DB_STR(DISCON_DB_LEVEL_WIDE) ", "         \
    BITS(E, WIDE, 255) ", nullif(" BITS(E, SHIFT, 7) ", 0) - 1)"
#define TO_LEVEL_OF(E) LEVEL_OF(E, DISCON_DB_BITS_TO_LEVEL, DISCON_DB_BITS_WIDE_TO)
#define FROM_LEVEL_OF(E) LEVEL_OF(E, DISCON_DB_BITS_FROM_LEVEL, DISCON_DB_BITS_WIDE_FROM)
#define INTERRUPT_OF(E)                                                                \
    "iif(" BITS(E, DISCON_DB_BITS_INTERRUPT, 511) " = " DISCON_DB_STR(DISCON_DB_INTERRUPT_CAUSE) \
    ", " E ".cause & 9223372036854775807, nullif(" BITS(E, DISCON_DB_BITS_INTERRUPT, 511) ", 0) - 1)"
#define PAIR_HAS(E) "(" E ".bits >> " DISCON_DB_STR(DISCON_DB_BITS_PAIR_HAS) ")"
#define TO_PC_OF(E) DISCON_DB_TO_PC_SQL(E, "r.to_pc_base")
/* The folded RETURN of row E (DISCON_DB_RET_*; NULL where it has none):
 * its seq, its to_pc's distance from the row's from_pc (zigzag), a level. */
#define RET(E, SHIFT, MASK) "(" E ".ret_pack >> " DISCON_DB_STR(SHIFT) " & " #MASK ")"
#define RET_SEQ(E) "(" E ".seq + " RET(E, DISCON_DB_RET_DSEQ, 31) " + 1)"
#define RET_DTO(E)                                                                 \
    "iif(" RET(E, DISCON_DB_RET_DTO, 1) ", ~" RET(E, DISCON_DB_RET_DTO + 1, 15) ", " \
    RET(E, DISCON_DB_RET_DTO + 1, 15) ")"
#define RET_LEVEL(E, SHIFT) "(nullif(" RET(E, SHIFT, 7) ", 0) - 1)"
#define FOLLOWS(E) RET(E, DISCON_DB_RET_FOLLOWS, 1)
/* A folded pair's delivery (DISCON_DB_PAIR_*): its time and from_pc
 * minus the row's. */
#define PAIR_DT(E) "(" E ".pair >> " DISCON_DB_STR(DISCON_DB_PAIR_SHIFT) ")"
#define PAIR_DPC(E) "iif(" E ".pair & 1, ~(" E ".pair >> 1 & 63), " E ".pair >> 1 & 63)"
/* The pairing of the trap of row E whose _discon_traps row is P: P's
 * columns where it has one, else those of the RETURN folded in that
 * closed it (ROW_VALUE, NULL where none did). */
#define PAIRED(P, ROW_VALUE, P_VALUE) \
    "iif(" P ".event IS NULL, iif(" FOLLOWS("e") ", NULL, " ROW_VALUE "), " P_VALUE ")"

/* Written once, into an empty database, in the transaction that sets the
 * version: plain CREATE (no IF NOT EXISTS), so a table already there means
 * a failed check, never a silently mixed schema. Cause columns are NULL
 * where the event's `has` bit (schema/event.h) is clear: 0 is a valid value
 * of each of them.
 *
 * One naming scheme: a discontinuity goes from `from_pc` to `to_pc`, and
 * their symbols are `from_symbol` and `to_symbol`, in every table and view.
 * Why not source/handler: these are the names of the trace format and of
 * the raw events, and "handler" is wrong for half of what the tables hold
 * (a RETURN's to_pc is where it returns to, a host call has no guest
 * handler); a trap's to_pc is its handler, as the README says once.
 *
 * Size (schema 7; bench/run --db-only and the linux_kinds and
 * getppid_x86_64 tests measure it): raw events are the bulk, so each
 * costs at most one row of _discon_events, appended in file order (rowid
 * order is sequence order on each vCPU: traces.seq_order says so), and
 * everything that can ride on a row does, because a row of its own costs
 * ~7 bytes of cell (length, rowid varint, pointer) plus a header byte per
 * column before any value. SQLite's record format decides the rest: a
 * NULL and the integers 0 and 1 cost only their header byte, other
 * integers 1, 2, 3, 4, 6 or 8 bytes by magnitude, and every column pays
 * its header byte, NULL or not (SQLite trims trailing NULLs only when
 * built with SQLITE_ENABLE_NULL_TRIM; Debian's is not). So:
 *  - a RETURN that closes a trap whose row is still queued (the loader
 *    holds 4096 rows back) rides on that row, with the trap's pairing:
 *    ret_dt (its time minus the row's), ret_from (its from_pc minus the
 *    row's to_pc: the return instruction against the handler) and
 *    ret_pack (DISCON_DB_RET_*: its seq, its to_pc against the row's
 *    from_pc, its levels, the trap's depth and parent), about 6 bytes
 *    where a row of its own and a _discon_traps row took ~60; an x86 IRET
 *    that closes nothing rides on the RETURN row before it the same way
 *    (DISCON_DB_RET_FOLLOWS). The events view and discon_db_row_events
 *    give it back as an event of its own; what does not fit a field is a
 *    row of its own, as before;
 *  - an x86 exception pair (an EXCEPTION with to_pc == from_pc, then its
 *    delivery: discon_traps_is_pair(), the deriver's own test) is one row:
 *    the EXCEPTION's columns, the delivery's to_pc (the handler), `pair`
 *    (its time and from_pc against this row's, DISCON_DB_PAIR_*) and its
 *    has bits in `bits` (which of this row's cause fields it carried: a
 *    pair is folded only when the delivery's fields are this row's);
 *  - a trap's kind, origin and interrupt number are on its first event's
 *    row (kind 0 in bits: the row starts no trap, e.g. a RETURN), and
 *    _discon_traps holds a row only for what the event row cannot say:
 *    the pairing of a trap whose RETURN did not fold, and the PCs of an
 *    x86 pair whose halves were stored apart (the delivery in a later load);
 *  - the small fields are one integer, `bits` (DISCON_DB_BITS_*), those of
 *    every row lowest: 3 bytes for a trap, 1 or 2 for a RETURN;
 *  - to_pc is stored as is, against from_pc, or against the trace's first
 *    entry from user space (traces.to_pc_base), whichever is shortest: 0
 *    to 2 bytes for arm64's and riscv's vectors where a kernel address
 *    takes 4 to 6;
 *  - per-vCPU counts and ranges of the stored events are kept as they
 *    are stored (_discon_vcpu_events), for the completeness verdict.
 * Measured (file size over events, default options, no --symbols: the
 * kernel's 190,000 symbols take 6 MB of their own): default recordings
 * (returns and causes on) of the busybox boots of scripts/guest, -smp 2:
 * aarch64 56.0 bytes per event in schema 6, 27.4 now; x86_64 40.3 then,
 * 23.0 now; riscv64 27.8; the x86_64 getppid loop 23.4. A trace without
 * returns cannot fold them: tests/data/aarch64-boot (recorded before
 * causes and returns, every event a trap) is 42 (40.2 in schema 6, which
 * had three columns fewer), tests/data/x86_64-boot 23.5. Of an aarch64
 * trap row with its RETURN: ~7 bytes of cell, 15 of header, ~32 of values
 * (time 6, cause 4-6, to_pc 0-4, from_pc 3, seq 3, bits 3, ret_dt 2-3,
 * ret_from 2, fault_addr 0-6). --index stays optional: its two indexes
 * add 16 bytes per event and make the load 3.4 times as long.
 * Tables named _discon_* are internal (the compact rows behind the views,
 * the loader's state between loads): query the views. */
static const char tables[] =
    "CREATE TABLE traces(\n"
    "  trace INTEGER PRIMARY KEY,      -- key used by every other table\n"
    "  trace_id TEXT UNIQUE NOT NULL,  -- hex of the header's trace id\n"
    "  target TEXT, system_mode INT, vcpu_count INT, host TEXT, qemu_argv TEXT,\n"
    "  plugin_options TEXT, mode TEXT, ring_capacity INT,\n"
    "  types INT,                      -- the header's mask of recorded types\n"
    "  clock_monotonic_ns INT, clock_realtime_ns INT,\n"
    "  trap_rule TEXT,                 -- how traps were derived from events\n"
    "  complete INT DEFAULT 0,         -- 1 complete, 2 complete since complete_since_ns\n"
    "                                  -- (oldest files removed), 0 not: see complete_why\n"
    "  complete_since_ns INT, complete_why TEXT,\n"
    "  ended INT DEFAULT 0,            -- end record seen\n"
    "  qemu_ended TEXT,                -- End.qemu_ended: 'exit N', 'signal N'; NULL unknown\n"
    "  guest_ended TEXT,               -- End.guest_ended: 'power-off', 'reset'; NULL not seen\n"
    "  snapshot TEXT,                  -- End.snapshot: the trigger that wrote this flight-\n"
    "                                  -- recorder snapshot ('usr1', 'fault-loop', ...); NULL none\n"
    "  removed_last_file INT,          -- files 0..this removed by the writer; NULL: none\n"
    "  producer_finished INT,\n"
    "  unrecorded INT,\n"
    "  seq_order INT DEFAULT 1,        -- 1: events' rowid order is seq order on each vCPU\n"
    "  to_pc_base INT);                -- event rows' to_pc may be stored against it\n"
    "CREATE TABLE files(\n"
    "  trace INT NOT NULL, file_index INT NOT NULL, path TEXT,\n"
    "  bytes INT,                      -- read and loaded: the rest loads later\n"
    "  damaged INT DEFAULT 0,          -- 0 intact, 1 damage skipped, 2 tail no whole\n"
    "                                  -- frame (DISCON_DB_FILE_*): 1 and 2 are damage\n"
    "  kept TEXT NOT NULL DEFAULT 'all', -- 'all', 'aggregate', 'from A to B' (s)\n"
    "  PRIMARY KEY(trace, file_index));\n"
    "CREATE TABLE vcpus(\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL,\n"
    "  produced INT, dropped INT, written INT,  -- from the end record\n"
    "  PRIMARY KEY(trace, vcpu));\n"
    /* A plain rowid table: rows are appended, the fastest way into SQLite.
     * Loading is idempotent per file (the files table), not per row. */
    "CREATE TABLE _discon_events( -- internal: raw events, read the events view\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, seq INT NOT NULL, time_ns INT NOT NULL,\n"
    "  from_pc INT NOT NULL,\n"
    "  to_pc INT NOT NULL,        -- a folded pair: the delivery's (the handler);\n"
    "                             -- as is, minus from_pc or minus traces.to_pc_base:\n"
    "                             -- DISCON_DB_BITS_TO_MODE\n"
    "  bits INT NOT NULL,         -- type, kind, origin, levels, pair has bits:\n"
    "                             -- DISCON_DB_BITS_* of discon_db.h\n"
    "  cause INT, fault_addr INT, syscall INT,  -- NULL: not recorded\n"
    "  pair INT,                  -- NULL: one event; else an x86 pair: the delivery's\n"
    "                             -- time, from_pc (minus this row's): DISCON_DB_PAIR_*\n"
    "  ret_dt INT,                -- NULL: no RETURN folded in; else its time,\n"
    "  ret_from INT,              -- from_pc (minus this row's time, handler)\n"
    "  ret_pack INT);             -- and the rest: DISCON_DB_RET_* of discon_db.h\n"
    /* What the completeness verdict needs of the events, kept as they are
     * stored: grouping every event row by vCPU is a sort of the table. */
    "CREATE TABLE _discon_vcpu_events( -- internal: per vCPU, the stored events\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, events INT NOT NULL,\n"
    "  first_seq INT, end_seq INT,  -- end_seq: one past the last\n"
    "  first_time_ns INT, PRIMARY KEY(trace, vcpu));\n"
    "CREATE TABLE _discon_traps( -- internal: read the traps view\n"
    "  event INTEGER PRIMARY KEY,  -- _discon_events.rowid of its first event\n"
    "  events INT,                 -- raw events it was derived from: 1 or 2\n"
    "  from_pc INT, to_pc INT,     -- NULL: its first event row's\n"
    "  depth INT, parent_seq INT,\n"
    "  return_after_ns INT,        -- its RETURN's time minus its own\n"
    "  ended INT);\n"
    /* kind is part of the key: one handler serves several kinds (arm64's
     * vectors: system calls and aborts alike). */
    "CREATE TABLE trap_agg(    -- --aggregate-only: counts, no rows\n"
    "  trace INT NOT NULL, second INT NOT NULL, vcpu INT NOT NULL, type INT NOT NULL,\n"
    "  to_pc INT NOT NULL, kind INT NOT NULL, count INT NOT NULL,\n"
    "  PRIMARY KEY(trace, second, vcpu, type, to_pc, kind)) WITHOUT ROWID;\n"
    "CREATE TABLE _discon_trap_pending( -- internal: x86 exception awaiting its delivery\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, seq INT, time_ns INT, from_pc INT,\n"
    "  cause INT, fault_addr INT, syscall INT, to_level INT, from_level INT, has INT,\n"
    "  event INT,              -- its _discon_events.rowid; 0: not stored\n"
    "  PRIMARY KEY(trace, vcpu));\n"
    "CREATE TABLE _discon_trap_open( -- internal: paired traps open when a load ended\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, position INT NOT NULL, seq INT, time_ns INT,\n"
    "  type INT, from_pc INT, to_pc INT, events INT, cause INT, fault_addr INT, syscall INT,\n"
    "  to_level INT, from_level INT, has INT, depth INT, parent_seq INT, pairing INT,\n"
    "  row INT,                -- _discon_events.rowid of its first event, and of its\n"
    "                          -- provisional _discon_traps row; 0: not stored\n"
    "  PRIMARY KEY(trace, vcpu, position));\n"
    "CREATE TABLE unmatched_returns( -- RETURN events with no trap open on their vCPU\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, seq INT NOT NULL, time_ns INT NOT NULL,\n"
    "  from_pc INT NOT NULL, to_pc INT NOT NULL);\n"
    "CREATE TABLE removed(     -- per vCPU, what the removed files held (Header.removed)\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, first_seq INT, end_seq INT,\n"
    "  first_time_ns INT, last_time_ns INT, PRIMARY KEY(trace, vcpu));\n"
    "CREATE TABLE losses(\n"
    "  trace INT NOT NULL, vcpu INT NOT NULL, first_seq INT, count INT,\n"
    "  first_time_ns INT, last_time_ns INT);\n"
    "CREATE TABLE symbols(\n"
    "  trace INT NOT NULL, addr INT NOT NULL, end_addr INT NOT NULL, name TEXT NOT NULL);\n"
    "CREATE TABLE symbol_files( -- trace2sqlite --symbols, in the order given\n"
    "  trace INT NOT NULL, file_index INT NOT NULL, path TEXT,\n"
    "  slide INT NOT NULL,            -- KASLR slide applied to it (0: as it is)\n"
    "  PRIMARY KEY(trace, file_index));\n"
    /* Lookup tables, their rows from libdiscon-trace: see
     * discon_db_write_lookup_tables(). */
    "CREATE TABLE types(type INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE kinds(kind INTEGER PRIMARY KEY,\n"
    "  arch TEXT,              -- NULL: shared by every architecture\n"
    "  name TEXT NOT NULL, class INT NOT NULL);\n"
    "CREATE TABLE classes(class INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE levels(level INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE trap_ends(ended INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE syscall_names(arch TEXT NOT NULL, nr INT NOT NULL, name TEXT NOT NULL,\n"
    "  PRIMARY KEY(arch, nr)) WITHOUT ROWID;\n";

/* The traps view: a trap is its first event's row (seq, time, type, cause
 * fields, kind; PCs: a folded pair's trap goes from the delivery's
 * from_pc) and its _discon_traps row where it has one (a LEFT JOIN: most
 * traps have none), else the pairing its row holds with the RETURN that
 * closed it (PAIRED). return_ns is its time plus return_after_ns;
 * duration_ns that difference, 0 where the clock went back. The end that
 * means "returned" is a number of discon_traps.h, spelled in when the
 * view is written (%d, twice). The events row comes first in FROM: kinds
 * is the small side of the join, looked up by key. */
static const char traps_view[] =
    "CREATE VIEW traps AS\n"
    "  SELECT e.trace, e.vcpu, e.seq, e.time_ns, e.time_ns - r.clock_monotonic_ns AS t_ns,\n"
    "    y.type, y.name AS type_name,\n"
    "    coalesce(p.from_pc, e.from_pc + " PAIR_DPC("e") ", e.from_pc) AS from_pc,\n"
    "    ifnull(p.to_pc, " TO_PC_OF("e") ") AS to_pc,\n"
    "    coalesce(p.events, iif(e.pair IS NULL, 1, 2)) AS events,\n"
    "    e.cause, e.fault_addr, e.syscall, k.kind, k.name AS kind_name,\n"
    "    " ORIGIN_OF("e") " AS origin, " INTERRUPT_OF("e") " AS interrupt,\n"
    "    " PAIRED("p", RET("e", DISCON_DB_RET_DEPTH, 63) " + 1", "p.depth") " AS depth,\n"
    "    " PAIRED("p", "e.seq - nullif(" RET("e", DISCON_DB_RET_PARENT, 65535) ", 0)",
                    "p.parent_seq") " AS parent_seq,\n"
    "    e.time_ns + " PAIRED("p", "e.ret_dt", "p.return_after_ns") " AS return_ns,\n"
    "    max(" PAIRED("p", "e.ret_dt", "p.return_after_ns") ", 0) AS duration_ns,\n"
    "    " PAIRED("p", "iif(e.ret_dt IS NULL, NULL, %d)", "p.ended") " AS ended,\n"
    "    " PAIRED("p", "iif(e.ret_dt IS NULL, NULL, 0)", "iif(p.ended IS NULL, NULL, p.ended != %d)")
    " AS never_returned\n"
    "  FROM _discon_events e CROSS JOIN kinds k ON k.kind = " KIND_OF("e") "\n"
    "    JOIN traces r ON r.trace = e.trace JOIN types y ON y.type = " TYPE_OF("e") "\n"
    "    LEFT JOIN _discon_traps p ON p.event = e.rowid;\n";

/* The events view: every raw event as QEMU reported it, a folded x86 pair
 * (see the size argument above) given back as its two events: the row as
 * stored is the EXCEPTION (its to_pc is its from_pc, the rule's test),
 * then the delivery: the next sequence number, the INTERRUPT type, time
 * and from_pc from pair_dt and pair_dpc, the handler, and the cause fields
 * named in its pair has bits; and a folded RETURN as the third part: its
 * seq, time and from_pc (from the handler) and to_pc (from the row's
 * from_pc) from ret_dt, ret_from and ret_pack. The types and has bits are
 * numbers of schema/discon_types.h and event.h, spelled in when the view
 * is written (%d): type INTERRUPT twice, then the has bits CAUSE,
 * FAULT_ADDR, SYSCALL, TO_LEVEL and FROM_LEVEL, then type RETURN twice. */
static const char events_view[] =
    "CREATE VIEW events AS\n"
    "  SELECT e.trace, e.vcpu, e.seq, e.time_ns, e.time_ns - r.clock_monotonic_ns AS t_ns,\n"
    "    y.type, y.name AS type_name, e.from_pc,\n"
    "    iif(e.pair IS NULL, " TO_PC_OF("e") ", e.from_pc) AS to_pc,\n"
    "    e.cause, e.fault_addr, e.syscall,\n"
    "    " TO_LEVEL_OF("e") " AS to_level,\n"
    "    " FROM_LEVEL_OF("e") " AS from_level\n"
    "  FROM _discon_events e JOIN traces r ON r.trace = e.trace\n"
    "    JOIN types y ON y.type = " TYPE_OF("e") "\n"
    "  UNION ALL\n"
    "  SELECT e.trace, e.vcpu, e.seq + 1, e.time_ns + " PAIR_DT("e") ",\n"
    "    e.time_ns + " PAIR_DT("e") " - r.clock_monotonic_ns, %d, y.name,\n"
    "    e.from_pc + " PAIR_DPC("e") ",\n"
    "    " TO_PC_OF("e") ", iif(" PAIR_HAS("e") " & %d, e.cause, NULL),\n"
    "    iif(" PAIR_HAS("e") " & %d, e.fault_addr, NULL),\n"
    "    iif(" PAIR_HAS("e") " & %d, e.syscall, NULL),\n"
    "    iif(" PAIR_HAS("e") " & %d, " TO_LEVEL_OF("e") ", NULL),\n"
    "    iif(" PAIR_HAS("e") " & %d, " FROM_LEVEL_OF("e") ", NULL)\n"
    "  FROM _discon_events e JOIN traces r ON r.trace = e.trace JOIN types y ON y.type = %d\n"
    "  WHERE e.pair IS NOT NULL\n"
    "  UNION ALL\n"
    "  SELECT e.trace, e.vcpu, " RET_SEQ("e") ", e.time_ns + e.ret_dt,\n"
    "    e.time_ns + e.ret_dt - r.clock_monotonic_ns, %d, y.name,\n"
    "    " TO_PC_OF("e") " + e.ret_from,\n"
    "    iif(" FOLLOWS("e") ", " TO_PC_OF("e") " + e.ret_from, e.from_pc) + " RET_DTO("e") ",\n"
    "    NULL, NULL, NULL,\n"
    "    " RET_LEVEL("e", DISCON_DB_RET_TO_LEVEL) ", " RET_LEVEL("e", DISCON_DB_RET_FROM_LEVEL) "\n"
    "  FROM _discon_events e JOIN traces r ON r.trace = e.trace JOIN types y ON y.type = %d\n"
    "  WHERE e.ret_dt IS NOT NULL;\n";

/* Views for people: names beside numbers, t_ns (ns from the trace's
 * start) beside the absolute time_ns, counts per vCPU beside totals. */
static const char views[] =
    "CREATE VIEW trap_counts AS\n"
    "  SELECT trace, type, to_pc, SUM(n) AS count FROM (\n"
    "    SELECT trace, type, to_pc, 1 AS n FROM traps\n"
    "    UNION ALL SELECT trace, type, to_pc, count FROM trap_agg)\n"
    "  GROUP BY trace, type, to_pc;\n"
    "CREATE VIEW trap_counts_hex AS\n"
    "  SELECT c.trace, t.name AS type, printf('0x%016x', c.to_pc) AS to_pc,\n"
    "    " SYM("c.trace", "c.to_pc") " AS to_symbol,\n"
    "    c.count FROM trap_counts c JOIN types t USING (type)\n"
    "  ORDER BY c.trace, c.count DESC;\n"
    "CREATE VIEW trap_rate AS\n"
    "  SELECT trace, second, t.name AS type, SUM(n) AS count FROM (\n"
    "    SELECT trace, t_ns / 1000000000 AS second, type, 1 AS n FROM traps\n"
    "    UNION ALL SELECT trace, second, type, count FROM trap_agg)\n"
    "  JOIN types t USING (type) GROUP BY trace, second, type;\n"
    "CREATE VIEW trap_rate_by_vcpu AS\n"
    "  SELECT trace, vcpu, second, t.name AS type, SUM(n) AS count FROM (\n"
    "    SELECT trace, vcpu, t_ns / 1000000000 AS second, type, 1 AS n FROM traps\n"
    "    UNION ALL SELECT trace, vcpu, second, type, count FROM trap_agg)\n"
    "  JOIN types t USING (type) GROUP BY trace, vcpu, second, type;\n"
    "CREATE VIEW kind_rate_by_vcpu AS\n"
    "  SELECT trace, vcpu, second, k.name AS kind, SUM(n) AS count FROM (\n"
    "    SELECT trace, vcpu, t_ns / 1000000000 AS second, kind, 1 AS n FROM traps\n"
    "    UNION ALL SELECT trace, vcpu, second, kind, count FROM trap_agg)\n"
    "  JOIN kinds k USING (kind) GROUP BY trace, vcpu, second, kind;\n"
    "CREATE VIEW vcpu_summary AS\n"
    "  SELECT v.trace, v.vcpu, v.produced, v.dropped, v.written,\n"
    "    (SELECT SUM(count) FROM trap_counts_by_vcpu c WHERE c.trace = v.trace AND c.vcpu = v.vcpu)\n"
    "      AS traps\n"
    "  FROM vcpus v;\n"
    "CREATE VIEW trap_counts_by_vcpu AS\n"
    "  SELECT c.trace, c.vcpu, c.type, t.name AS type_name, c.count FROM (\n"
    "    SELECT trace, vcpu, type, SUM(n) AS count FROM (\n"
    "      SELECT trace, vcpu, type, 1 AS n FROM traps\n"
    "      UNION ALL SELECT trace, vcpu, type, count FROM trap_agg)\n"
    "    GROUP BY trace, vcpu, type) c JOIN types t USING (type);\n"
    "CREATE VIEW trap_kinds AS\n"
    "  SELECT c.trace, k.name AS kind, l.name AS class, c.count,\n"
    "    CAST(c.count AS REAL) / SUM(c.count) OVER (PARTITION BY c.trace) AS share\n"
    "  FROM (SELECT trace, kind, SUM(n) AS count FROM (\n"
    "          SELECT trace, kind, 1 AS n FROM traps\n"
    "          UNION ALL SELECT trace, kind, count FROM trap_agg)\n"
    "        GROUP BY trace, kind) c\n"
    "  JOIN kinds k USING (kind) JOIN classes l ON l.class = k.class\n"
    "  ORDER BY c.trace, c.count DESC, k.name;\n"
    "CREATE VIEW trap_kinds_by_vcpu AS\n"
    "  SELECT c.trace, c.vcpu, k.name AS kind, l.name AS class, c.count\n"
    "  FROM (SELECT trace, vcpu, kind, SUM(n) AS count FROM (\n"
    "          SELECT trace, vcpu, kind, 1 AS n FROM traps\n"
    "          UNION ALL SELECT trace, vcpu, kind, count FROM trap_agg)\n"
    "        GROUP BY trace, vcpu, kind) c\n"
    "  JOIN kinds k USING (kind) JOIN classes l ON l.class = k.class\n"
    "  ORDER BY c.trace, c.vcpu, c.count DESC, k.name;\n"
    /* A trace's target is its architecture's name (schema/discon_arch.h). */
    "CREATE VIEW syscalls AS\n"
    "  SELECT t.trace, t.syscall AS nr, n.name, COUNT(*) AS count\n"
    "  FROM traps t JOIN traces r USING (trace)\n"
    "    LEFT JOIN syscall_names n ON n.arch = r.target AND n.nr = t.syscall\n"
    "  WHERE t.syscall IS NOT NULL GROUP BY t.trace, t.syscall\n"
    "  ORDER BY t.trace, count DESC, nr;\n"
    "CREATE VIEW events_hex AS\n"
    "  SELECT e.trace, e.vcpu, e.seq, e.time_ns, e.t_ns, e.type_name AS type,\n"
    "    printf('0x%016x', e.from_pc) AS from_pc,\n"
    "    " SYM("e.trace", "e.from_pc") " AS from_symbol,\n"
    "    printf('0x%016x', e.to_pc) AS to_pc,\n"
    "    " SYM("e.trace", "e.to_pc") " AS to_symbol,\n"
    "    iif(e.cause IS NULL, NULL, printf('0x%x', e.cause)) AS cause,\n"
    "    iif(e.fault_addr IS NULL, NULL, printf('0x%016x', e.fault_addr)) AS fault_addr,\n"
    "    e.syscall, e.to_level, e.from_level\n"
    "  FROM events e;\n";

/* Handler time: the durations of returned traps. SQLite has no percentile
 * function: p50 and p99 are nearest-rank (the smallest duration whose rank
 * is at least ceil(n * p / 100)), from ROW_NUMBER over the durations in
 * order - exact, where discon-report's are from a histogram. */
#define HANDLER_TIME(KEY, COLS)                                                         \
    "  WITH d AS (SELECT trace, " KEY ", duration_ns,\n"                                 \
    "      ROW_NUMBER() OVER (PARTITION BY trace, " KEY " ORDER BY duration_ns) AS rn,\n" \
    "      COUNT(*) OVER (PARTITION BY trace, " KEY ") AS n\n"                           \
    "    FROM traps WHERE duration_ns IS NOT NULL)\n"                                    \
    "  SELECT trace, " COLS ", MAX(n) AS count, SUM(duration_ns) AS total_ns,\n"        \
    "    MIN(iif(rn >= (n * 50 + 99) / 100, duration_ns, NULL)) AS p50_ns,\n"            \
    "    MIN(iif(rn >= (n * 99 + 99) / 100, duration_ns, NULL)) AS p99_ns,\n"            \
    "    MAX(duration_ns) AS max_ns\n"

static const char return_views[] =
    "CREATE VIEW handler_time_by_kind AS\n"
    HANDLER_TIME("kind", "(SELECT name FROM kinds k WHERE k.kind = d.kind) AS kind")
    "  FROM d GROUP BY trace, d.kind ORDER BY trace, total_ns DESC;\n"
    "CREATE VIEW handler_time_by_symbol AS\n"
    HANDLER_TIME("to_pc", "printf('0x%016x', to_pc) AS to_pc,\n    "
                 SYM("d.trace", "d.to_pc") " AS to_symbol")
    "  FROM d GROUP BY trace, d.to_pc ORDER BY trace, total_ns DESC;\n";

/* The ends that leave a trap open are numbers of discon_traps.h, spelled
 * in when the view is written (%d); the handler columns are %s. */
static const char open_traps_view[] =
    "CREATE VIEW open_traps AS -- still open when the trace (or the load) ended\n"
    "  SELECT t.trace, t.vcpu, t.seq, t.time_ns, k.name AS kind,\n"
    "    %s AS to_pc, %s AS to_symbol, t.depth, t.parent_seq, e.name AS ended\n"
    "  FROM traps t JOIN kinds k USING (kind) JOIN trap_ends e USING (ended)\n"
    "  WHERE t.ended IN (%d, %d) ORDER BY t.trace, t.vcpu, t.depth;\n";

/* The class of memory faults is a number of discon_kinds.h, spelled into
 * the view when it is written (%d), never typed here. fault_page: the
 * fault address rounded down to 4 KiB (& -4096 keeps the signed twins of
 * addresses above 2^63 right). */
static const char page_faults_view[] =
    "CREATE VIEW page_faults AS\n"
    "  SELECT t.trace, t.fault_addr & -4096 AS fault_page, k.name AS kind, COUNT(*) AS count\n"
    "  FROM traps t JOIN kinds k USING (kind)\n"
    "  WHERE t.fault_addr IS NOT NULL AND k.class = %d\n"
    "  GROUP BY t.trace, fault_page, t.kind\n"
    "  ORDER BY t.trace, count DESC, fault_page;\n";

/* Created after the bulk insert: building them once is faster than
 * keeping them up to date row by row. */
static const char indexes[] =
    "CREATE INDEX IF NOT EXISTS symbols_addr ON symbols(trace, addr);\n";

/* --index: lookups by vCPU and sequence number, and by time. */
static const char row_indexes[] =
    "CREATE INDEX IF NOT EXISTS events_key ON _discon_events(trace, vcpu, seq);\n"
    "CREATE INDEX IF NOT EXISTS events_time ON _discon_events(trace, time_ns);\n";

int discon_db_write_schema(struct discon_db *db)
{
    char version[128];
    snprintf(version, sizeof version, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
             DISCON_DB_APPLICATION_ID, DISCON_DB_SCHEMA_VERSION);
    char faults[sizeof page_faults_view + 16];
    snprintf(faults, sizeof faults, page_faults_view, (int)DISCON_CLASS_MEMORY_FAULT);
    static const char handler[] = "printf('0x%016x', t.to_pc)",
                      symbol[] = SYM("t.trace", "t.to_pc");
    char opens[sizeof open_traps_view + sizeof handler + sizeof symbol + 16];
    snprintf(opens, sizeof opens, open_traps_view, handler, symbol, (int)DISCON_TRAP_OPEN,
             (int)DISCON_TRAP_AT_END);
    char traps[sizeof traps_view + 16];
    snprintf(traps, sizeof traps, traps_view, (int)DISCON_TRAP_RETURNED, (int)DISCON_TRAP_RETURNED);
    char events[sizeof events_view + 64];
    snprintf(events, sizeof events, events_view, (int)DISCON_INTERRUPT, (int)DISCON_HAS_CAUSE,
             (int)DISCON_HAS_FAULT_ADDR, (int)DISCON_HAS_SYSCALL, (int)DISCON_HAS_TO_LEVEL,
             (int)DISCON_HAS_FROM_LEVEL, (int)DISCON_INTERRUPT, (int)DISCON_RETURN,
             (int)DISCON_RETURN);
    int rc = discon_db_exec(db, tables);
    if (rc == 0)
        rc = discon_db_exec(db, traps);
    if (rc == 0)
        rc = discon_db_exec(db, events);
    if (rc == 0)
        rc = discon_db_exec(db, views);
    if (rc == 0)
        rc = discon_db_exec(db, faults);
    if (rc == 0)
        rc = discon_db_exec(db, return_views);
    if (rc == 0)
        rc = discon_db_exec(db, opens);
    return rc ? rc : discon_db_exec(db, version);
}

int discon_db_create_indexes(struct discon_db *db, bool rows)
{
    int rc = discon_db_exec(db, indexes);
    return rc || !rows ? rc : discon_db_exec(db, row_indexes);
}
