/* trace2sqlite: the progress bar (see progress.h). */
#include "progress.h"
#include "trace_names.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BAR_WIDTH 40

/* Bytes of the *.discon files in directory `dir`. */
static uint64_t directory_bytes(const char *dir)
{
    uint64_t total = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (discon_trace_file_name_is(e->d_name) && stat(path, &st) == 0)
            total += (uint64_t)st.st_size;
    }
    if (d)
        closedir(d);
    return total;
}

void progress_init(struct progress *p, char *const *paths, int n)
{
    memset(p, 0, sizeof *p);
    p->last_percent = -1;
    p->tty = isatty(2);
    if (!p->tty)
        return;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0)
            p->total_bytes += S_ISDIR(st.st_mode) ? directory_bytes(paths[i]) : (uint64_t)st.st_size;
    }
    p->on = p->total_bytes > 0;
}

void progress_update(struct progress *p, uint64_t offset, uint64_t size, uint64_t events)
{
    if (!p->on)
        return;
    if (offset == size) { /* a file is done */
        p->done_bytes += size;
        p->file_bytes = 0;
    } else {
        p->file_bytes = offset;
    }
    uint64_t at = p->done_bytes + p->file_bytes;
    int percent = (int)(100 * (at > p->total_bytes ? p->total_bytes : at) / p->total_bytes);
    if (percent == p->last_percent)
        return;
    p->last_percent = percent;
    char bar[BAR_WIDTH + 1];
    size_t filled = (size_t)percent * BAR_WIDTH / 100;
    memset(bar, '#', filled);
    memset(bar + filled, '.', BAR_WIDTH - filled);
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\rtrace2sqlite: [%s] %3d%% %llu events", bar, percent,
            (unsigned long long)events);
}

void progress_end(const struct progress *p)
{
    if (p->tty)
        fputc('\n', stderr);
}
