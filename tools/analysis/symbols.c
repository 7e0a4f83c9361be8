/* A symbol table: growing, sorting by the one-name-per-address rule,
 * lookups (see symbols.h). Files are read in symbols_file.c. */
#include "symbols.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SYMBOLS (64u << 20)

int discon_symbols_add_flags(struct discon_symbols *s, uint64_t addr, uint64_t size,
                             const char *name, size_t len, unsigned flags)
{
    if (s->n == s->cap) {
        if (s->cap >= MAX_SYMBOLS)
            return -1;
        size_t cap = s->cap ? s->cap * 2 : 4096;
        struct discon_symbol *p = realloc(s->sym, cap * sizeof *p);
        if (!p)
            return -1;
        s->sym = p;
        s->cap = cap;
    }
    if (s->names_len + len + 1 > s->names_cap) {
        size_t c = s->names_cap ? s->names_cap * 2 : 1 << 16;
        while (c < s->names_len + len + 1)
            c *= 2;
        char *p = realloc(s->names, c);
        if (!p)
            return -1;
        s->names = p;
        s->names_cap = c;
    }
    memcpy(s->names + s->names_len, name, len);
    s->names[s->names_len + len] = '\0';
    /* name stays NULL until the sort: the storage may still move. */
    s->sym[s->n++] = (struct discon_symbol){
        .addr = addr, .size = size, .end = size ? addr + size : 0, .name_off = s->names_len,
        .flags = flags,
    };
    s->names_len += len + 1;
    return 0;
}

int discon_symbols_add(struct discon_symbols *s, uint64_t addr, uint64_t end, const char *name)
{
    return discon_symbols_add_flags(s, addr, end > addr ? end - addr : 0, name, strlen(name), 0);
}

int discon_symbols_append(struct discon_symbols *s, const struct discon_symbols *from,
                          int64_t slide)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct discon_symbol *y = &from->sym[i];
        const char *name = from->names + y->name_off;
        /* The end from's own neighbours gave it, kept as a size: a label
         * of one file must not run on to the next file's first symbol. */
        if (discon_symbols_add_flags(s, y->addr + (uint64_t)slide, y->end - y->addr, name,
                                     strlen(name), y->flags))
            return -1;
    }
    return 0;
}

static bool has_suffix(const char *name, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len > n && memcmp(name + len - n, suffix, n) == 0;
}

/* Rules 2-5 of symbols.h as one number: lower is preferred. */
static unsigned demerits(const char *name, unsigned flags)
{
    size_t len = strlen(name);
    bool marker = name[0] == '_' && (has_suffix(name, len, "_start") ||
                                     has_suffix(name, len, "_end") ||
                                     has_suffix(name, len, "_begin"));
    return (marker ? 8u : 0) | (strncmp(name, "__pfx_", 6) == 0 ? 4u : 0) |
           (flags & DISCON_SYMF_LABEL ? 2u : 0) | (flags & DISCON_SYMF_LOCAL ? 1u : 0);
}

/* Rule 6: fewer leading underscores, shorter, byte order. */
static int name_order(const char *a, const char *b)
{
    size_t ua = strspn(a, "_"), ub = strspn(b, "_");
    if (ua != ub)
        return ua < ub ? -1 : 1;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

static int by_addr_then_rule(const void *pa, const void *pb)
{
    const struct discon_symbol *x = pa, *y = pb;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    unsigned dx = demerits(x->name, x->flags), dy = demerits(y->name, y->flags);
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return name_order(x->name, y->name);
}

void discon_symbols_sort(struct discon_symbols *s)
{
    if (s->n == 0) /* qsort's base must not be NULL, even for 0 elements */
        return;
    for (size_t i = 0; i < s->n; i++)
        s->sym[i].name = s->names + s->sym[i].name_off;
    qsort(s->sym, s->n, sizeof *s->sym, by_addr_then_rule);
    /* Bound sizeless symbols by the next address (the last: itself only). */
    for (size_t i = 0; i < s->n; i++) {
        if (s->sym[i].size) {
            s->sym[i].end = s->sym[i].addr + s->sym[i].size;
            continue;
        }
        size_t j = i + 1;
        while (j < s->n && s->sym[j].addr == s->sym[i].addr)
            j++;
        s->sym[i].end = j < s->n ? s->sym[j].addr : s->sym[i].addr + 1;
    }
}

void discon_symbols_unalias(struct discon_symbols *s)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++)
        if (kept == 0 || s->sym[kept - 1].addr != s->sym[i].addr)
            s->sym[kept++] = s->sym[i];
    s->n = kept;
}

void discon_symbols_relocate(struct discon_symbols *s, int64_t offset)
{
    for (size_t i = 0; i < s->n; i++) {
        s->sym[i].addr += (uint64_t)offset;
        s->sym[i].end += (uint64_t)offset;
    }
}

const struct discon_symbol *discon_symbols_find(const struct discon_symbols *s, uint64_t addr,
                                                uint64_t *offset)
{
    size_t lo = 0, hi = s->n; /* first symbol with addr > target */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->sym[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Among symbols at or below addr, the nearest that contains it; of
     * several names there, the first (preferred) that does. */
    for (size_t i = lo; i-- > 0 && lo - i <= 8;) {
        if (addr < s->sym[i].end) {
            while (i > 0 && s->sym[i - 1].addr == s->sym[i].addr && addr < s->sym[i - 1].end)
                i--;
            *offset = addr - s->sym[i].addr;
            return &s->sym[i];
        }
    }
    return NULL;
}

const struct discon_symbol *discon_symbols_by_name(const struct discon_symbols *s,
                                                   const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->sym[i].name, name) == 0)
            return &s->sym[i];
    return NULL;
}

void discon_symbols_free(struct discon_symbols *s)
{
    free(s->sym);
    free(s->names);
    *s = (struct discon_symbols){0};
}
