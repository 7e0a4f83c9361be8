/* Another discon plugin in this process: plugin_once.h. */
#define _GNU_SOURCE
#include "plugin_once.h"

#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

struct object_names {
    char **name;
    size_t n, cap;
    int failed;
};

/* Collects the file names of the loaded objects; the dlopen calls come
 * after the walk, outside the loader's lock that dl_iterate_phdr holds. */
static int collect(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct object_names *o = data;
    if (!info->dlpi_name || !info->dlpi_name[0]) /* the QEMU binary itself */
        return 0;
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 64;
        char **name = realloc(o->name, cap * sizeof *name);
        if (!name) {
            o->failed = 1;
            return 1;
        }
        o->name = name;
        o->cap = cap;
    }
    o->name[o->n] = strdup(info->dlpi_name);
    if (!o->name[o->n]) {
        o->failed = 1;
        return 1;
    }
    o->n++;
    return 0;
}

const char *discon_plugin_other_instance(discon_plugin_once_fn self)
{
    struct object_names o = {0};
    dl_iterate_phdr(collect, &o);
    const char *other = NULL;
    for (size_t i = 0; i < o.n; i++) {
        if (!other && !o.failed) {
            /* A handle to an object already loaded, or NULL: nothing loads. */
            void *h = dlopen(o.name[i], RTLD_LAZY | RTLD_NOLOAD);
            if (h) {
                discon_plugin_once_fn fn;
                void *sym = dlsym(h, DISCON_PLUGIN_ONCE_SYMBOL);
                memcpy(&fn, &sym, sizeof fn); /* POSIX: dlsym's void * is a function */
                if (sym && fn != self)
                    other = fn();
                dlclose(h); /* drops our reference only: the object stays */
            }
        }
        free(o.name[i]);
    }
    free(o.name);
    return other;
}
