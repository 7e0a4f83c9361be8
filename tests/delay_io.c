/*
 * LD_PRELOAD shim for the live-load test (tests/qemu/live_load.sh): makes
 * a reader slow exactly where a growing file can change under it. Every
 * open() of a path ending in ".discon" sleeps DELAY_IO_MS (default 100)
 * after opening, before the caller fstat()s the descriptor, and every
 * stat() of such a path sleeps before stating: a writer appends frames in
 * the meantime, so what a loader maps, what it reads and what a later
 * stat() says all differ.
 */
#define _GNU_SOURCE
/* Both names are defined here: no redirection of open to open64. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void delay_for(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    if (n < 7 || strcmp(path + n - 7, ".discon") != 0)
        return;
    const char *ms = getenv("DELAY_IO_MS");
    long d = ms ? atol(ms) : 100;
    struct timespec ts = {d / 1000, (d % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef int (*open_fn)(const char *, int, ...);

/* The real `name` (open or open64), then the delay. */
static int delayed_open(const char *name, open_fn *real, const char *path, int flags, mode_t mode)
{
    if (!*real)
        *real = (open_fn)dlsym(RTLD_NEXT, name);
    int fd = (*real)(path, flags, mode);
    delay_for(path);
    return fd;
}

/* The mode argument, present only with O_CREAT or O_TMPFILE. */
#define MODE_ARG(flags, mode)                       \
    do {                                            \
        if ((flags) & (O_CREAT | O_TMPFILE)) {      \
            va_list ap;                             \
            va_start(ap, flags);                    \
            mode = (mode_t)va_arg(ap, int);         \
            va_end(ap);                             \
        }                                           \
    } while (0)

int open(const char *path, int flags, ...)
{
    static open_fn real;
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return delayed_open("open", &real, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    static open_fn real;
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return delayed_open("open64", &real, path, flags, mode);
}

int stat(const char *path, struct stat *st)
{
    static int (*real)(const char *, struct stat *);
    if (!real)
        real = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "stat");
    delay_for(path);
    return real(path, st);
}
