/* A running QEMU from /proc: see qemu_process.h. */
#define _GNU_SOURCE
#include "qemu_process.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), (code))

/* The value of key=N in an -smp list ("2,sockets=1" or "cpus=2"), 0 if absent. */
static unsigned smp_value(const char *list, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        if (!key[0] && *p >= '0' && *p <= '9')
            return (unsigned)strtoul(p, NULL, 10); /* the leading bare count */
        if (key[0] && strncmp(p, key, klen) == 0 && p[klen] == '=')
            return (unsigned)strtoul(p + klen + 1, NULL, 10);
    }
    return 0;
}

unsigned discon_qemu_smp_vcpus(int argc, char *const *argv)
{
    const char *list = NULL;
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], "-smp") == 0 || strcmp(argv[i], "--smp") == 0)
            list = argv[i + 1]; /* QEMU takes the last one */
    if (!list)
        return 1;
    unsigned cpus = smp_value(list, "");
    if (!cpus)
        cpus = smp_value(list, "cpus");
    if (!cpus) { /* topology only: the product */
        static const char *const levels[] = {"sockets", "dies", "clusters", "cores", "threads"};
        cpus = 1;
        for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
            unsigned n = smp_value(list, levels[k]);
            cpus *= n ? n : 1;
        }
    }
    unsigned max = smp_value(list, "maxcpus");
    return max > cpus ? max : cpus;
}

static int read_cmdline(struct discon_qemu_process *q, char *err, size_t errlen)
{
    char path[64], *buf = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)q->pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return FAIL(DISCON_PROCESS_IO, "cannot read %s: %s", path, strerror(errno));
    FILE *mem = open_memstream(&buf, &len);
    for (int ch; mem && (ch = fgetc(f)) != EOF;)
        fputc(ch, mem);
    fclose(f);
    if (!mem || fclose(mem) != 0)
        return FAIL(DISCON_PROCESS_IO, "out of memory");
    int n = 0;
    for (size_t k = 0; k < len; k++)
        n += buf[k] == '\0';
    q->argv = calloc((size_t)n + 2, sizeof *q->argv);
    if (!q->argv) {
        free(buf);
        return FAIL(DISCON_PROCESS_IO, "out of memory");
    }
    /* argv[0] points at buf itself, so freeing argv[0] frees every string. */
    for (size_t k = 0; k < len; k += strlen(buf + k) + 1)
        q->argv[q->argc++] = buf + k;
    if (q->argc == 0)
        free(buf);
    return DISCON_PROCESS_OK;
}

/* The mapped executable file named qemu-system-*, from /proc/PID/maps. */
static int find_binary(struct discon_qemu_process *q, char *err, size_t errlen)
{
    char path[64], line[4400];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)q->pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return FAIL(DISCON_PROCESS_IO, "cannot read %s: %s", path, strerror(errno));
    int rc = -1;
    while (rc < 0 && fgets(line, sizeof line, f)) {
        char perms[8] = "";
        int file_at = 0;
        if (sscanf(line, "%*s %7s %*s %*s %*s %n", perms, &file_at) < 1 || !file_at ||
            perms[2] != 'x' || line[file_at] != '/')
            continue;
        char *file = line + file_at;
        file[strcspn(file, "\n")] = '\0';
        const char *base = strrchr(file, '/') + 1;
        if (strncmp(base, "qemu-system-", 12) != 0 || strstr(file, " (deleted)"))
            continue;
        snprintf(q->target, sizeof q->target, "%s", base + 12);
        snprintf(q->binary, sizeof q->binary, "/proc/%d/root%s", (int)q->pid, file);
        rc = 0;
    }
    fclose(f);
    if (rc == 0)
        return DISCON_PROCESS_OK;
    char exe[256] = "?";
    snprintf(path, sizeof path, "/proc/%d/exe", (int)q->pid);
    ssize_t n = readlink(path, exe, sizeof exe - 1);
    exe[n > 0 ? n : 1] = '\0';
    return FAIL(DISCON_PROCESS_NOT_QEMU, "pid %d is not a QEMU: it maps no qemu-system-* binary (%s)",
                (int)q->pid, exe);
}

int discon_qemu_process_find(pid_t pid, struct discon_qemu_process *q, char *err, size_t errlen)
{
    *q = (struct discon_qemu_process){.pid = pid};
    if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH))
        return FAIL(DISCON_PROCESS_NO_PID, "no such process: %d", (int)pid);
    int rc = find_binary(q, err, errlen);
    if (rc == DISCON_PROCESS_OK)
        rc = read_cmdline(q, err, errlen);
    if (rc == DISCON_PROCESS_OK)
        q->vcpus = discon_qemu_smp_vcpus(q->argc, q->argv);
    return rc;
}

void discon_qemu_process_free(struct discon_qemu_process *q)
{
    if (q->argv)
        free(q->argv[0]);
    free(q->argv);
    q->argv = NULL;
}
