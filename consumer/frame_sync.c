/* Frames on the device as they are written: see frame_sync.h. */
#define _GNU_SOURCE
#include "frame_sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int discon_frame_sync_open(int *fd, const char *path, const char *dir, char *err, size_t errlen)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        snprintf(err, errlen, "cannot open %s to sync it: %s", path, strerror(errno));
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = dfd >= 0 && fsync(dfd) == 0 ? 0 : -1;
    if (rc != 0)
        snprintf(err, errlen, "cannot sync directory %s: %s", dir, strerror(errno));
    if (dfd >= 0)
        close(dfd);
    return rc;
}

int discon_frame_sync(int fd, const char *path, char *err, size_t errlen)
{
    if (fd >= 0 && fdatasync(fd) != 0) {
        snprintf(err, errlen, "cannot sync %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

void discon_frame_sync_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}
