#define _GNU_SOURCE
#include "drain_internal.h"
#include "trace_names.h"
#include "trace_reader.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Resuming after a crash: what the files already hold is skipped in the
 * rings, the sequence goes on, a torn last frame is cut off. */

struct resume {
    struct discon_drain *d;
    int bad;
    int complete;
    char msg[256];
};

static struct vcpu *resume_vcpu(struct resume *r, uint32_t vcpu)
{
    if (vcpu >= r->d->nvcpus) {
        snprintf(r->msg, sizeof r->msg, "existing trace names vCPU %u of %u", vcpu,
                 r->d->nvcpus);
        r->bad = 1;
        return NULL;
    }
    return &r->d->v[vcpu];
}

static int resume_batch(void *ctx, const Discon__EventBatch *b, size_t n)
{
    struct resume *r = ctx;
    struct vcpu *v = resume_vcpu(r, b->vcpu);
    if (!v)
        return -1;
    v->skip_until = b->ring_position + n;
    v->next_seq = b->first_seq + n;
    v->written += n;
    for (size_t i = 0; i < n; i++) {
        int t = discon_type_index(b->type[i]);
        if (t >= 0)
            v->by_type[t]++;
    }
    return 0;
}

static int resume_loss(void *ctx, const Discon__Loss *l)
{
    struct resume *r = ctx;
    struct vcpu *v = resume_vcpu(r, l->vcpu);
    if (!v)
        return -1;
    if (l->ring_end)
        v->skip_until = l->ring_end;
    v->lost_inband += l->count; /* in-band or not, it is reported */
    v->next_seq = l->first_seq + l->count;
    return 0;
}

static int resume_end(void *ctx, const Discon__End *e)
{
    (void)e;
    ((struct resume *)ctx)->complete = 1;
    return DISCON_READ_SKIP_FILE;
}

/* A frame torn by the crash sits at the end of a file: cut it off (and a
 * file whose header never made it is removed). */
static void resume_damage(void *ctx, const struct discon_damage *dmg)
{
    (void)ctx;
    struct stat st;
    if (stat(dmg->path, &st) != 0 || dmg->offset + dmg->length != (uint64_t)st.st_size)
        return;
    if (dmg->offset == 0 ? unlink(dmg->path) == 0 : truncate(dmg->path, (off_t)dmg->offset) == 0)
        fprintf(stderr, "discond: %s: cut a torn frame at offset %llu (%llu bytes)\n", dmg->path,
                (unsigned long long)dmg->offset, (unsigned long long)dmg->length);
}

/* The files this trace wrote: exactly PREFIX-NNNNNN.discon (trace_names.h),
 * so a stray copy beside them is never continued or counted. */
static const char *resume_prefix;
static int has_prefix(const struct dirent *e)
{
    return discon_trace_file_index(e->d_name, resume_prefix) >= 0;
}

int discon_drain_resume(struct discon_drain *d, char *err, size_t errlen)
{
    struct dirent **list;
    resume_prefix = d->prefix;
    int n = scandir(d->cfg.dir, &list, has_prefix, alphasort);
    if (n < 0)
        return FAIL("cannot list %s: %s", d->cfg.dir, strerror(errno));
    if (n == 0) {
        free(list);
        return 0;
    }
    /* The next index follows every file of the trace, even one that is
     * removed below: names are never reused. A file too short to hold a
     * frame was created but never written: the crash came right there. */
    char **paths = calloc((size_t)n, sizeof *paths);
    int npaths = 0;
    long last = -1;
    for (int i = 0; i < n; i++) {
        long index = discon_trace_file_index(list[i]->d_name, d->prefix);
        if (index > last)
            last = index;
        char *path;
        struct stat st;
        if (asprintf(&path, "%s/%s", d->cfg.dir, list[i]->d_name) >= 0) {
            if (stat(path, &st) == 0 && st.st_size < 16) {
                fprintf(stderr, "discond: %s: removing a file whose header was never written\n",
                        path);
                unlink(path);
                free(path);
            } else {
                paths[npaths++] = path;
            }
        }
        free(list[i]);
    }
    free(list);
    n = npaths;
    struct resume r = {.d = d};
    struct discon_reader_ops ops = {
        .ctx = &r, .batch = resume_batch, .loss = resume_loss,
        .end = resume_end, .damage = resume_damage,
    };
    struct discon_read_stats st = {0};
    int rc = n ? discon_read_paths(paths, n, &ops, &st, err, errlen) : DISCON_READ_INTACT;
    for (int i = 0; i < n; i++) {
        struct stat sb; /* after any torn frame was cut off */
        if (stat(paths[i], &sb) == 0) {
            d->bytes_closed += (uint64_t)sb.st_size;
            d->files++;
        }
        free(paths[i]);
    }
    free(paths);
    if (r.bad)
        return FAIL("cannot resume the trace in %s: %s", d->cfg.dir, r.msg);
    if (rc < 0)
        return -1;
    discon_drain_commit(d); /* what the files hold is on disk */
    if (r.complete)
        return FAIL("the trace of this segment in %s is already complete", d->cfg.dir);
    d->file_index = (uint32_t)(last + 1);
    fprintf(stderr, "discond: resuming trace %s in %s at file %u (%llu events already written)\n",
            d->prefix, d->cfg.dir, d->file_index, (unsigned long long)st.events);
    return 0;
}
