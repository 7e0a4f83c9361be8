/*
 * A string interning table for the Perfetto writer (render_perfetto.c):
 * each distinct string gets an iid, 1, 2, ... in order of first use, as
 * Perfetto's InternedData tables want (0 means "not set"). One table per
 * InternedData field; the writer emits a string's entry in the packet
 * that first uses it. Memory grows with distinct strings (kind + handler
 * names, symbols), never with traps.
 */
#ifndef DISCON_PERFETTO_INTERN_H
#define DISCON_PERFETTO_INTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zero-initialise ({0}) before the first call. */
struct perfetto_intern {
    char **key;    /* cap slots, open addressing; owned copies */
    uint64_t *iid; /* of key[i]; 0: empty slot */
    size_t cap, n;
};

/* The iid of string s (NUL-terminated; copied when new), and in *added
 * whether this call gave it (the caller then emits its InternedData
 * entry). 0 when out of memory (the table is unchanged). */
uint64_t perfetto_intern(struct perfetto_intern *t, const char *s, bool *added);

/* Frees the copies and slots; t is empty ({0}) after. */
void perfetto_intern_free(struct perfetto_intern *t);

#endif
