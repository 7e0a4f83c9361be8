/* The one line every tool prints for a command line getopt_long refused.
 *
 * Every input is hostile, the command line included: a mistyped option
 * gets one line that names it and where the help is, never the whole
 * usage text (dozens of lines, on stderr, under the program's full path)
 * that getopt's own message and a usage dump would give. Each tool sets
 * `opterr = 0` before its getopt_long loop and, when the loop returns
 * '?', returns what this returns. */
#ifndef DISCON_USAGE_ERROR_H
#define DISCON_USAGE_ERROR_H

/* On stderr: "TOOL: unknown option or missing value: ARG (TOOL --help)",
 * ARG being argv[optind - 1] after getopt_long returned '?' (the element
 * it stopped at: the unknown option, or the option whose value is
 * missing at the end of argv). tool is the program's name
 * ("discon-report"), not argv[0]. Returns 2, the exit status of bad usage. */
int discon_usage_error(const char *tool, char *const *argv, int optind_now);

#endif
