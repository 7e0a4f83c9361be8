/*
 * The discon database: the one module that knows its schema, its version
 * and how to tell a discon database from anything else. trace2sqlite
 * writes through it, discon-report reads through it.
 *
 * A discon database is an SQLite file whose header says
 * `PRAGMA application_id = DISCON_DB_APPLICATION_ID` and
 * `PRAGMA user_version = DISCON_DB_SCHEMA_VERSION`. Opening refuses
 * anything else (another program's database, another schema version, a
 * file that is not SQLite) after reading it only: nothing is written to a
 * refused file.
 *
 * Errors are the negative codes of enum discon_db_error ("< 0 means
 * error"); discon_db_message() turns one into a line for a person. PCs are
 * unsigned 64-bit values stored as their signed two's-complement twins.
 */
#ifndef DISCON_DB_H
#define DISCON_DB_H

#include "event.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "DSCN": identifies discon databases in the SQLite header (offset 68). */
#define DISCON_DB_APPLICATION_ID 0x4453434e
/* The schema's version, in the header's user_version (offset 60). Raise it
 * whenever a table, view or column changes meaning; databases of another
 * version are refused, never migrated. Version 0 is what trace2sqlite made
 * before databases carried a version; version 2 added the cause columns,
 * trap kinds and the lookup tables (kinds, classes, levels, syscall_names);
 * version 3 traps paired with their returns (depth, parent_seq, return_ns,
 * duration_ns, ended, never_returned), traces.types, the tables trap_ends,
 * trap_open and unmatched_returns and the handler-time views; version 4
 * one naming scheme (to_pc/to_symbol, never handler), names and t_ns in
 * the views, per-vCPU rate views, traps stored compactly (_discon_traps,
 * read through the traps view), internal tables named _discon_*, and
 * traces.seq_order; version 5 (version 4's two lines of work merged)
 * files.bytes as the bytes read (not the size then), files.kept, the cause
 * fields of _discon_trap_pending, traces.complete as the one verdict
 * (discon_complete.h) with complete_since_ns, complete_why, ended,
 * qemu_ended and removed_last_file, the table removed, and every query
 * discon-report reads with on one trace (parameter 1); version 6 raw
 * events in _discon_events read through the events view (with t_ns and
 * type_name), an x86 exception pair folded into one row, a trap's kind,
 * origin and interrupt on its first event's row, _discon_traps rows only
 * for pairing and split pairs, traces.guest_ended and snapshot (End
 * fields), and _discon_vcpu_events (tools/db/schema.c
 * says why: bytes per event); version 7 a RETURN folded into the row of
 * the trap it closes (ret_dt, ret_from, ret_pack) with that trap's
 * pairing, an x86 IRET closing nothing on the RETURN row before it, bits
 * repacked, to_pc stored the shortest way (DISCON_DB_BITS_TO_MODE) and
 * traces.to_pc_base. */
#define DISCON_DB_SCHEMA_VERSION 7

enum discon_db_error {
    DISCON_DB_OK = 0,
    DISCON_DB_E_OPEN = -1,       /* cannot be opened or created, or not a regular file */
    DISCON_DB_E_NOT_SQLITE = -2, /* the file is not an SQLite database */
    DISCON_DB_E_FOREIGN = -3,    /* an SQLite database, not a discon one (or empty, when reading) */
    DISCON_DB_E_VERSION = -4,    /* a discon database of another schema version */
    DISCON_DB_E_SQLITE = -5,     /* SQLite failed: I/O, disk full, damaged file, bad statement */
    DISCON_DB_E_NOMEM = -6,      /* out of memory */
};

struct discon_db {
    sqlite3 *sql;          /* the connection; NULL when closed */
    const char *path;      /* as given to open (not copied: must outlive db) */
    bool created;          /* discon_db_open_write: this open wrote the schema */
    int found_version;     /* after DISCON_DB_E_VERSION: the file's schema version */
    char detail[256];      /* after an error: what SQLite or the check said, or "" */
};

/*
 * Open `path` for appending, creating the file if it does not exist.
 * A new or empty SQLite database gets the schema and the version; the
 * lookup tables (types, kinds, classes, levels, syscall_names) get the rows
 * of libdiscon-trace they are missing, on every open; a discon
 * database of this version is opened as it is. Anything else is refused
 * before anything is written to it, and the connection is closed.
 * Also sets bulk-loading pragmas: a database created by this open keeps
 * its journal in memory (nothing to protect yet); an existing one is put
 * in WAL mode so earlier loads survive a crash of this one.
 * Returns DISCON_DB_OK, or DISCON_DB_E_OPEN, _NOT_SQLITE, _FOREIGN,
 * _VERSION, _SQLITE. On success close with discon_db_close().
 */
int discon_db_open_write(struct discon_db *db, const char *path);

/*
 * Open `path` read-only. Accepts a discon database of this version only;
 * an empty SQLite database is DISCON_DB_E_FOREIGN. Same codes as above;
 * nothing is ever written. On success close with discon_db_close().
 */
int discon_db_open_read(struct discon_db *db, const char *path);

/* Close the connection (any statements must be finalized first). Safe on a
 * closed or zeroed struct. */
void discon_db_close(struct discon_db *db);

/* Whether the file at `path` starts with the SQLite header magic: how a
 * tool tells a database argument from a trace file. False if unreadable. */
bool discon_db_looks_like(const char *path);

/* A static phrase for a code ("not a discon database", ...). */
const char *discon_db_strerror(int code);

/* One line, no newline, into buf (len bytes): "PATH: phrase[: detail]"
 * for the last error of db (opened or refused). Returns buf. */
const char *discon_db_message(const struct discon_db *db, int code, char *buf, size_t len);

/* ---- statements: SQLite calls that return codes ------------------------ */

/* Run one or more statements without results. 0 or DISCON_DB_E_SQLITE
 * (detail set). */
int discon_db_exec(struct discon_db *db, const char *sql);

/* Run each statement of `sql` (no results wanted) with ?1 bound to the
 * trace row `trace`. 0 or DISCON_DB_E_SQLITE (detail set). */
int discon_db_exec_trace(struct discon_db *db, const char *sql, int64_t trace);

/* Prepare a statement kept for many steps. *out is NULL on error. 0 or
 * DISCON_DB_E_SQLITE (detail set). The caller finalizes *out. */
int discon_db_prepare(struct discon_db *db, const char *sql, sqlite3_stmt **out);

/* Step a statement that returns no rows (or whose rows are not wanted)
 * once, then reset it for the next bindings. 0 or DISCON_DB_E_SQLITE. */
int discon_db_step(struct discon_db *db, sqlite3_stmt *s);

/* Indexes built after a bulk load (faster than maintaining them per row):
 * always the symbol lookup; with `rows`, events by vCPU and sequence
 * number and by time (trace2sqlite --index). 0 or _E_SQLITE. */
int discon_db_create_indexes(struct discon_db *db, bool rows);

/* ---- the queries discon-report reads with ------------------------------ */

enum discon_db_query {
    /* The header and end record of the first trace whose hex id starts
     * with parameter 1 (text; "" for any), and how many traces match:
     * columns DISCON_DB_TRACE_*. Every other query reads one trace: its
     * row (DISCON_DB_TRACE_ROW) is their parameter 1. */
    DISCON_DB_Q_TRACE,
    /* Per-vCPU totals of the end record: DISCON_DB_VCPU_*. */
    DISCON_DB_Q_VCPUS,
    /* Stored event rows and loss records merged, vCPU by vCPU in sequence
     * order, a loss before the event at its sequence number:
     * DISCON_DB_ROW_* (a row may hold two events and a folded RETURN:
     * discon_db_row_events), each folded RETURN again as a row of its
     * own (IS_LOSS 2) at its place, DISCON_DB_ROW_SORT_SEQ.
     * It sorts every event: for a database whose traces.seq_order is 0. */
    DISCON_DB_Q_EVENTS,
    /* Stored event rows (IS_LOSS always 0) with rowids from parameter 2
     * up to parameter 3 (excluded), rowid order being sequence order on
     * each vCPU when traces.seq_order is 1 (no sort), given in one step
     * to the aggregate SQL function
     * discon_batch_rows (tools/db/event_batches.c defines it on the
     * connections it opens; nowhere else does it prepare): its arguments
     * are a row's DISCON_DB_ROW_* columns. */
    DISCON_DB_Q_EVENTS_RANGE,
    /* The smallest and the largest rowid of _discon_events, every trace's
     * (columns 0 and 1; NULL when it is empty). It has no parameter. */
    DISCON_DB_Q_EVENT_ROWIDS,
    /* Loss records by vCPU and first sequence number: DISCON_DB_LOSS_*. */
    DISCON_DB_Q_LOSSES,
    /* Stored symbols (already slid by any KASLR offset): DISCON_DB_SYM_*. */
    DISCON_DB_Q_SYMBOLS,
    /* --aggregate-only counts: DISCON_DB_AGG_* (each kind of a handler a
     * row of its own). */
    DISCON_DB_Q_AGGREGATES,
    /* The --symbols files trace2sqlite merged, in order, and the KASLR
     * slide each was moved by (0: as it is): column 0, the slide. */
    DISCON_DB_Q_SYMBOL_FILES,
};

enum {
    DISCON_DB_TRACE_ROW, DISCON_DB_TRACE_ID_HEX, DISCON_DB_TRACE_TARGET,
    DISCON_DB_TRACE_SYSTEM_MODE, DISCON_DB_TRACE_VCPU_COUNT, DISCON_DB_TRACE_HOST,
    DISCON_DB_TRACE_CLOCK_MONO_NS, DISCON_DB_TRACE_CLOCK_REAL_NS, DISCON_DB_TRACE_ENDED,
    DISCON_DB_TRACE_PRODUCER_FINISHED, DISCON_DB_TRACE_UNRECORDED, DISCON_DB_TRACE_COUNT,
    DISCON_DB_TRACE_TYPES, DISCON_DB_TRACE_PLUGIN_OPTIONS, /* the header's, for pairing */
    DISCON_DB_TRACE_SEQ_ORDER,
    DISCON_DB_TRACE_QEMU_ENDED, /* End.qemu_ended, NULL: not known */
    DISCON_DB_TRACE_GUEST_ENDED, /* End.guest_ended, NULL: not seen */
    DISCON_DB_TRACE_SNAPSHOT,    /* End.snapshot, NULL: not a snapshot */
};
enum {
    DISCON_DB_LOSS_VCPU, DISCON_DB_LOSS_FIRST_SEQ, DISCON_DB_LOSS_COUNT,
    DISCON_DB_LOSS_FIRST_NS, DISCON_DB_LOSS_LAST_NS,
};
/* files.damaged: what loading the file skipped. Readers count any value
 * but INTACT as damage (tools/db/completeness.c), as the files' reader
 * counts a truncated last frame: a database of version 7 made before
 * TAIL existed holds 0 and 1 only and reads as it did. */
#define DISCON_DB_FILE_INTACT 0
#define DISCON_DB_FILE_DAMAGED 1 /* damage inside it was skipped: loading it again is refused */
#define DISCON_DB_FILE_TAIL 2    /* intact up to files.bytes, the bytes after it no whole frame
                                    (truncated, or still being written): a later load of the
                                    grown file reads on from there */
enum { DISCON_DB_VCPU_VCPU, DISCON_DB_VCPU_PRODUCED, DISCON_DB_VCPU_DROPPED, DISCON_DB_VCPU_WRITTEN };
/* An event row (IS_LOSS 0): the _discon_events columns SEQ ... SYSCALL
 * as stored (BITS the packed small fields, DISCON_DB_BITS_*; TO_PC as
 * DISCON_DB_BITS_TO_MODE says, against TO_BASE where it is BASE), each
 * cause field NULL where the event's `has` bit (enum discon_has) was
 * clear, ROWID its rowid (the key of its trap's _discon_traps row),
 * PAIR (NULL: one event; else a folded x86 pair, DISCON_DB_PAIR_*) and
 * RET_DT, RET_FROM, RET_PACK (NULL: no folded RETURN; see
 * tools/db/schema.c). A loss row (IS_LOSS 1): SEQ is its
 * first_seq, TIME_NS its first time, FROM_PC its count, TO_PC its last
 * time; BITS is 0, the other columns NULL. A folded RETURN's row (IS_LOSS
 * 2, DISCON_DB_Q_EVENTS only): the event row that holds it, again, sorted
 * at the RETURN's own sequence number. */
enum {
    DISCON_DB_ROW_VCPU, DISCON_DB_ROW_SEQ, DISCON_DB_ROW_TIME_NS, DISCON_DB_ROW_BITS,
    DISCON_DB_ROW_FROM_PC, DISCON_DB_ROW_TO_PC, DISCON_DB_ROW_CAUSE, DISCON_DB_ROW_FAULT_ADDR,
    DISCON_DB_ROW_SYSCALL, DISCON_DB_ROW_IS_LOSS, DISCON_DB_ROW_ROWID, DISCON_DB_ROW_PAIR,
    DISCON_DB_ROW_RET_DT, DISCON_DB_ROW_RET_FROM, DISCON_DB_ROW_RET_PACK,
    DISCON_DB_ROW_TO_BASE, /* the trace's traces.to_pc_base (DISCON_DB_TO_BASE) */
    DISCON_DB_ROW_COUNT, /* the number of columns of an event row */
    /* DISCON_DB_Q_EVENTS only, after the row's columns: the sequence
     * number it sorts by (a folded RETURN's own, IS_LOSS 2) */
    DISCON_DB_ROW_SORT_SEQ = DISCON_DB_ROW_COUNT,
};
/* _discon_events.bits: an event row's small fields in one integer (why:
 * the size argument in tools/db/schema.c), from bit 0 up, the fields every
 * row has lowest: a trap row's value stays below 2^23 (3 bytes in
 * SQLite's record format) for kind ids below 127, a RETURN row's below
 * 2^13. Plain numbers: the
 * views and updates spell them into their SQL (DISCON_DB_STR). */
#define DISCON_DB_BITS_TYPE 31          /* bits 0-4: the event's type (a valid one:
                                           schema/discon_types.h, the reader checks) */
#define DISCON_DB_BITS_TO_MODE 5        /* 5-6: how to_pc is stored: DISCON_DB_TO_* */
#define DISCON_DB_BITS_TO_LEVEL 7       /* 7-9: a level code of to_level (below) */
#define DISCON_DB_BITS_FROM_LEVEL 10    /* 10-12: a level code of from_level */
#define DISCON_DB_BITS_ORIGIN 13        /* 13-15: the trap's origin (enum discon_level);
                                           0, DISCON_LEVEL_UNKNOWN: NULL */
#define DISCON_DB_BITS_KIND 16          /* 16-25: its trap's kind id + 1; 0: starts none */
#define DISCON_DB_BITS_KIND_MAX 1022    /* the largest kind id that fits */
#define DISCON_DB_BITS_PAIR_HAS 26      /* 26-30: a folded pair's delivery's has bits */
#define DISCON_DB_BITS_INTERRUPT 31     /* 31-39: the trap's interrupt number + 1 (0: none,
                                           DISCON_DB_INTERRUPT_MAX at most), or
                                           DISCON_DB_INTERRUPT_CAUSE */
#define DISCON_DB_BITS_TRAP 0xff83ffe000 /* bits 13-25 and 31-39: what a trap sets */
#define DISCON_DB_BITS_WIDE_TO 40       /* 40-47: to_level where its code is WIDE */
#define DISCON_DB_BITS_WIDE_FROM 48     /* 48-55: from_level where its code is WIDE */
/* How to_pc is stored, whichever is shortest (|difference| at most
 * DISCON_DB_TO_DIFF_MAX: 3 bytes, where a kernel address takes 6): as it
 * is, minus from_pc (an interrupt or a fault in the kernel, a return to
 * the next instruction), or minus the trace's traces.to_pc_base (the
 * handler of the first trap from far away, as from user space: the other
 * handlers are near it, arm64's vector table in 2 KiB, riscv's stvec one
 * address, x86's IDT entries in the kernel's text). */
#define DISCON_DB_TO_RAW 0
#define DISCON_DB_TO_FROM_PC 1
#define DISCON_DB_TO_BASE 2
#define DISCON_DB_TO_DIFF_MAX 8388607
/* In C: the to_pc of an event row that stores `stored` with `bits`, whose
 * from_pc is from_pc and whose trace's to_pc_base is base (unsigned sums
 * wrap as the loader's differences did). */
static inline uint64_t discon_db_to_pc(int64_t stored, int64_t bits, uint64_t from_pc,
                                       uint64_t base)
{
    int64_t mode = bits >> DISCON_DB_BITS_TO_MODE & 3;
    return (uint64_t)stored + (mode == DISCON_DB_TO_FROM_PC ? from_pc
                               : mode == DISCON_DB_TO_BASE  ? base
                                                            : 0);
}
/* In SQL: the to_pc of event row E (a table name or alias) whose trace's
 * to_pc_base is the SQL expression BASE, as the mode in its bits says. */
#define DISCON_DB_TO_PC_SQL(E, BASE)                                                   \
    "(" E ".to_pc + CASE " E ".bits >> " DISCON_DB_STR(DISCON_DB_BITS_TO_MODE) " & 3"  \
    " WHEN " DISCON_DB_STR(DISCON_DB_TO_FROM_PC) " THEN " E ".from_pc"                 \
    " WHEN " DISCON_DB_STR(DISCON_DB_TO_BASE) " THEN " BASE " ELSE 0 END)"
/* The interrupt numbers tools/analysis/trap_kind.h gives: an x86 vector
 * (32-255) fits the field; a riscv interrupt code is its cause without
 * bit 63, so any code, however large, is this escape: cause & ~(1 << 63). */
#define DISCON_DB_INTERRUPT_MAX 509
#define DISCON_DB_INTERRUPT_CAUSE 511
/* A level code (3 bits): 0 not recorded, level + 1 for levels 0-5 (every
 * level QEMU-FACTS lists: EL0-3, U/S/M, CPL 0-3), DISCON_DB_LEVEL_WIDE
 * for any other (a level is a byte in the format): the level is then in
 * its WIDE field. */
#define DISCON_DB_LEVEL_WIDE 7
/* _discon_events.ret_pack: what a folded RETURN (tools/db/schema.c) says
 * beside its time (ret_dt) and from_pc (ret_from, against the row's
 * to_pc), from bit 0 up; NULL: no folded RETURN. Either it closed the
 * row's trap (FOLLOWS clear), and the trap's pairing rides along, or it
 * is only the vCPU's next event after the row, a RETURN row itself (an
 * x86 IRET to the next instruction, closing nothing). A RETURN is folded
 * only when every field fits. */
#define DISCON_DB_RET_FOLLOWS 0        /* bit 0: no pairing; to_pc against its own from_pc */
#define DISCON_DB_RET_TO_LEVEL 1       /* 1-3: the RETURN's to_level code (no WIDE) */
#define DISCON_DB_RET_FROM_LEVEL 4     /* 4-6: its from_level code (no WIDE) */
#define DISCON_DB_RET_DTO 7            /* 7-11: its to_pc minus the row's from_pc (FOLLOWS:
                                          minus its own), zigzag */
#define DISCON_DB_RET_DTO_MAX 15       /* |to_pc difference| that fits (and -16) */
#define DISCON_DB_RET_DSEQ 12          /* 12-16: its seq minus the row's seq, minus 1 */
#define DISCON_DB_RET_DSEQ_MAX 32
#define DISCON_DB_RET_DEPTH 17         /* 17-22: the trap's nesting depth - 1 */
#define DISCON_DB_RET_DEPTH_MAX 64
#define DISCON_DB_RET_PARENT 23        /* 23-38: the trap's seq minus its parent's; 0 none */
#define DISCON_DB_RET_PARENT_MAX 65535
/* _discon_events.pair of a folded x86 pair: the delivery's time minus the
 * row's, shifted up by DISCON_DB_PAIR_SHIFT, over its from_pc minus the
 * row's as a zigzag of that many bits (a few bytes into one translation
 * block: 0 to 46 on the x86_64 boot); folded only when both fit. */
#define DISCON_DB_PAIR_SHIFT 7
#define DISCON_DB_PAIR_DPC_MAX 63      /* |from_pc difference| that fits (and -64) */
#define DISCON_DB_PAIR_DT_MAX ((INT64_C(1) << 55) - 1)
#define DISCON_DB_STR_(x) #x
#define DISCON_DB_STR(x) DISCON_DB_STR_(x)
enum { DISCON_DB_SYM_ADDR, DISCON_DB_SYM_END, DISCON_DB_SYM_NAME };
enum {
    DISCON_DB_AGG_SECOND, DISCON_DB_AGG_VCPU, DISCON_DB_AGG_TYPE, DISCON_DB_AGG_TO_PC,
    DISCON_DB_AGG_COUNT, DISCON_DB_AGG_KIND, /* KIND: a kind id (discon_kind_by_id) */
};

/* The events of an event row (DISCON_DB_ROW_*, IS_LOSS 0 or 2) of `s`:
 * e[0] and, for a folded x86 pair, e[1] (the delivery), their `has` bits
 * from which cause columns are not NULL; and *ret, the RETURN folded into
 * the row (type DISCON_RETURN), or type 0 when it holds none. The one
 * reader of stored events. A folded RETURN comes after e[] on its vCPU
 * but may come after later rows too (its seq says where: events nested
 * in the trap it closes): the caller places it. Returns 1 or 2 (how many
 * in e), or, for a damaged or tampered file (e is then filled but not to
 * be fed): -1 when its type is no event type of schema/discon_types.h or
 * a folded row is not an EXCEPTION, -2 when a packed field holds what no
 * loader writes (to_pc mode 3; a folded RETURN's ret_pack not an integer
 * of its DISCON_DB_RET_* fields, a WIDE level code in it, FOLLOWS on
 * other than a RETURN row or missing on one). */
int discon_db_row_events(sqlite3_stmt *s, struct discon_event e[2], struct discon_event *ret);
/* The same from the row's values v[DISCON_DB_ROW_VCPU .. DISCON_DB_ROW_TO_BASE]
 * (the arguments of an SQL function given the row's columns in that
 * order: tools/db/event_batches.c): discon_db_row_events reads through
 * it. */
int discon_db_values_events(sqlite3_value *const *v, struct discon_event e[2],
                            struct discon_event *ret);

/* Prepare query `q`, its parameter 1 still to bind (see above). 0 or
 * DISCON_DB_E_SQLITE (detail set;
 * a discon database of this version always prepares them, so this means a
 * damaged or tampered file). The caller finalizes *out. */
int discon_db_query(struct discon_db *db, enum discon_db_query q, sqlite3_stmt **out);

#endif
