/*
 * (PC, tag) -> count, open addressing: the report's handler, source and
 * per-kind tables, and the exception handlers whose counts place a
 * kernel's symbols (the KASLR slide, symbols.h discon_symbols_for_trace)
 * for discon-record's summary. Grows by doubling at half full.
 */
#ifndef DISCON_PC_COUNTS_H
#define DISCON_PC_COUNTS_H

#include <stddef.h>
#include <stdint.h>

/* The tag is the event type for handler and source tables, the kind id
 * + 1 for per-kind tables; never 0 for a used slot. Zero-initialize;
 * free with pc_counts_free. */
struct pc_counts {
    uint64_t *pc;
    uint32_t *type; /* the tag */
    uint64_t *count;
    size_t cap, n;
};

/* Add n to (pc, tag) of c (tag not 0). 0 or -1 (out of memory; c keeps
 * what it had). */
int pc_counts_add(struct pc_counts *c, uint64_t pc, uint32_t tag, uint64_t n);
void pc_counts_free(struct pc_counts *c);

/* Sorted view of a pc_counts table: indices into c's arrays by count,
 * descending (equal counts by PC), of the entries with this tag (0: all),
 * ended by SIZE_MAX; malloc'ed (the caller frees), NULL if out of memory.
 * Not thread-safe (qsort's comparator reads a static). */
size_t *pc_counts_sorted(const struct pc_counts *c, uint32_t tag);

#endif
