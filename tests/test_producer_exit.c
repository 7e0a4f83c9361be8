/*
 * discond against producers that do not finish, with the real discond
 * binary (DISCOND in the environment):
 *   - a producer killed without finishing is noticed at once through the
 *     pidfd: the trace is closed as not finished well within a second;
 *   - a producer_pid that names a process started after the segment (what a
 *     reused pid looks like) is not taken for the producer;
 *   - the real, live producer is waited for until it finishes;
 *   - a producer_pid of 0 or below is refused.
 */
#define _GNU_SOURCE
#include "check.h"
#include "discon_clock.h"
#include "ring_producer.h"
#include "segment_create.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *discond;
static char dir[] = "/tmp/discon-exit.XXXXXX";

static struct discon_shm_header *make_segment(const char *name, unsigned events)
{
    char err[256];
    shm_unlink(name);
    struct discon_segment_config cfg = {
        .name = name, .ring_capacity = 64, .vcpu_capacity = 1, .smp_vcpus = 1,
        .flags = DISCON_FLAG_SYSTEM, .mode = DISCON_MODE_BLOCK, .types = DISCON_TYPES_ALL,
        .block_timeout_ms = 1000, .target = "test", .options = "",
    };
    struct discon_shm_header *h = discon_segment_create(&cfg, err, sizeof err);
    if (!h) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    struct discon_producer p;
    discon_producer_init(&p, discon_ring_ctl_at(h, h->ring_stride, 0), 64, DISCON_MODE_BLOCK,
                         1000, 0);
    for (unsigned i = 0; i < events; i++) {
        struct discon_record r = {.time_ns = i, .from_pc = i, .to_pc = 1, .type = DISCON_INTERRUPT};
        discon_produce(&p, &r);
    }
    return h;
}

static pid_t start_discond(const char *name, const char *tag)
{
    char out[256], stats[256], log[256];
    snprintf(out, sizeof out, "%s/%s", dir, tag);
    snprintf(stats, sizeof stats, "%s/%s.json", dir, tag);
    snprintf(log, sizeof log, "%s/%s.err", dir, tag);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(log, "w", stderr))
            _exit(126);
        execl(discond, discond, "--shm", name, "-o", out, "--stats-json", stats, "--wait", "10",
              (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Milliseconds until pid exits, or -1 after timeout_ms. */
static long wait_exit(pid_t pid, long timeout_ms, int *status)
{
    uint64_t start = discon_clock_ns(CLOCK_MONOTONIC);
    for (;;) {
        long ms = (long)((discon_clock_ns(CLOCK_MONOTONIC) - start) / 1000000u);
        if (waitpid(pid, status, WNOHANG) == pid)
            return ms;
        if (ms > timeout_ms)
            return -1;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static void slurp(const char *tag, const char *ext, char *buf, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.%s", dir, tag, ext);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

/* discond has attached: its trace file exists. */
static void wait_attached(const char *tag)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s/%s/*.discon >/dev/null 2>&1", dir, tag);
    for (int i = 0; i < 5000 && system(cmd) != 0; i++)
        usleep(1000);
}

static void expect_ended(pid_t d, const char *tag, bool finished, unsigned events)
{
    int status = 0;
    long ms = wait_exit(d, 1000, &status);
    fprintf(stderr, "%s: discond ended %ld ms after the producer\n", tag, ms);
    CHECK(ms >= 0);
    if (ms < 0) {
        kill(d, SIGKILL);
        waitpid(d, &status, 0);
        return;
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char json[1024], want[64];
    slurp(tag, "json", json, sizeof json);
    CHECK_CONTAINS(json, finished ? "\"producer_finished\": true" : "\"producer_finished\": false");
    snprintf(want, sizeof want, "\"events\": %u,", events);
    CHECK_CONTAINS(json, want);
}

static void test_producer_killed(void)
{
    char name[64];
    snprintf(name, sizeof name, "/discon-test-exit-%d", (int)getpid());
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t producer = fork();
    if (producer == 0) {
        make_segment(name, 10);
        CHECK(write(ready[1], "x", 1) == 1);
        pause(); /* until killed: never finishes */
        _exit(0);
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    pid_t d = start_discond(name, "killed");
    wait_attached("killed");
    usleep(500000); /* idle: discond's backoff is at its longest */
    kill(producer, SIGKILL);
    waitpid(producer, NULL, 0);
    expect_ended(d, "killed", false, 10);
    char err[1024];
    slurp("killed", "err", err, sizeof err);
    CHECK(strstr(err, "pidfd") == NULL); /* it was watched through a pidfd */
    CHECK(shm_unlink(name) != 0); /* discond removed it: nobody needs it */
    close(ready[0]);
    close(ready[1]);
}

static void test_stranger_pid(void)
{
    char name[64];
    snprintf(name, sizeof name, "/discon-test-stranger-%d", (int)getpid());
    struct discon_shm_header *h = make_segment(name, 3);
    usleep(50000); /* start times have 10 ms ticks: be clearly later */
    pid_t stranger = fork();
    if (stranger == 0) {
        pause();
        _exit(0);
    }
    h->producer_pid = stranger; /* what a reused pid looks like */
    pid_t d = start_discond(name, "stranger");
    expect_ended(d, "stranger", false, 3);
    kill(stranger, SIGKILL);
    waitpid(stranger, NULL, 0);
    munmap(h, h->segment_size);
    shm_unlink(name);
}

static void test_live_producer(void)
{
    char name[64];
    snprintf(name, sizeof name, "/discon-test-live-%d", (int)getpid());
    struct discon_shm_header *h = make_segment(name, 4);
    pid_t d = start_discond(name, "live");
    wait_attached("live");
    usleep(300000);
    int status;
    CHECK(waitpid(d, &status, WNOHANG) == 0); /* still waiting for us */
    atomic_store_explicit(&h->state, DISCON_STATE_FINISHED, memory_order_release);
    expect_ended(d, "live", true, 4);
    munmap(h, h->segment_size);
    shm_unlink(name);
}

static void test_bad_pid(int32_t pid, const char *tag)
{
    char name[64], err[1024];
    snprintf(name, sizeof name, "/discon-test-%s-%d", tag, (int)getpid());
    struct discon_shm_header *h = make_segment(name, 1);
    h->producer_pid = pid;
    pid_t d = start_discond(name, tag);
    int status = 0;
    bool ended = wait_exit(d, 5000, &status) >= 0;
    CHECK(ended);
    if (!ended) {
        kill(d, SIGKILL);
        waitpid(d, &status, 0);
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    slurp(tag, "err", err, sizeof err);
    /* Refused in one line (the code itself is test_segment's business). */
    char *nl = strchr(err, '\n');
    CHECK(err[0] != '\0' && nl && nl[1] == '\0');
    munmap(h, h->segment_size);
    shm_unlink(name);
}

int main(void)
{
    discond = getenv("DISCOND");
    if (!discond || !mkdtemp(dir)) {
        fprintf(stderr, "set DISCOND to the discond binary\n");
        return 2;
    }
    test_producer_killed();
    test_stranger_pid();
    test_live_producer();
    test_bad_pid(0, "pid0");
    test_bad_pid(-5, "pidneg");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    CHECK_DONE();
}
