/*
 * discon-report: the model a report is built from. Inputs (trace files or
 * a trace2sqlite database) feed raw events in per-vCPU order; traps come
 * from the one set of rules in tools/analysis. Memory grows with distinct
 * PCs and seconds, not with events.
 */
#ifndef DISCON_REPORT_H
#define DISCON_REPORT_H

#include "discon.pb-c.h"
#include "event.h"
#include "pc_counts.h"
#include "symbols.h"
#include "tool_args.h"
#include "trap_kind.h"
#include "trap_rules.h"
#include "discon_traps.h"
#include "discon_complete.h"
#include "postmortem.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define REPORT_CONTEXT 3       /* traps shown before and after a double trap */
#define REPORT_MAX_ITEMS 100   /* double traps, loops and losses listed */
#define REPORT_MAX_VCPUS 4096
#define REPORT_MAX_SECONDS (1 << 21) /* rate kept for 24 days from the start */
#define REPORT_KIND_SOURCES 5  /* hottest sources shown per kind */

struct report;
/* An observer of every trap the report counts (the timeline outputs,
 * timeline.c): taken when a trap is taken, ended when a paired trap ends
 * (t->end and, for a returned trap, return_* set). r is the report being
 * fed, t valid during the call only. Non-zero stops the reading (-1). */
struct report_trap_hook {
    void *ctx;
    int (*taken)(void *ctx, const struct report *r, const struct discon_trap *t);
    int (*ended)(void *ctx, const struct report *r, const struct discon_trap *t);
};

struct report_opts {
    unsigned top;          /* rows per frequency table */
    long vcpu;             /* only this vCPU, or -1 */
    struct discon_window span; /* --from/--to, ns from the trace start */
    uint64_t window;       /* double trap: bytes after the first handler */
    uint64_t time_bound_ns;
    uint64_t loop;         /* fault loop: consecutive exceptions of one kind at one PC */
    unsigned tail;         /* last events per vCPU */
    const struct discon_symbols *syms;
    const char *symbols_note; /* --symbols: files and KASLR slide, one line; or NULL */
    const struct report_trap_hook *hook; /* or NULL; borrowed */
    const char *trace;     /* --trace ID (hex prefix), or NULL: the inputs' only trace */
    uint64_t last_ns;      /* --last: the post-mortem view (postmortem.h); 0: none */
    int64_t at_ns;         /* --at: its instant, ns from the start; -1: the end */
};

/* What discon_trap_why reads of a trap, plus its source: traps with equal
 * keys are of one kind, whatever symbols are placed later. */
struct why_key {
    uint64_t from_pc, to_pc, cause;
    uint8_t type, has, to_level, from_level; /* has: CAUSE, TO_LEVEL, FROM_LEVEL only */
};

/* why_key -> count, open addressing: grows with distinct (PC, cause) pairs. */
struct why_counts {
    struct why_key *key;
    uint64_t *count; /* 0: free slot */
    size_t cap, n;
};

/* Handler time, exact nesting (nesting.c, handler_time.c): for traces
 * that recorded returns (discon_trace_has_returns). */
#define REPORT_CHAIN 6          /* enclosing open traps kept per chain */
#define REPORT_TIME_BUCKETS 1920 /* log-linear: exact below 64 ns, then 32 per octave */

/* A trap and the traps open around it when it was taken (or, at the end
 * of the trace, when the trace ended): the innermost REPORT_CHAIN of
 * them, outermost first; depth says how many there were in all. */
struct trap_chain {
    struct discon_trap trap;
    struct discon_trap open[REPORT_CHAIN];
    unsigned nopen;
};

/* Durations of returned traps with one naming key (struct why_key with
 * from_pc 0: a trap's kind never depends on its source). */
struct handler_time {
    struct why_key key;
    uint64_t count, total_ns, min_ns, max_ns;
    uint32_t *hist; /* REPORT_TIME_BUCKETS counts; NULL: free slot */
};

/* The same per kind, once named (report_name_traps), by total descending. */
struct kind_time {
    const struct discon_kind *kind;
    uint64_t count, total_ns, min_ns, p50_ns, p99_ns, max_ns;
};

struct nesting {
    bool paired;       /* the trace recorded returns: every rule below holds */
    uint64_t returns, unmatched, nested, nested_interrupts, max_depth;
    uint64_t by_end[DISCON_TRAP_TOO_DEEP + 1]; /* traps by how they ended */
    struct trap_chain doubles[REPORT_MAX_ITEMS], open_at_end[REPORT_MAX_ITEMS];
    size_t ndoubles, doubles_total;
    size_t nopen, open_total;  /* vCPUs with traps open at the end */
    bool any_at_end;           /* at_end_vcpu: the vCPU ended last */
    uint32_t at_end_vcpu;
    struct handler_time *times;
    size_t ntimes, times_cap;
    struct kind_time *kinds; /* set by report_name_traps */
    size_t nkinds;
};

struct double_trap {
    uint32_t vcpu;
    struct discon_trap before[REPORT_CONTEXT], first, second, after[REPORT_CONTEXT];
    unsigned nbefore, nafter;
};

struct loss {
    uint32_t vcpu;
    uint64_t first_seq, count, first_ns, last_ns;
};

struct vcpu_state {
    bool seen;
    uint64_t events, traps, traps_by_type[DISCON_NTYPES];
    uint64_t last_ns; /* time of its last event: a later one may not be earlier */
    struct discon_trap recent[REPORT_CONTEXT + 1]; /* ring: the last trap and its context */
    unsigned nrecent;
    struct double_trap *open; /* collecting traps after a double trap */
    struct discon_fault_loop run;    /* current run of exceptions at one PC */
    struct discon_event *tail; /* ring of the last events */
    unsigned ntail;
    /* from the end record */
    bool has_totals;
    uint64_t produced, dropped, written;
};

struct report {
    struct report_opts opt;
    /* header */
    bool have_header;
    char trace_id[33], target[32], host[64], rule[32];
    char source[64];  /* "" (the plugin), or "attach to pid N" */
    char lacks[128];  /* the event fields that source cannot record, ", "-joined */
    uint32_t vcpu_count;
    bool system_mode;
    uint64_t clock_mono, clock_real;
    /* totals */
    uint64_t events, traps, events_by_type[DISCON_NTYPES], traps_by_type[DISCON_NTYPES];
    uint64_t beyond_vcpus;   /* events of vCPUs >= REPORT_MAX_VCPUS, not analysed */
    uint64_t time_backwards; /* events earlier than the one before on their vCPU */
    uint64_t first_ns, last_ns;
    struct vcpu_state vcpu[REPORT_MAX_VCPUS];
    uint32_t nvcpus;
    struct pc_counts handlers, sources;
    /* Why: collected per trap, named once symbols are placed (kinds.c). */
    struct discon_trap_namer stream_namer; /* no symbols: for the loop rule only */
    struct why_counts whys;
    struct pc_counts syscalls;     /* nr -> count (tag 1) */
    bool named;                    /* report_name_traps ran */
    struct pc_counts kinds;        /* kind id -> count (tag 1) */
    struct pc_counts kind_sources; /* from_pc, kind id + 1 -> count */
    struct pc_counts interrupts;   /* interrupt number, kind id + 1 -> count */
    uint64_t *per_second[DISCON_NTYPES]; /* traps per second since the start, by type */
    size_t nseconds;
    struct double_trap doubles[REPORT_MAX_ITEMS];
    size_t ndoubles, doubles_total;
    struct discon_fault_loop loops[REPORT_MAX_ITEMS];
    size_t nloops, loops_total;
    struct loss losses[REPORT_MAX_ITEMS];
    size_t nlosses, losses_total;
    uint64_t lost_events;
    /* end and integrity */
    struct discon_completeness complete; /* the one rule, fed every event read */
    bool have_end, producer_finished;
    char qemu_ended[32];  /* End.qemu_ended: "exit N", "signal N"; "" not known */
    char snapshot[16];    /* End.snapshot: a flight-recorder snapshot's trigger; "" none */
    char guest_ended[24]; /* End.guest_ended: "power-off", "reset", ...; "" not seen */
    uint64_t unrecorded;
    bool aggregate_only; /* a database without raw events */
    bool stored_kinds;   /* its kinds table holds the kinds named at load */
    struct discon_symbols db_syms; /* a database's own symbols table */
    char db_symbols_note[96];      /* what a database says of its symbol files */
    struct discon_trap_deriver deriver;
    /* With --symbols: the exception handlers of the whole trace, every
     * vCPU, whatever --from/--to and --vcpu keep, from a deriver of their
     * own. The KASLR slide is found from them, as trace2sqlite finds the
     * one it stores, so a window never changes a trap's kind. */
    bool kaslr_on;
    struct discon_trap_deriver kaslr_deriver;
    struct pc_counts kaslr;
    struct nesting nest;
    struct postmortem *pm; /* --last; NULL without */
};

/* The options of a plain `discon-report TRACE`: every default in one place
 * (the option parser starts from them, and so do the tests). */
struct report_opts report_default_opts(void);

void report_init(struct report *r, const struct report_opts *opt);
void report_free(struct report *r);
/* Feeding, in per-vCPU sequence order. 0, or -1 (out of memory). */
int report_header(struct report *r, const Discon__Header *h);
int report_events(struct report *r, const struct discon_event *ev, size_t n);
/* Nothing open on the vCPU is matched across missing events (a loss, a
 * gap). 0, or -1 (out of memory). */
int report_break(struct report *r, uint32_t vcpu);
int report_loss(struct report *r, uint32_t vcpu, uint64_t first_seq, uint64_t count,
                uint64_t first_ns, uint64_t last_ns);
void report_vcpu_totals(struct report *r, uint32_t vcpu, uint64_t produced, uint64_t dropped,
                        uint64_t written);
/* Counts only (aggregate-only databases): `count` traps in second
 * `second` of the trace, of `type` to handler `to_pc`, of the kind id
 * `kind` trace2sqlite named at load (-1: none), into the kinds table as
 * stored (r->stored_kinds): the database's trap_kinds view counts the same.
 * 0, or -1 (out of memory). */
int report_trap_counts(struct report *r, int64_t second, uint32_t vcpu, uint8_t type,
                       uint64_t to_pc, uint64_t count, int64_t kind);
int report_finish(struct report *r);

/* After report_finish and once the symbols (r->opt.syms) are placed: name
 * every trap through tools/analysis/trap_kind.h into the kinds,
 * kind_sources and interrupts tables, name the fault loops and drop those
 * that turn out to be system calls (x86_64 kinds need the handler's
 * symbol). 0, or -1 if out of memory. kinds.c */
int report_name_traps(struct report *r);
/* Whether exceptions of kind k can form a fault loop: not a system call
 * or firmware/hypervisor call (a call returns past its instruction: a
 * tight loop of them is a program's choice, not a stuck fault), and not
 * the shared "unknown" kind (no cause recorded - cause=off, a trace from
 * before causes, an x86 handler that is no Linux entry symbol, such as a
 * BIOS `int` service - which cannot be told from a call). */
bool report_loop_kind(const struct discon_kind *k);
/* Count one trap's naming inputs (collect.c, per trap). 0 or -1 (memory). */
int report_count_why(struct report *r, const struct discon_trap *t);
void report_whys_free(struct report *r);
/* The naming key of t (kinds.c): what discon_trap_why reads of it. */
struct why_key report_why_key(const struct discon_trap *t);

/* Exact nesting (nesting.c), for traces with returns: the deriver's
 * callbacks, with the report as ctx. report_nesting_take counts depth and
 * nesting and finds double traps: an exception taken while a handler of
 * its level or a more privileged one is open (levels not recorded: any
 * open handler). 0, or -1 if out of memory. */
int report_nesting_take(struct report *r, const struct discon_trap *t);
int report_trap_ended(void *ctx, const struct discon_trap *t);
int report_unmatched_return(void *ctx, const struct discon_event *ret);
/* Handler time (handler_time.c): add a returned trap's duration; name the
 * keys into r->nest.kinds once symbols are placed (namer has them); free. */
int report_time_add(struct report *r, const struct discon_trap *t);
int report_time_name(struct report *r, struct discon_trap_namer *namer);
void report_time_free(struct report *r);
/* Nearest-rank percentile p (0-100] of a histogram of n values from min
 * to max: min or max at the first or last rank, else its bucket's lower
 * bound, never above max (handler_time.c). */
uint64_t report_time_percentile(const uint32_t *hist, uint64_t n, unsigned p, uint64_t min,
                                uint64_t max);
/* Bucket of a duration, and a bucket's lower bound. */
unsigned report_time_bucket(uint64_t ns);
uint64_t report_time_bucket_low(unsigned b);
/* The nesting sections (render_nesting.c): text, the JSON members
 * "handler_time" and "nesting" added to root, CSV tables. */
void render_nesting_text(const struct report *r, FILE *out);
void render_nesting_json(const struct report *r, json_object *root);
void render_nesting_csv(const struct report *r, FILE *out);
/* The trace's duration in seconds (0 if it has fewer than two times). */
double report_duration(const struct report *r);

/* Whether a trap (or unmatched return) of this time is inside --from/--to:
 * a trap belongs to the window by the time of its first event (the rule
 * of tool_args.h, discon_in_window), whole, never half an x86 pair. */
bool report_trap_in_window(const struct report *r, uint64_t time_ns);

/* Whether the trace is complete, by the one rule (discon_complete.h),
 * whatever --vcpu, --from and --to select: the verdict, with one line in
 * why ("since T s: ..." for DISCON_COMPLETE_SINCE, T from the trace
 * start). report_complete: the verdict is DISCON_COMPLETE. */
enum discon_complete_verdict report_completeness(const struct report *r, char *why, size_t len);
bool report_complete(const struct report *r, char *why, size_t len);

/* Inputs. 0, or -1 with one line in err (exit 1); 3 if the files were
 * damaged. report_read_db (input_db.c) reads through tools/db and refuses
 * a file that is not a discon database of this schema version. */
int report_read_files(struct report *r, char *const *paths, int n, char *err, size_t errlen);
int report_read_db(struct report *r, const char *path, char *err, size_t errlen);

/* Output. The kind sections (render_kinds.c) come first after the
 * summary; they need report_name_traps. */
void render_text(const struct report *r, FILE *out);
void render_kinds_text(const struct report *r, FILE *out);
/* The kind sections as the JSON members "trap_kinds", "kind_sources",
 * "syscalls" and "interrupts" added to root. */
void render_kinds_json(const struct report *r, json_object *root);
void render_kinds_csv(const struct report *r, FILE *out);
/* A trap's kind name, with the trace's placed symbols (render_nesting.c). */
const char *report_kind_name(const struct report *r, const struct discon_trap *t);
/* A PC as "symbol+0xoff", or "0x..." without a symbol, in buf (a symbol
 * longer than len - 1 is cut: for fixed-width text only, see
 * report_symbol_new). */
const char *report_symbol_or_hex(const struct report *r, uint64_t pc, char *buf, size_t len);
/* The whole report as one JSON object on out (render_json.c). 0, or -1
 * if out of memory or out could not be written. */
int render_json(const struct report *r, FILE *out);
void render_csv(const struct report *r, FILE *out);

/* "symbol+0xoff" or "" in buf, cut to len - 1 bytes (see report_symbol_new). */
const char *report_symbol(const struct report *r, uint64_t pc, char *buf, size_t len);
/* The symbol of pc, whole, as "symbol+0xoff", or "" when none covers it:
 * a malloc'ed string the caller frees; NULL if out of memory (json_out.c).
 * The name is made printable (common/printable.h: valid UTF-8 is kept,
 * control bytes and invalid UTF-8 become "\xNN"). */
char *report_symbol_new(const struct report *r, uint64_t pc);

/* JSON values through json-c (json_out.c); each returns a new reference
 * (NULL if out of memory, which json-c then writes as null). */
/* s as a JSON string of valid UTF-8: valid UTF-8 is kept; control bytes
 * and bytes that are not UTF-8 become "\xNN" (common/printable.h). */
json_object *report_json_text(const char *s);
/* v as a JSON number written with `digits` fraction digits. */
json_object *report_json_fixed(double v, int digits);
/* ns as seconds from the trace's start, 9 fraction digits. */
json_object *report_json_seconds(const struct report *r, uint64_t ns);
/* Add key: "0x..." and key_symbol: the whole symbol ("" without one) to o. */
void report_json_add_pc(const struct report *r, json_object *o, const char *key, uint64_t pc);
/* A trap: {time_s, type, from, from_symbol, to, to_symbol, events}. */
json_object *report_json_trap(const struct report *r, const struct discon_trap *t);
/* root on out, spaced, one line and a newline. 0, or -1. */
int report_json_write(json_object *root, FILE *out);
const char *report_type_name(unsigned type);

#endif
