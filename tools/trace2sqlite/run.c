/* trace2sqlite's work, from its parsed options (see options.h). */
#include "discon_db.h"
#include "loader.h"
#include "options.h"
#include "symbol_load.h"

#include <stdio.h>

/* After every file is read: indexes, symbols. 0, or -1 with l->err. */
static int finish(const struct t2s_options *o, struct loader *l)
{
    int rc = discon_db_create_indexes(l->db, o->row_indexes);
    if (rc) {
        discon_db_message(l->db, rc, l->err, sizeof l->err);
        return -1;
    }
    if (o->symbols && symbols_store(l->db, o->symbols, &o->kaslr, l->traces_seen,
                                    l->ntraces_seen, l->err, sizeof l->err))
        return -1;
    return 0;
}

/* Read every input through the loader; the exit status. */
static int load(const struct t2s_options *o, struct loader *l)
{
    struct discon_reader_ops ops = loader_ops(l);
    progress_init(&l->progress, o->paths, o->npaths);
    struct discon_read_stats st = {0};
    char err[512];
    int read = discon_read_paths(o->paths, o->npaths, &ops, &st, err, sizeof err);
    progress_end(&l->progress);
    if (l->failed || loader_end_file(l) || (read >= 0 && finish(o, l))) {
        fprintf(stderr, "trace2sqlite: %s\n", l->err);
        return 1;
    }
    if (read < 0) {
        fprintf(stderr, "trace2sqlite: %s\n", err);
        return 1;
    }
    fprintf(stderr, "trace2sqlite: %llu events from %llu file(s) read%s\n",
            (unsigned long long)l->events, (unsigned long long)st.files,
            read == DISCON_READ_DAMAGED ? "; some data was damaged (see above)" : "");
    return read == DISCON_READ_DAMAGED ? 3 : 0;
}

int t2s_run(const struct t2s_options *o)
{
    struct discon_db db;
    int rc = discon_db_open_write(&db, o->db_path);
    if (rc) {
        char msg[512];
        fprintf(stderr, "trace2sqlite: %s\n", discon_db_message(&db, rc, msg, sizeof msg));
        return 1;
    }
    struct loader l;
    int status = 1;
    if (loader_init(&l, &db, o->aggregate, o->from_s, o->to_s) == 0)
        status = load(o, &l);
    else
        fprintf(stderr, "trace2sqlite: %s\n", l.err);
    loader_free(&l);
    discon_db_close(&db);
    return status;
}
