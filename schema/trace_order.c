/* Input files in the order their trace was written (see trace_order.h). */
#define _GNU_SOURCE
#include "trace_order.h"
#include "trace_names.h"
#include "trace_reader.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Write the message and return the negated code. */
#define FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

static int add_file(struct discon_input_list *l, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        struct discon_input_file *f = realloc(l->file, cap * sizeof *f);
        if (!f)
            return -DISCON_E_NOMEM;
        l->file = f;
        l->cap = cap;
    }
    struct discon_input_file *f = &l->file[l->n];
    *f = (struct discon_input_file){.path = strdup(path), .given = l->n};
    if (!f->path)
        return -DISCON_E_NOMEM;
    l->n++;
    return 0;
}

static int is_trace_name(const struct dirent *e)
{
    return discon_trace_file_name_is(e->d_name);
}

/* A directory's trace files, in name order (the header sort decides). */
static int add_dir(struct discon_input_list *l, const char *dir, char *err, size_t errlen)
{
    struct dirent **list;
    int k = scandir(dir, &list, is_trace_name, alphasort);
    if (k < 0)
        return FAIL(DISCON_E_IO, "cannot list %s: %s", dir, strerror(errno));
    if (k == 0) {
        free(list);
        return FAIL(DISCON_E_EMPTY, "%s holds no .discon files", dir);
    }
    int rc = 0;
    for (int j = 0; j < k; j++) {
        char path[4096];
        if (rc == 0 && snprintf(path, sizeof path, "%s/%s", dir, list[j]->d_name) >=
                           (int)sizeof path)
            rc = FAIL(DISCON_E_IO, "%s/%s: path too long", dir, list[j]->d_name);
        else if (rc == 0 && add_file(l, path) != 0)
            rc = FAIL(DISCON_E_NOMEM, "out of memory");
        free(list[j]);
    }
    free(list);
    return rc;
}

/* The probe: a file's first packet is its header; nothing else is read. */
static int probe_header(void *ctx, const char *path, const Discon__Header *h)
{
    (void)path;
    struct discon_input_file *f = ctx;
    f->has_header = 1;
    f->trace_id_len = h->trace_id.len < sizeof f->trace_id ? h->trace_id.len
                                                            : sizeof f->trace_id;
    if (f->trace_id_len)
        memcpy(f->trace_id, h->trace_id.data, f->trace_id_len);
    f->file_index = h->file_index;
    f->realtime_ns = h->clock ? h->clock->realtime_ns : 0;
    return DISCON_READ_SKIP_FILE;
}
static int probe_events(void *ctx, const struct discon_event *ev, size_t n)
{
    (void)ctx; (void)ev; (void)n;
    return DISCON_READ_SKIP_FILE;
}
static int probe_loss(void *ctx, const Discon__Loss *l)
{
    (void)ctx; (void)l;
    return DISCON_READ_SKIP_FILE;
}
static int probe_end(void *ctx, const Discon__End *e)
{
    (void)ctx; (void)e;
    return DISCON_READ_SKIP_FILE;
}

static void probe(struct discon_input_file *f)
{
    struct discon_reader_ops ops = {
        .ctx = f, .header = probe_header, .events = probe_events, .loss = probe_loss,
        .end = probe_end,
    };
    struct discon_read_stats st = {0};
    char msg[1];
    /* Errors are the real read's to report, in order: here only the key. */
    f->empty = discon_read_file(f->path, &ops, &st, msg, 0) == -DISCON_E_EMPTY;
}

static int by_write_order(const void *pa, const void *pb)
{
    const struct discon_input_file *a = pa, *b = pb;
    if (a->has_header != b->has_header)
        return a->has_header ? 1 : -1;
    if (a->has_header) {
        if (a->realtime_ns != b->realtime_ns)
            return a->realtime_ns < b->realtime_ns ? -1 : 1;
        if (a->trace_id_len != b->trace_id_len)
            return a->trace_id_len < b->trace_id_len ? -1 : 1;
        int c = memcmp(a->trace_id, b->trace_id, a->trace_id_len);
        if (c)
            return c;
        if (a->file_index != b->file_index)
            return a->file_index < b->file_index ? -1 : 1;
    }
    return a->given < b->given ? -1 : a->given > b->given;
}

int discon_inputs_order(char *const *paths, int n, struct discon_input_list *out, char *err,
                        size_t errlen)
{
    for (int i = 0; i < n; i++) {
        struct stat sb;
        int rc;
        if (stat(paths[i], &sb) != 0)
            return FAIL(DISCON_E_IO, "cannot open %s: %s", paths[i], strerror(errno));
        if (S_ISDIR(sb.st_mode))
            rc = add_dir(out, paths[i], err, errlen);
        else if ((rc = add_file(out, paths[i])) != 0)
            snprintf(err, errlen, "out of memory");
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < out->n; i++)
        probe(&out->file[i]);
    qsort(out->file, out->n, sizeof *out->file, by_write_order);
    return 0;
}

void discon_inputs_free(struct discon_input_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->file[i].path);
    free(l->file);
    *l = (struct discon_input_list){0};
}
