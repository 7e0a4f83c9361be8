/* discon-record -p PID: see record_attach.h. */
#define _GNU_SOURCE
#include "record_attach.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: discon-record -p PID [-o DIR] [--duration SECONDS] [--stats-json FILE]\n"
    "Attach to a running QEMU (started without -plugin) and record its traps into DIR\n"
    "(default: discon.data) until Ctrl-C, SIGTERM, --duration or QEMU's exit; QEMU runs\n"
    "on untouched. Needs root or CAP_BPF+CAP_PERFMON; see discond --help.\n";

bool discon_record_attach_requested(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "--pid") == 0 ||
            strncmp(argv[i], "--pid=", 6) == 0)
            return true;
    return false;
}

int discon_record_attach(int argc, char **argv)
{
    enum { DURATION = 256, STATS };
    static const struct option longopts[] = {
        {"pid", required_argument, NULL, 'p'},     {"output", required_argument, NULL, 'o'},
        {"duration", required_argument, NULL, DURATION}, {"stats-json", required_argument, NULL, STATS},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    char *dargv[16] = {NULL, "--summary"};
    int k = 2;
    const char *dir = "discon.data";
    for (int c; (c = getopt_long(argc, argv, "p:o:h", longopts, NULL)) != -1;) {
        switch (c) {
        case 'p': dargv[k++] = "--pid"; dargv[k++] = optarg; break;
        case 'o': dir = optarg; break;
        case DURATION: dargv[k++] = "--duration"; dargv[k++] = optarg; break;
        case STATS: dargv[k++] = "--stats-json"; dargv[k++] = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
        if (k > 12) {
            fprintf(stderr, "discon-record: an option is repeated\n%s", usage);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "discon-record: -p records a running QEMU: no command ('%s')\n", argv[optind]);
        return 2;
    }
    dargv[k++] = "-o";
    dargv[k++] = (char *)dir;
    char self[4096], discond[4200];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) {
        fprintf(stderr, "discon-record: cannot find myself: %s\n", strerror(errno));
        return 1;
    }
    self[n] = '\0';
    snprintf(discond, sizeof discond, "%s/discond", dirname(self));
    dargv[0] = discond;
    execv(discond, dargv);
    fprintf(stderr, "discon-record: cannot run %s: %s\n", discond, strerror(errno));
    return 1;
}
