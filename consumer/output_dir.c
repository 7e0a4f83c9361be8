/* Moving an earlier trace out of a new recording's way (output_dir.h). */
#define _GNU_SOURCE
#include "output_dir.h"
#include "make_dirs.h"
#include "trace_names.h"
#include "trace_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* How many trace files DIR holds (-1: cannot list it; a missing DIR has 0). */
static long count_traces(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    long n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += discon_trace_file_name_is(e->d_name);
    closedir(d);
    return n;
}

static int id_of(void *ctx, const char *path, const Discon__Header *h)
{
    (void)path;
    char *id = ctx;
    for (size_t i = 0; i < h->trace_id.len && i < 8; i++)
        snprintf(id + 2 * i, 3, "%02x", h->trace_id.data[i]);
    return DISCON_READ_STOP;
}

/* Move DIR's trace files into OLD; the id of the trace of one of them into id. */
static int move_traces(const char *tool, const char *dir, const char *old, char *id)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot list %s: %s\n", tool, dir, strerror(errno));
        return 1;
    }
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
        if (!discon_trace_file_name_is(e->d_name))
            continue;
        char from[4600], to[4600];
        if ((size_t)snprintf(from, sizeof from, "%s/%s", dir, e->d_name) >= sizeof from ||
            (size_t)snprintf(to, sizeof to, "%s/%s", old, e->d_name) >= sizeof to) {
            fprintf(stderr, "%s: %s/%s: path too long\n", tool, dir, e->d_name);
            rc = 1;
            break;
        }
        if (!id[0]) {
            struct discon_reader_ops ops = {.ctx = id, .header = id_of};
            struct discon_read_stats st = {0};
            discon_read_file(from, &ops, &st, NULL, 0);
        }
        if (rename(from, to) != 0) {
            fprintf(stderr, "%s: cannot move %s to %s: %s\n", tool, from, old, strerror(errno));
            rc = 1;
        }
    }
    closedir(d);
    return rc;
}

int discon_output_set_aside(const char *tool, const char *dir)
{
    long n = count_traces(dir);
    if (n <= 0)
        return n < 0 ? (fprintf(stderr, "%s: cannot list %s: %s\n", tool, dir, strerror(errno)), 1)
                     : 0;
    char old[4300];
    if ((size_t)snprintf(old, sizeof old, "%s.old", dir) >= sizeof old) {
        fprintf(stderr, "%s: -o %s: path too long\n", tool, dir);
        return 1;
    }
    long in_old = count_traces(old);
    if (in_old != 0) {
        fprintf(stderr, "%s: %s holds another trace and %s holds one too: remove one of them "
                "or choose another -o\n", tool, dir, old);
        return 1;
    }
    if (mkdir(old, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", tool, old, strerror(errno));
        return 1;
    }
    char id[17] = "";
    if (move_traces(tool, dir, old, id))
        return 1;
    fprintf(stderr, "%s: %s held trace %s (%ld file(s)): moved to %s\n", tool, dir,
            id[0] ? id : "(unreadable)", n, old);
    return 0;
}

/* The output checked before anything starts (output_dir.h). */
int discon_output_check(const char *tool, const char *dir)
{
    struct stat st;
    char failed[4200];
    if (discon_make_dirs(dir, failed, sizeof failed) != 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", tool, failed, strerror(errno));
        return 1;
    }
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "%s: -o %s: %s\n", tool, dir, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: -o %s: not a directory\n", tool, dir);
        return 1;
    }
    char probe[4200];
    if ((size_t)snprintf(probe, sizeof probe, "%s/.discon-probe-XXXXXX", dir) >= sizeof probe) {
        fprintf(stderr, "%s: -o %s: path too long\n", tool, dir);
        return 1;
    }
    int fd = mkostemp(probe, O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "%s: -o %s: cannot write there: %s\n", tool, dir, strerror(errno));
        return 1;
    }
    close(fd);
    unlink(probe);
    return 0;
}
