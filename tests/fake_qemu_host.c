/*
 * A fake QEMU that dlopens libdiscon.so, for what Debian's QEMU cannot
 * show: its qemu-user is static and loads no plugins, so user mode (guest
 * threads as vCPUs, up to max_vcpus) and the API-version refusal are
 * exercised here. The real-QEMU tests cover system mode.
 *   usage: fake_qemu_host PLUGIN
 */
#define _GNU_SOURCE
#include "check.h"
#include "qemu_plugin_api.h"
#include "segment_reader.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The host side of the ABI, exported to the plugin (-rdynamic). */
static qemu_plugin_vcpu_discon_cb_t discon_cb;
static qemu_plugin_udata_cb_t atexit_cb;
static int discon_mask;

QEMU_PLUGIN_EXPORT void qemu_plugin_register_vcpu_discon_cb(qemu_plugin_id_t id,
                                                            enum qemu_plugin_discon_type type,
                                                            qemu_plugin_vcpu_discon_cb_t cb,
                                                            void *userdata)
{
    (void)id, (void)userdata;
    discon_mask = type;
    discon_cb = cb;
}

QEMU_PLUGIN_EXPORT void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
                                                       qemu_plugin_udata_cb_t cb, void *userdata)
{
    (void)id, (void)userdata;
    atexit_cb = cb;
}

/* Capture what the plugin prints on stderr. */
static int saved_stderr = -1;
static FILE *captured;

static void capture_begin(void)
{
    fflush(stderr);
    captured = tmpfile();
    saved_stderr = dup(2);
    dup2(fileno(captured), 2);
}

static void capture_end(char *buf, size_t len)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    rewind(captured);
    size_t n = fread(buf, 1, len - 1, captured);
    buf[n] = '\0';
    fclose(captured);
}

static int occurrences(const char *s, const char *needle)
{
    int n = 0;
    for (; (s = strstr(s, needle)); s++)
        n++;
    return n;
}

typedef int (*install_fn)(qemu_plugin_id_t, const qemu_info_t *, int, char **);

#define THREADS 6      /* guest threads: vCPUs 0..5 */
#define MAX_VCPUS 4    /* rings: vCPUs 4 and 5 are beyond the maximum */
#define EVENTS 5000

static void *guest_thread(void *arg)
{
    unsigned vcpu = (unsigned)(uintptr_t)arg;
    for (uint64_t i = 0; i < EVENTS; i++)
        discon_cb(vcpu, QEMU_PLUGIN_DISCON_EXCEPTION, 0x400000 + i, 0x400000 + i + 4, NULL);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fake_qemu_host PLUGIN\n");
        return 2;
    }
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    int *version = dlsym(h, "qemu_plugin_version");
    install_fn install = (install_fn)(uintptr_t)dlsym(h, "qemu_plugin_install");
    CHECK(version && *version == 7);
    CHECK(install != NULL);
    if (!version || !install)
        CHECK_DONE();

    /* A QEMU offering API 8 only (min 8): refused with a message. */
    qemu_info_t newer = {.target_name = "aarch64", .version = {8, 8}};
    char *no_args[] = {NULL};
    char out[4096];
    capture_begin();
    CHECK(install(1, &newer, 0, no_args) != 0);
    capture_end(out, sizeof out);
    CHECK_CONTAINS(out, "built for QEMU plugin API 7 (QEMU 11.1); this QEMU offers API 8 to 8");

    /* User mode: max_vcpus rings; more threads are counted, not recorded. */
    char name[64], shm_opt[80], vcpus_opt[32] = "max_vcpus=4";
    snprintf(name, sizeof name, "/discon-test-fake-%d", (int)getpid());
    snprintf(shm_opt, sizeof shm_opt, "shm=%s", name);
    char *args[] = {shm_opt, vcpus_opt, "ring=1024"};
    qemu_info_t user = {.target_name = "aarch64", .version = {7, 7}, .system_emulation = false};
    CHECK_EQ(install(2, &user, 3, args), 0);
    CHECK(discon_cb != NULL && atexit_cb != NULL);
    CHECK_EQ(discon_mask, DISCON_QEMU_TYPES); /* user mode: no returns */
    if (!discon_cb || !atexit_cb)
        CHECK_DONE();

    struct discon_segment seg;
    char err[256];
    CHECK_EQ(discon_segment_attach(&seg, name, err, sizeof err), DISCON_ATTACH_OK);
    CHECK_EQ(seg.layout.vcpu_capacity, MAX_VCPUS);
    CHECK_EQ(seg.layout.flags & DISCON_FLAG_SYSTEM, 0);
    CHECK(strcmp(seg.layout.target, "aarch64") == 0);
    char want_options[160];
    snprintf(want_options, sizeof want_options, "%s,max_vcpus=4,ring=1024", shm_opt);
    CHECK(strcmp(seg.layout.options, want_options) == 0);

    capture_begin();
    pthread_t t[THREADS];
    for (uintptr_t v = 0; v < THREADS; v++)
        pthread_create(&t[v], NULL, guest_thread, (void *)v);
    uint64_t got[MAX_VCPUS] = {0}, bad = 0;
    struct discon_record buf[256];
    /* Drain until every recorded vCPU has all its events (or 60 s passed:
     * then the checks below say what is missing). */
    for (int waited_ms = 0, done = 0; !done && waited_ms < 60000;) {
        long total = 0;
        done = 1;
        for (uint32_t v = 0; v < MAX_VCPUS; v++) {
            long n = discon_ring_consume(&seg.rings[v], buf, 256, err, sizeof err);
            CHECK(n >= 0);
            for (long i = 0; i < n; i++, got[v]++)
                bad += buf[i].from_pc != 0x400000 + got[v] || buf[i].type != DISCON_EXCEPTION;
            total += n > 0 ? n : 0;
            done &= got[v] >= EVENTS;
        }
        if (!total && !done) {
            usleep(1000);
            waited_ms++;
        }
    }
    for (int v = 0; v < THREADS; v++)
        pthread_join(t[v], NULL);
    capture_end(out, sizeof out);
    CHECK_EQ(occurrences(out, "is beyond max_vcpus=4; its events are not recorded"), 1);
    for (int v = 0; v < MAX_VCPUS; v++)
        CHECK_EQ(got[v], EVENTS);
    CHECK_EQ(bad, 0);
    CHECK_EQ(atomic_load(&seg.hdr->unrecorded), (THREADS - MAX_VCPUS) * EVENTS);

    atexit_cb(NULL);
    CHECK_EQ(atomic_load(&seg.hdr->state), DISCON_STATE_FINISHED);
    /* Drained at exit: the plugin removed the name (our mapping remains). */
    CHECK(shm_open(name, O_RDONLY, 0) < 0);
    discon_segment_detach(&seg);
    CHECK_DONE();
}
