/*
 * discon-report: the report a person reads, from trace files or a
 * trace2sqlite database: summary, trap frequencies, hottest sources, rate
 * over time, double traps, fault loops and the last events of each vCPU.
 */
#include "report_options.h"

int main(int argc, char **argv)
{
    struct report_args a;
    int rc = report_args_parse(argc, argv, &a);
    return rc >= 0 ? rc : report_run(&a);
}
