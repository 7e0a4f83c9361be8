/*
 * Symbol tables for symbolizing PCs: System.map and /proc/kallsyms text
 * ("ADDR TYPE NAME [MODULE]"), and ELF symbol tables (via libelf). Lookup
 * gives symbol+offset; a KASLR offset can be applied, or found by matching
 * a known symbol against an address seen in the trace.
 */
#ifndef DISCON_SYMBOLS_H
#define DISCON_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct discon_symbol {
    uint64_t addr;
    uint64_t end; /* exclusive; from the ELF size, else the next symbol */
    const char *name;
};

struct discon_symbols {
    struct discon_symbol *sym;
    size_t n;
    char *names; /* storage for every name */
    size_t names_len, names_cap;
};

/* Load a symbol file, text map or ELF (by its magic). 0, or -1 with err. */
int discon_symbols_load(struct discon_symbols *s, const char *path, char *err, size_t errlen);
/* Parse map text (System.map / kallsyms format); exposed for tests. */
int discon_symbols_parse_map(struct discon_symbols *s, const char *text, size_t len, char *err,
                             size_t errlen);

/* Add `offset` to every address (KASLR slide). */
void discon_symbols_relocate(struct discon_symbols *s, int64_t offset);

/* The symbol containing addr, and the offset into it; NULL if none. */
const struct discon_symbol *discon_symbols_find(const struct discon_symbols *s, uint64_t addr,
                                                uint64_t *offset);
const struct discon_symbol *discon_symbols_by_name(const struct discon_symbols *s,
                                                   const char *name);

void discon_symbols_free(struct discon_symbols *s);

#endif
