/* The one line for a refused command line: usage_error.h. */
#include "usage_error.h"

#include <stdio.h>

int discon_usage_error(const char *tool, char *const *argv, int optind_now)
{
    /* getopt_long leaves optind past the element it refused; never
     * before argv[1] (the program's name is no option). */
    const char *arg = optind_now > 1 ? argv[optind_now - 1] : "?";
    fprintf(stderr, "%s: unknown option or missing value: %s (%s --help)\n", tool, arg, tool);
    return 2;
}
