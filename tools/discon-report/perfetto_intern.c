/* String -> iid for Perfetto's interning (perfetto_intern.h): an open
 * addressing table at most half full, FNV-1a hashed. */
#include "perfetto_intern.h"

#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return (size_t)(h ^ h >> 32);
}

/* The slot of s, or of the empty slot where it would go. */
static size_t slot(const struct perfetto_intern *t, const char *s)
{
    size_t i = hash(s) & (t->cap - 1);
    while (t->iid[i] && strcmp(t->key[i], s) != 0)
        i = (i + 1) & (t->cap - 1);
    return i;
}

static int grow(struct perfetto_intern *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    struct perfetto_intern g = {calloc(cap, sizeof *g.key), calloc(cap, sizeof *g.iid), cap, t->n};
    if (!g.key || !g.iid) {
        free(g.key), free(g.iid);
        return -1;
    }
    for (size_t i = 0; i < t->cap; i++)
        if (t->iid[i]) {
            size_t j = slot(&g, t->key[i]);
            g.key[j] = t->key[i];
            g.iid[j] = t->iid[i];
        }
    free(t->key), free(t->iid);
    *t = g;
    return 0;
}

uint64_t perfetto_intern(struct perfetto_intern *t, const char *s, bool *added)
{
    *added = false;
    if ((t->n + 1) * 2 > t->cap && grow(t) != 0)
        return 0;
    size_t i = slot(t, s);
    if (t->iid[i])
        return t->iid[i];
    size_t len = strlen(s) + 1;
    if (!(t->key[i] = malloc(len)))
        return 0;
    memcpy(t->key[i], s, len);
    t->iid[i] = ++t->n;
    *added = true;
    return t->iid[i];
}

void perfetto_intern_free(struct perfetto_intern *t)
{
    for (size_t i = 0; i < t->cap; i++)
        if (t->iid[i])
            free(t->key[i]);
    free(t->key), free(t->iid);
    *t = (struct perfetto_intern){0};
}
