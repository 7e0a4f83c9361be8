/* discon-record's traps by kind (record_kinds.h). The counting is
 * libdiscon-trace's derivation and trap_kind.h's naming, through
 * kind_tally.h: the summary and discon-report cannot disagree. */
#include "record_kinds.h"
#include "discon_error.h"
#include "discon_kinds.h"
#include "kind_tally.h"
#include "trace_reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const struct discon_kind_tally *sort_tally;

/* Most traps first; equal counts by kind id, for a stable order. */
static int by_count(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    uint64_t cx = sort_tally->count[x], cy = sort_tally->count[y];
    if (cx != cy)
        return cx < cy ? 1 : -1;
    return (x > y) - (x < y);
}

static void print_kinds(const struct discon_kind_tally *t)
{
    unsigned *ids = malloc(t->ncount * sizeof *ids);
    size_t n = 0;
    for (unsigned id = 0; ids && id < t->ncount; id++)
        if (t->count[id])
            ids[n++] = id;
    fprintf(stderr, "discon: %llu traps by kind (count, kind (class)):\n",
            (unsigned long long)t->traps);
    if (!ids) { /* the total alone rather than nothing */
        fprintf(stderr, "discon: (no memory to list the kinds)\n");
        return;
    }
    sort_tally = t;
    qsort(ids, n, sizeof *ids, by_count);
    for (size_t i = 0; i < n; i++) {
        const struct discon_kind *k = discon_kind_by_id(ids[i]);
        fprintf(stderr, "discon: %10llu %s (%s)\n", (unsigned long long)t->count[ids[i]],
                k ? k->name : "?", k ? discon_trap_class_name(k->trap_class) : "?");
    }
    free(ids);
}

int discon_record_print_kinds(const char *dir, const struct discon_symbol_files *files)
{
    struct discon_kind_tally t;
    char err[512];
    char *paths[] = {(char *)dir};
    int rc = discon_kind_tally(paths, 1, files, &t, err, sizeof err);
    if (rc == -DISCON_E_EMPTY) { /* nothing recorded: discond said why */
        discon_kind_tally_free(&t);
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "discon-record: cannot count the traps by kind: %s\n", err);
        discon_kind_tally_free(&t);
        return 1;
    }
    if (t.symbols_note[0])
        fprintf(stderr, "discon: traps named with the --symbols files, %s\n", t.symbols_note);
    print_kinds(&t);
    if (t.read_result == DISCON_READ_DAMAGED) /* discon-report names the stretches */
        fprintf(stderr, "discon: parts of the files are damaged: these are the traps of the rest\n");
    discon_kind_tally_free(&t);
    return 0;
}
