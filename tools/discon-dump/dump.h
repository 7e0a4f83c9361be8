/* discon-dump: what a trace holds, one line per event or per trap. */
#ifndef DISCON_DUMP_H
#define DISCON_DUMP_H

#include "trace_reader.h"
#include "tool_args.h"
#include "trap_kind.h"
#include "discon_traps.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum dump_format { DUMP_TEXT, DUMP_CSV, DUMP_JSON };

/* What to print: every option of the command line. */
struct dump_options {
    enum dump_format format;
    bool traps;            /* one line per trap (schema/discon_traps.h) */
    bool any_vcpu;         /* false: only `vcpu` */
    uint32_t vcpu;
    uint32_t types;        /* mask of discon_types.h values */
    struct discon_window span; /* --from/--to, ns from the trace start */
    const char *trace;     /* --trace ID: only this trace's files; or NULL */
};

/* One printed line of an event, a trap or a loss (type 0: none). */
struct dump_row {
    const char *record;    /* "event", "trap", "loss" */
    uint32_t vcpu;
    uint64_t seq;          /* a loss: its first sequence number */
    bool has_time;         /* false: a loss whose time is unknown */
    uint64_t time_ns;      /* a loss: the first lost event's time */
    int64_t rel_ns;        /* time_ns - the trace's start */
    unsigned type;
    bool has_pcs;
    uint64_t from_pc, to_pc;
    bool has_causes;       /* false for a loss */
    uint8_t has;           /* which cause fields are set (schema/event.h) */
    uint8_t to_level, from_level;
    uint64_t cause, fault_addr, syscall;
    uint64_t count;        /* raw events: 1 per event, 1 or 2 per trap, the loss's count */
    const char *kind;      /* a trap's kind and the level it came from (trap_kind.h): */
    const char *origin;    /* static strings; NULL for events and losses */
};

/* Printing, in the chosen format (output.c). The header line (CSV, text)
 * first; then each line (event, trap, loss, damage, gap) returns 0, or -1
 * if out of memory. */
void dump_begin(enum dump_format f, bool traps);
int dump_row(enum dump_format f, const struct dump_row *r);
int dump_damage(enum dump_format f, const struct discon_damage *d);
int dump_gap(enum dump_format f, uint32_t vcpu, uint64_t expected, uint64_t got);

/* Read paths and print (read.c). Returns the reader's result
 * (DISCON_READ_INTACT, DISCON_READ_DAMAGED or -DISCON_E_x, with err) */
int dump_paths(const struct dump_options *o, char *const *paths, int n, char *err,
               size_t errlen);

#endif
