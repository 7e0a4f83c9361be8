/*
 * The library's error codes, asserted as codes (never as message text):
 * every code has its own message and unknown values a defined one; each
 * kind of bad input gives its code; a callback's "skip this file" is not
 * damage and its "stop" is not an I/O error; the writer's refusals.
 */
#define _GNU_SOURCE
#include "check.h"
#include "trace_reader.h"
#include "trace_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/discon-errors-XXXXXX";

static int read_one(const char *path, const struct discon_reader_ops *ops,
                    struct discon_read_stats *st)
{
    char err[256];
    *st = (struct discon_read_stats){0};
    char *paths[] = {(char *)path};
    return discon_read_paths(paths, 1, ops, st, err, sizeof err);
}

static void write_file(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(bytes, 1, n, f);
        fclose(f);
    }
}

static void test_bad_inputs(void)
{
    char path[256];
    struct discon_read_stats st;
    struct discon_reader_ops ops = {0};
    snprintf(path, sizeof path, "%s/in.discon", dir);
    write_file(path, "", 0);
    CHECK_EQ(discon_read_file(path, &ops, &st, NULL, 0), -DISCON_E_EMPTY);
    /* Among paths, a 0-byte file is skipped as damage (code DISCON_E_EMPTY). */
    CHECK_EQ(read_one(path, &ops, &st), DISCON_READ_DAMAGED);
    CHECK_EQ(st.damaged_frames, 1);
    write_file(path, "SQLite format 3\n", 16);
    CHECK_EQ(read_one(path, &ops, &st), -DISCON_E_NOT_TRACE);
    write_file(path, "\x04\x22", 2); /* shorter than a frame magic */
    CHECK_EQ(read_one(path, &ops, &st), -DISCON_E_NOT_TRACE);
    unlink(path);
    CHECK_EQ(read_one(path, &ops, &st), -DISCON_E_IO);
    char err[256];
    CHECK_EQ(discon_read_file(dir, &ops, &st, err, sizeof err), -DISCON_E_NOT_TRACE);
    CHECK_EQ(read_one(dir, &ops, &st), -DISCON_E_EMPTY); /* no *.discon in it */
    CHECK_EQ(st.files, 0);
    /* An LZ4 frame magic followed by garbage is a trace that is damaged. */
    write_file(path, "\x04\x22\x4d\x18garbage", 11);
    CHECK_EQ(read_one(path, &ops, &st), DISCON_READ_DAMAGED);
    CHECK_EQ(st.damaged_frames, 1);
    unlink(path);
    /* A FIFO is refused at once, never waited on for a writer (the test
     * would hang, and meson's timeout fail it, if it were opened blocking). */
    CHECK_EQ(mkfifo(path, 0600), 0);
    CHECK_EQ(read_one(path, &ops, &st), -DISCON_E_NOT_TRACE);
    CHECK_EQ(discon_read_file(path, &ops, &st, err, sizeof err), -DISCON_E_NOT_TRACE);
    unlink(path);
    /* NULL arguments are a code, not a crash. */
    CHECK_EQ(discon_read_file(path, NULL, &st, err, sizeof err), -DISCON_E_INVALID);
    CHECK_EQ(discon_read_file(path, &ops, NULL, err, sizeof err), -DISCON_E_INVALID);
    CHECK_EQ(discon_read_paths(NULL, 1, &ops, &st, err, sizeof err), -DISCON_E_INVALID);
    CHECK_EQ(discon_read_paths((char *[]){path}, 1, NULL, &st, NULL, 0), -DISCON_E_INVALID);
}

/* A small intact file: header, one batch of 3 events, end. */
static void write_trace(const char *path, uint32_t index)
{
    char err[256];
    struct discon_writer *w = discon_writer_create(path, err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        return;
    uint8_t id[16] = {7};
    Discon__Header h = DISCON__HEADER__INIT;
    h.trace_id = (ProtobufCBinaryData){sizeof id, id};
    h.file_index = index;
    CHECK_EQ(discon_writer_header(w, &h, err, sizeof err), 0);
    struct discon_event ev[3];
    for (int i = 0; i < 3; i++)
        ev[i] = (struct discon_event){.seq = index * 3u + (unsigned)i, .time_ns = 1000u + (unsigned)i,
                                      .from_pc = 0x1000, .to_pc = 0x2000, .type = DISCON_EXCEPTION};
    CHECK_EQ(discon_writer_events(w, ev, 3, 0, err, sizeof err), 0);
    CHECK_EQ(discon_writer_events(w, ev, 0, 0, err, sizeof err), -DISCON_E_INVALID);
    CHECK_EQ(discon_writer_close(w, false, err, sizeof err), 0);
}

static int headers_seen, events_seen;
static int skip_at_header(void *ctx, const char *path, const Discon__Header *h)
{
    (void)ctx, (void)path;
    headers_seen++;
    return h->file_index == 0 ? DISCON_READ_SKIP_FILE : DISCON_READ_CONTINUE;
}
static int count_events(void *ctx, const struct discon_event *ev, size_t n)
{
    (void)ev;
    events_seen += (int)n;
    return *(int *)ctx; /* what the test wants the callback to answer */
}

static void test_callback_answers(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/trace-000000.discon", dir);
    write_trace(path, 0);
    snprintf(path, sizeof path, "%s/trace-000001.discon", dir);
    write_trace(path, 1);
    int answer = DISCON_READ_CONTINUE;
    struct discon_reader_ops ops = {.ctx = &answer, .header = skip_at_header,
                                    .events = count_events};
    struct discon_read_stats st;
    /* File 0 is skipped at its header: intact, no damage; file 1 is read. */
    CHECK_EQ(read_one(dir, &ops, &st), DISCON_READ_INTACT);
    CHECK_EQ(st.damaged_frames, 0);
    CHECK_EQ(st.files, 2);
    CHECK_EQ(headers_seen, 2);
    CHECK_EQ(events_seen, 3);
    /* Stop, and a stray value (1 is DISCON_READ_DAMAGED's value), both
     * stop the read as "stopped", never as damage or success. */
    const int stops[] = {DISCON_READ_STOP, DISCON_READ_DAMAGED, -DISCON_E_IO};
    for (size_t i = 0; i < sizeof stops / sizeof *stops; i++) {
        answer = stops[i];
        events_seen = 0;
        CHECK_EQ(read_one(path, &ops, &st), -DISCON_E_STOPPED);
        CHECK_EQ(events_seen, 3);
        CHECK_EQ(st.damaged_frames, 0);
    }
    CHECK((int)DISCON_READ_SKIP_FILE != (int)DISCON_READ_DAMAGED);
    /* The writer refuses to overwrite, and says so through errno. */
    char err[256];
    errno = 0;
    CHECK(discon_writer_create(path, err, sizeof err) == NULL);
    CHECK_EQ(errno, EEXIST);
    unlink(path);
    snprintf(path, sizeof path, "%s/trace-000000.discon", dir);
    unlink(path);
}

static void test_bad_batch(void)
{
    char err[256];
    Discon__EventBatch b = DISCON__EVENT_BATCH__INIT;
    CHECK_EQ(discon_batch_count(&b, err, sizeof err), -DISCON_E_BAD_BATCH); /* empty */
    int64_t td[1] = {1}, fd[1] = {0x1000};
    uint32_t ty[1] = {DISCON_TYPES_ALL + 1}, ref[1] = {0}; /* no such type */
    b.n_time_delta = 1, b.time_delta = td, b.n_from_delta = 1, b.from_delta = fd;
    b.n_type = 1, b.type = ty, b.n_to_ref = 1, b.to_ref = ref;
    CHECK_EQ(discon_batch_count(&b, err, sizeof err), 1);
    struct discon_event out[1];
    CHECK_EQ(discon_batch_decode(&b, out, err, sizeof err), -DISCON_E_BAD_BATCH);
    ty[0] = DISCON_HOSTCALL;
    CHECK_EQ(discon_batch_decode(&b, out, err, sizeof err), 0);
    CHECK_EQ(out[0].type, DISCON_HOSTCALL);
    struct discon_batch_encoder enc = {0};
    CHECK_EQ(discon_batch_encode(&enc, out, 0, 0, &b), -DISCON_E_INVALID);
    discon_batch_encoder_free(&enc);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    check_strerror(discon_strerror, DISCON_E_COUNT);
    test_bad_inputs();
    test_callback_answers();
    test_bad_batch();
    rmdir(dir);
    CHECK_DONE();
}
