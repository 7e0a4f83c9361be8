/*
 * Symbol tables for symbolizing PCs: System.map and /proc/kallsyms text
 * ("ADDR TYPE NAME [MODULE]"), and ELF symbol tables (via libelf). Lookup
 * gives symbol+offset; a KASLR offset can be applied, or found by matching
 * a known symbol against an address seen in the trace.
 */
#ifndef DISCON_SYMBOLS_H
#define DISCON_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct discon_symbol {
    uint64_t addr;
    uint64_t end; /* exclusive; from the ELF size, else the next symbol */
    const char *name;
};

struct discon_symbols {
    struct discon_symbol *sym;
    size_t n, cap;
    char *names; /* storage for every name */
    size_t names_len, names_cap;
};

/* Why a symbol file was refused: functions return the code negated, and
 * write a one-line message naming the file (and line) into err. */
enum discon_sym_err {
    DISCON_SYM_OK = 0,
    DISCON_SYM_E_OPEN,     /* cannot open or map it (errno in the message) */
    DISCON_SYM_E_NOT_FILE, /* a directory, FIFO, device, or an empty file */
    DISCON_SYM_E_SYNTAX,   /* map text with a line that is not ADDRESS TYPE NAME */
    DISCON_SYM_E_NONE,     /* no text symbols (map) or function symbols (ELF) */
    DISCON_SYM_E_ELF,      /* ELF magic, but libelf cannot read it */
    DISCON_SYM_E_NOMEM,
    DISCON_SYM_E_COUNT     /* number of codes; not a code */
};
/* A static one-line message for a code of either sign; never NULL. */
const char *discon_sym_strerror(int code);

/* Load a symbol file, text map or ELF (by its magic) into *s (which the
 * caller frees with discon_symbols_free). 0, or -DISCON_SYM_E_x with err;
 * *s holds nothing to free after a failure. */
int discon_symbols_load(struct discon_symbols *s, const char *path, char *err, size_t errlen);
/* Parse map text (System.map / kallsyms format) of len bytes, not
 * necessarily NUL-terminated; exposed for tests. 0, or -DISCON_SYM_E_x. */
int discon_symbols_parse_map(struct discon_symbols *s, const char *text, size_t len, char *err,
                             size_t errlen);

/* Build a table by hand (e.g. from a database): add, then sort once.
 * end == 0 means "up to the next symbol". */
int discon_symbols_add(struct discon_symbols *s, uint64_t addr, uint64_t end, const char *name);
void discon_symbols_sort(struct discon_symbols *s);

/*
 * The KASLR slide of a kernel: the offset that moves a known entry point
 * (x86_64: asm_exc_page_fault; aarch64: vectors + 0x200 or + 0x400) onto one
 * of the trace's most frequent exception handlers (`handlers`, most frequent
 * first), and is a multiple of the architecture's KASLR alignment (which
 * also rules out aliases such as arm64's trampoline vectors). 0, or -1.
 */
int discon_kaslr_find(const struct discon_symbols *s, const char *target,
                      const uint64_t *handlers, size_t n, int64_t *offset);
/* How many of the most frequent exception handlers the tools offer it. */
#define DISCON_KASLR_HANDLERS 16

/* The --kaslr-offset option of the tools: a hex offset, or "auto" (find it
 * with discon_kaslr_find). */
struct discon_kaslr_option {
    bool given;
    bool automatic;
    int64_t offset; /* when given and not automatic */
};
/* 0, or -1 if `arg` is neither hex nor "auto". */
int discon_kaslr_option_parse(const char *arg, struct discon_kaslr_option *out);

/* Add `offset` to every address (KASLR slide). */
void discon_symbols_relocate(struct discon_symbols *s, int64_t offset);

/* The symbol containing addr, and the offset into it; NULL if none. */
const struct discon_symbol *discon_symbols_find(const struct discon_symbols *s, uint64_t addr,
                                                uint64_t *offset);
const struct discon_symbol *discon_symbols_by_name(const struct discon_symbols *s,
                                                   const char *name);

void discon_symbols_free(struct discon_symbols *s);

#endif
