/* discon-record -p PID: see record_attach.h. */
#define _GNU_SOURCE
#include "record_attach.h"
#include "discon_version.h"
#include "file_options.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool discon_record_attach_requested(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "--pid") == 0 ||
            strncmp(argv[i], "--pid=", 6) == 0)
            return true;
    return false;
}

int discon_record_attach(int argc, char **argv, const char *usage)
{
    enum { DURATION = 256, STATS };
    static const struct option longopts[] = {
        {"pid", required_argument, NULL, 'p'},     {"output", required_argument, NULL, 'o'},
        {"duration", required_argument, NULL, DURATION}, {"stats-json", required_argument, NULL, STATS},
        DISCON_FILE_LONGOPTS, /* as without -p: the same checks, passed on alike */
        {"help", no_argument, NULL, 'h'},          {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    /* --set-aside: one trace per place, as without -p (output_dir.h),
     * done by discond after its checks so a refused attach moves nothing. */
    char *dargv[32] = {NULL, "--summary", "--set-aside"};
    int k = 3;
    static struct discon_file_args files; /* its strings end up in dargv */
    discon_file_args_init(&files);
    const char *dir = "discon.data";
    /* The file options are checked here as without -p; discond checks the
     * rest: its one-line refusals are ours. */
    opterr = 0; /* one line of our own instead of getopt's and the usage */
    for (int c; (c = getopt_long(argc, argv, "p:o:hV", longopts, NULL)) != -1;) {
        switch (c) {
        case 'p': dargv[k++] = "--pid"; dargv[k++] = optarg; break;
        case 'o': dir = optarg; break;
        case DURATION: dargv[k++] = "--duration"; dargv[k++] = optarg; break;
        case STATS: dargv[k++] = "--stats-json"; dargv[k++] = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        case 'V': discon_print_version("discon-record"); return 0;
        default:
            if (discon_file_arg("discon-record", c, optarg, &files, argv, optind))
                return 2; /* said in one line */
            break;
        }
        if (k > 9) {
            fprintf(stderr, "discon-record: an option is repeated\n%s", usage);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "discon-record: -p records a running QEMU: no command ('%s')\n", argv[optind]);
        return 2;
    }
    discon_file_args_pass(&files, dargv, &k);
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
