/* The table a trace is symbolized with: KASLR slide, several files merged,
 * the arm64 trampoline alias named, one name per address (symbols.h). */
#include "symbols.h"
#include "number_option.h"

#include <string.h>

static const struct anchor {
    const char *target, *symbol;
    uint64_t entry;     /* handler = symbol + entry */
    uint64_t alignment; /* of the KASLR slide */
} anchors[] = {
    {"x86_64", "asm_exc_page_fault", 0, 2u << 20},
    {"aarch64", "vectors", 0x200, 64u << 10}, /* synchronous, from EL1 */
    {"aarch64", "vectors", 0x400, 64u << 10}, /* synchronous, from EL0 */
};
#define NANCHORS (sizeof anchors / sizeof anchors[0])

bool discon_kaslr_has_anchor(const struct discon_symbols *s, const char *target)
{
    for (size_t i = 0; target && i < NANCHORS; i++)
        if (strcmp(target, anchors[i].target) == 0 && discon_symbols_by_name(s, anchors[i].symbol))
            return true;
    return false;
}

/* The slide that puts anchor a on handler h, if it is a possible one. */
static bool fits(const struct discon_symbols *s, const struct anchor *a, uint64_t h, int64_t *off)
{
    const struct discon_symbol *sym = discon_symbols_by_name(s, a->symbol);
    if (!sym)
        return false;
    uint64_t d = h - (sym->addr + a->entry);
    *off = (int64_t)d;
    return d % a->alignment == 0;
}

int discon_kaslr_find(const struct discon_symbols *s, const char *target,
                      const uint64_t *handlers, size_t n, int64_t *offset)
{
    if (!target)
        return -1;
    /* Slide 0 first: symbols read from the traced boot (or a kernel
     * without KASLR) match as they are, whatever else happens to fit. */
    for (int zero = 1; zero >= 0; zero--)
        for (size_t h = 0; h < n; h++)
            for (size_t i = 0; i < NANCHORS; i++) {
                int64_t off;
                if (strcmp(target, anchors[i].target) == 0 &&
                    fits(s, &anchors[i], handlers[h], &off) && (off == 0) == (zero == 1)) {
                    *offset = off;
                    return 0;
                }
            }
    return -1;
}

int discon_kaslr_option_parse(const char *arg, struct discon_kaslr_option *out)
{
    uint64_t off = 0;
    bool automatic = strcmp(arg, "auto") == 0;
    if (!automatic && discon_parse_hex(arg, &off) != 0)
        return -1;
    *out = (struct discon_kaslr_option){.given = true, .automatic = automatic,
                                        .offset = (int64_t)off};
    return 0;
}

/*
 * Which files the slide moves. KASLR moves the kernel image, so the slide
 * applies to the files holding the kernel's anchor symbols (its map or
 * vmlinux), and only to them: firmware and a bare-metal guest are not
 * moved by the kernel; module symbols are listed by /proc/kallsyms where
 * the modules were loaded in that boot (the kernel slide says nothing
 * about another boot's module addresses). Only when no file holds an
 * anchor and the offset was given in hex does it apply to every file: the
 * user said to slide, and there is no kernel file to choose.
 */
static void choose_files(const struct discon_symbol_files *f, const char *target,
                         const struct discon_kaslr_option *kaslr, bool *slid)
{
    bool any = false;
    for (size_t i = 0; i < f->n; i++)
        any |= slid[i] = discon_kaslr_has_anchor(&f->file[i], target);
    if (!any && kaslr->given && !kaslr->automatic)
        for (size_t i = 0; i < f->n; i++)
            slid[i] = true;
}

/* The slide: given, or found on the first kernel file; 0 if none fits. */
static void find_slide(const struct discon_symbol_files *f, const char *target,
                       const struct discon_kaslr_option *kaslr, const uint64_t *handlers,
                       size_t n, struct discon_symbol_placement *p)
{
    if (kaslr->given && !kaslr->automatic) {
        p->slide = kaslr->offset;
        return;
    }
    for (size_t i = 0; i < f->n && !p->found; i++)
        if (p->slid[i] && discon_kaslr_find(&f->file[i], target, handlers, n, &p->slide) == 0)
            p->found = true;
    if (!p->found)
        p->slide = 0;
}

int discon_symbols_for_trace(struct discon_symbols *out, const struct discon_symbol_files *f,
                             const char *target, const struct discon_kaslr_option *kaslr,
                             const uint64_t *handlers, size_t n,
                             struct discon_symbol_placement *placed)
{
    struct discon_symbol_placement p = {0};
    choose_files(f, target, kaslr, p.slid);
    find_slide(f, target, kaslr, handlers, n, &p);
    *out = (struct discon_symbols){0};
    for (size_t i = 0; i < f->n; i++)
        if (discon_symbols_append(out, &f->file[i], p.slid[i] ? p.slide : 0))
            goto nomem;
    discon_symbols_sort(out);
    p.tramp_tables = discon_symbols_name_tramp_alias(out, target, handlers, n);
    if (p.tramp_tables < 0)
        goto nomem;
    discon_symbols_unalias(out);
    *placed = p;
    return 0;
nomem:
    discon_symbols_free(out);
    return -1;
}
