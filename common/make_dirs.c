#define _POSIX_C_SOURCE 200809L
#include "make_dirs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* One component: created, or there already (as anything: stat decides). */
static int make_one(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

int discon_make_dirs(const char *dir, char *failed, size_t len)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) {
        errno = n ? ENAMETOOLONG : ENOENT;
        if (failed && len)
            snprintf(failed, len, "%s", dir);
        return -1;
    }
    memcpy(path, dir, n + 1);
    /* Each parent in turn (a leading '/' is no component), then dir. */
    for (char *p = path + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        int rc = make_one(path);
        int saved = errno;
        if (rc != 0) {
            if (failed && len)
                snprintf(failed, len, "%s", path);
            errno = saved;
            return -1;
        }
        *p = '/';
    }
    if (make_one(path) != 0) {
        int saved = errno;
        if (failed && len)
            snprintf(failed, len, "%s", path);
        errno = saved;
        return -1;
    }
    return 0;
}
