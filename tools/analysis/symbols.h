/*
 * Symbol tables for symbolizing PCs: System.map and /proc/kallsyms text
 * ("ADDR TYPE NAME [MODULE]"), and ELF symbol tables (via libelf):
 * functions, and code labels of ELF files that have no functions.
 *
 * One table per file as loaded (symbols_file.c); the table a trace is
 * symbolized with is built from them in one place (symbols_trace.c):
 * several files merged, the kernel's files slid by the KASLR slide, the
 * arm64 KPTI trampoline alias named, and one name kept per address
 * (symbols.c, the rule below). trace2sqlite stores that table, and
 * discon-report uses it, so both show the same name for every address.
 *
 * One name per address (discon_symbols_sort, then discon_symbols_unalias):
 * of the names at one address the first by these rules is shown:
 *   1. never an ELF mapping symbol ($x, $d, $a, $t...): not loaded at all;
 *   2. not a section boundary marker (a name starting with '_' and ending
 *      in _start, _end or _begin: __entry_tramp_text_start marks where a
 *      section begins, tramp_vectors says what the code there is);
 *   3. not a __pfx_ padding symbol (x86 function padding);
 *   4. an ELF function (STT_FUNC) before a bare label (STT_NOTYPE);
 *   5. global or weak (T, W; STB_GLOBAL, STB_WEAK) before local (t;
 *      STB_LOCAL): the name callers use;
 *   6. fewer leading underscores (memset before __memset before
 *      __pi_memset), then the shorter name, then byte order: a total
 *      order, so the result does not depend on the order of the input.
 */
#ifndef DISCON_SYMBOLS_H
#define DISCON_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* discon_symbol.flags: what the file said about a symbol (rule above). */
enum {
    DISCON_SYMF_LOCAL = 1, /* kallsyms/System.map 't', ELF STB_LOCAL */
    DISCON_SYMF_LABEL = 2, /* ELF STT_NOTYPE in an executable section */
};

struct discon_symbol {
    uint64_t addr;
    uint64_t end;     /* exclusive; addr + size, else the next symbol's address */
    const char *name; /* into the table's storage; valid until the table next
                       * grows (discon_symbols_add): sort rebuilds it */
    uint64_t size;    /* from the file (ELF st_size); 0: unknown */
    size_t name_off;  /* offset of the name in the storage */
    unsigned flags;   /* DISCON_SYMF_* */
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
    DISCON_SYM_E_NONE,     /* no text symbols (map) or function/label symbols (ELF) */
    DISCON_SYM_E_ELF,      /* ELF magic, but libelf cannot read it */
    DISCON_SYM_E_NOMEM,
    DISCON_SYM_E_COUNT     /* number of codes; not a code */
};
/* A static one-line message for a code of either sign; never NULL. */
const char *discon_sym_strerror(int code);

/* Load a symbol file, text map or ELF (by its magic) into *s (which the
 * caller frees with discon_symbols_free), sorted, aliases kept (by_name
 * finds every name). ELF: STT_FUNC symbols; code labels (STT_NOTYPE in
 * an executable section, not a $ mapping symbol) as well, so a
 * bare-metal guest written in assembly gets names. 0, or -DISCON_SYM_E_x
 * with err; *s holds nothing to free after a failure. */
int discon_symbols_load(struct discon_symbols *s, const char *path, char *err, size_t errlen);
/* Parse map text (System.map / kallsyms format) of len bytes, not
 * necessarily NUL-terminated; exposed for tests. 0, or -DISCON_SYM_E_x. */
int discon_symbols_parse_map(struct discon_symbols *s, const char *text, size_t len, char *err,
                             size_t errlen);

/* Build or extend a table: add (size 0 = "up to the next symbol"; flags
 * DISCON_SYMF_*), then sort once before any lookup. 0, or -1 when out of
 * memory. Adding invalidates the `name` pointers until the next sort. */
int discon_symbols_add_flags(struct discon_symbols *s, uint64_t addr, uint64_t size,
                             const char *name, size_t len, unsigned flags);
/* The same for a NUL-terminated name and an end address (0: unknown). */
int discon_symbols_add(struct discon_symbols *s, uint64_t addr, uint64_t end, const char *name);
/* Append every symbol of `from` (sorted), moved by `slide`, each keeping
 * the end it has in `from` (a sizeless symbol of one file is not bounded
 * by another file's symbols). 0, or -1 (out of memory). */
int discon_symbols_append(struct discon_symbols *s, const struct discon_symbols *from,
                          int64_t slide);
/* Sort by address and, at one address, by the rule above (preferred name
 * first); bound sizeless symbols by the next address. Idempotent. */
void discon_symbols_sort(struct discon_symbols *s);
/* Keep only the preferred name at each address (the table sorted). */
void discon_symbols_unalias(struct discon_symbols *s);

/* Add `offset` to every address (KASLR slide). */
void discon_symbols_relocate(struct discon_symbols *s, int64_t offset);

/* The symbol containing addr (the preferred name where several start at
 * one address), and the offset into it; NULL if none. */
const struct discon_symbol *discon_symbols_find(const struct discon_symbols *s, uint64_t addr,
                                                uint64_t *offset);
const struct discon_symbol *discon_symbols_by_name(const struct discon_symbols *s,
                                                   const char *name);

void discon_symbols_free(struct discon_symbols *s);

/*
 * The KASLR slide of a kernel: the offset that moves a known entry point
 * (x86_64: asm_exc_page_fault; aarch64: vectors + 0x200 or + 0x400) onto one
 * of the trace's most frequent exception handlers (`handlers`, most frequent
 * first), and is a multiple of the architecture's KASLR alignment (which
 * also rules out most aliases such as arm64's trampoline vectors). A slide
 * of 0 that fits any handler wins (symbols read from the traced boot
 * already match). 0, or -1 when nothing fits (no anchor symbol in s, no
 * handler matches, or an unknown target).
 */
int discon_kaslr_find(const struct discon_symbols *s, const char *target,
                      const uint64_t *handlers, size_t n, int64_t *offset);
/* Whether s holds one of target's anchor symbols (a kernel's map or ELF). */
bool discon_kaslr_has_anchor(const struct discon_symbols *s, const char *target);
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

/*
 * arm64 KPTI: name the fixmap alias (TRAMP_VALIAS) of tramp_vectors, where
 * every trap from EL0 enters. s: the trace's table, slid, sorted; handlers:
 * its most frequent exception handlers. Adds 16 symbols of 0x80 bytes
 * ("tramp_vectors EL0 sync", ...) per 2 KiB vector table that holds
 * one of the handlers, and sorts s; see symbols_tramp.c for how the alias
 * is recognised. Returns how many tables were named (0 when the target is
 * not aarch64, the kernel has no tramp_vectors, or no handler is in its
 * alias), or -1 when out of memory.
 */
int discon_symbols_name_tramp_alias(struct discon_symbols *s, const char *target,
                                    const uint64_t *handlers, size_t n);
/* The name of the vector at `offset` (0 .. 0x7ff) into an AArch64 vector
 * table (Arm ARM D1.10.2): "EL1t sync" ... "EL0 SError (AArch32)". */
const char *discon_arm64_vector_name(uint64_t offset);

/* Several --symbols files (kernel map, modules, firmware, a bare-metal ELF),
 * each loaded on its own and kept unslid, in the order given. */
#define DISCON_SYMBOL_FILES_MAX 16
struct discon_symbol_files {
    struct discon_symbols file[DISCON_SYMBOL_FILES_MAX];
    const char *path[DISCON_SYMBOL_FILES_MAX]; /* borrowed */
    size_t n;
};
/* Load paths[0..n) (n <= DISCON_SYMBOL_FILES_MAX). 0, or -DISCON_SYM_E_x
 * with err naming the file; nothing to free after a failure. */
int discon_symbol_files_load(struct discon_symbol_files *f, const char *const *paths, size_t n,
                             char *err, size_t errlen);
void discon_symbol_files_free(struct discon_symbol_files *f);

/* What discon_symbols_for_trace did. */
struct discon_symbol_placement {
    int64_t slide;                          /* the KASLR slide found or given */
    bool found;                             /* auto: a handler matched (else slide 0) */
    bool slid[DISCON_SYMBOL_FILES_MAX];     /* which files the slide was applied to */
    int tramp_tables;                       /* arm64 trampoline tables named */
};

/*
 * The one table a trace is symbolized with, into *out (freed by the
 * caller with discon_symbols_free): every file of f merged; the KASLR
 * slide applied to the files that hold the target's anchor symbols (the
 * kernel), and to every file when none does and the offset was given in
 * hex; the arm64 trampoline alias named; one name per address. target:
 * the trace's QEMU target (may be NULL); kaslr: not given = auto;
 * handlers: the trace's most frequent exception handlers, most frequent
 * first. `auto` that finds nothing slides by 0. 0, or -1 when out of memory.
 */
int discon_symbols_for_trace(struct discon_symbols *out, const struct discon_symbol_files *f,
                             const char *target, const struct discon_kaslr_option *kaslr,
                             const uint64_t *handlers, size_t n,
                             struct discon_symbol_placement *placed);

#endif
