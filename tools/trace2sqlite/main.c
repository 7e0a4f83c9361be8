/*
 * trace2sqlite: load discon trace files into SQLite for SQL queries.
 *   trace2sqlite -o DB [--symbols FILE] [--kaslr-offset HEX|auto]
 *                [--aggregate-only] [--from SEC] [--to SEC] [--index] FILE|DIR...
 * Loading a file twice adds nothing; new files of a trace append to it.
 */
#include "options.h"

int main(int argc, char **argv)
{
    struct t2s_options o;
    int rc = t2s_options_parse(argc, argv, &o);
    return rc >= 0 ? rc : t2s_run(&o);
}
