/*
 * libdiscon.so: a QEMU TCG plugin that records every discontinuity
 * (interrupt, exception, host call) into one shared-memory ring per vCPU,
 * and (plugin_returns.h) every x86_64 syscall/sysenter and, with
 * returns=on, every return from a trap.
 *
 *   qemu-system-... -plugin libdiscon.so,shm=NAME,mode=block,ring=65536
 *
 * The callback runs on the vCPU's own thread; each vCPU owns one ring, so
 * every ring has a single producer. See discon_ring.h for the layout.
 */
#define _GNU_SOURCE
#include "discon_clock.h"
#include "exit_gate.h"
#include "plugin_cause.h"
#include "plugin_once.h"
#include "plugin_options.h"
#include "plugin_returns.h"
#include "qemu_plugin_api.h"
#include "ring_producer.h"
#include "segment_create.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = DISCON_QEMU_PLUGIN_API_VERSION;

static struct {
    struct discon_shm_header *hdr;
    struct discon_producer *rings;
    uint32_t nrings;
    struct discon_exit_gate gate; /* nrings + 1 slots: the last for vCPUs beyond */
    char shm_name[DISCON_SHM_NAME_MAX + 2];
    atomic_flag overflow_warned;
    struct discon_cause cause;
    struct discon_returns ret;
    uint32_t types; /* the event types recorded (types=) */
} g = {.overflow_warned = ATOMIC_FLAG_INIT};

/* Record one event of vCPU `vcpu` (sets its time): every event's one way
 * into the rings, on the vCPU's own thread. */
static void record_event(unsigned vcpu, struct discon_record *rec)
{
    if (__builtin_expect(vcpu >= g.nrings, 0)) {
        if (!discon_gate_enter_shared(&g.gate, g.nrings))
            return;
        /* Relaxed: a counter; the consumer reads it after FINISHED, and the
         * gate orders this before FINISHED (discon_ring.h, (a)). */
        atomic_fetch_add_explicit(&g.hdr->unrecorded, 1, memory_order_relaxed);
        discon_gate_leave_shared(&g.gate, g.nrings);
        /* A once-only flag, no pair: it orders nothing but the warning. */
        if (!atomic_flag_test_and_set(&g.overflow_warned))
            fprintf(stderr,
                    "discon: error: guest vCPU %u is beyond max_vcpus=%u; its events are "
                    "not recorded, only counted (raise max_vcpus)\n", vcpu, g.nrings);
        return;
    }
    if (!discon_gate_enter(&g.gate, vcpu))
        return; /* QEMU is exiting: the rings are closed */
    rec->time_ns = discon_clock_ns(CLOCK_MONOTONIC);
    discon_produce(&g.rings[vcpu], rec);
    discon_gate_leave(&g.gate, vcpu);
}

static void on_discon(unsigned int vcpu, enum qemu_plugin_discon_type type, uint64_t from_pc,
                      uint64_t to_pc, void *udata)
{
    (void)udata;
    struct discon_record rec;
    /* An x86_64 return completed just before this trap, with no block run
     * since: its event comes first. (Registered for every type when returns
     * wait for a block, so none is missed; the types= filter applies here.) */
    if (discon_returns_before_trap(&g.ret, vcpu, from_pc, &rec))
        record_event(vcpu, &rec);
    if (!((uint32_t)type & g.types))
        return;
    rec = (struct discon_record){.from_pc = from_pc, .to_pc = to_pc, .type = (uint8_t)type};
    if (vcpu < g.nrings)
        discon_cause_read(&g.cause, vcpu, rec.type, &rec);
    record_event(vcpu, &rec);
}

/* Every ring drained? Uses only our private ring pointers: the header in
 * shared memory may have been scribbled on. */
static bool all_drained(void)
{
    for (uint32_t i = 0; i < g.nrings; i++)
        /* head: ours, and every vCPU is out (gate closed): relaxed. tail
         * pairs with the release in discon_ring_release(). */
        if (atomic_load_explicit(&g.rings[i].ctl->head, memory_order_relaxed) !=
            atomic_load_explicit(&g.rings[i].ctl->tail, memory_order_acquire))
            return false;
    return true;
}

static void at_qemu_exit(void *udata)
{
    (void)udata;
    /* No vCPU is in its callback from here on, and every one's last head
     * store happened before this returned: ordering (a) of discon_ring.h. */
    discon_exit_gate_close(&g.gate);
    uint64_t dropped = 0;
    for (uint32_t i = 0; i < g.nrings; i++) /* ordered by the gate: relaxed */
        dropped += atomic_load_explicit(&g.rings[i].ctl->dropped, memory_order_relaxed);
    uint64_t unrecorded = atomic_load_explicit(&g.hdr->unrecorded, memory_order_relaxed);
    if (dropped || unrecorded)
        fprintf(stderr,
                "discon: %llu events dropped (counted in the segment), %llu events of vCPUs "
                "beyond max_vcpus not recorded\n",
                (unsigned long long)dropped, (unsigned long long)unrecorded);
    /* Pairs with the acquire of state in discon_segment_finished(). */
    atomic_store_explicit(&g.hdr->state, DISCON_STATE_FINISHED, memory_order_release);
    /* A consumer that already mapped it keeps it; undrained records stay. */
    if (all_drained())
        shm_unlink(g.shm_name);
}

static void on_vcpu_init(unsigned int vcpu, void *udata)
{
    (void)udata;
    discon_cause_vcpu_init(&g.cause, vcpu);
}

/* plugin_once.h: what another copy of this plugin in the same QEMU asks. */
QEMU_PLUGIN_EXPORT const char *discon_plugin_recording_into(void)
{
    return g.hdr ? g.shm_name : NULL;
}

static void join_options(char *buf, size_t len, int argc, char **argv)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", argv[i]);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    if (info->version.min > DISCON_QEMU_PLUGIN_API_VERSION ||
        info->version.cur < DISCON_QEMU_PLUGIN_API_VERSION) {
        fprintf(stderr,
                "discon: this plugin was built for QEMU plugin API %d (QEMU 11.1); this QEMU "
                "offers API %d to %d\n",
                DISCON_QEMU_PLUGIN_API_VERSION, info->version.min, info->version.cur);
        return -1;
    }
    /* QEMU dlopens a second -plugin naming this file under another path
     * spelling as the same object: one set of globals, every event
     * recorded twice and the first segment leaked. A copy of the file is
     * another object whose segment nobody would drain (plugin_once.h).
     * Refuse both. */
    const char *first = g.hdr ? g.shm_name : discon_plugin_other_instance(discon_plugin_recording_into);
    if (first) {
        fprintf(stderr,
                "discon: the plugin is already loaded in this QEMU (recording into %s): "
                "give -plugin libdiscon.so once\n",
                first);
        return -1;
    }
    struct discon_options opt;
    char err[512];
    if (discon_options_parse(&opt, argc, argv, err, sizeof err) < 0) {
        fprintf(stderr, "discon: %s\n", err);
        return -1;
    }
    bool auto_name = opt.shm_name[0] == '\0';
    if (auto_name)
        snprintf(opt.shm_name, sizeof opt.shm_name, "/discon-%d", (int)getpid());
    memcpy(g.shm_name, opt.shm_name, sizeof g.shm_name);

    uint32_t nrings = opt.max_vcpus;
    uint32_t smp = 0;
    if (info->system_emulation) {
        if (info->system.max_vcpus < 1 || (unsigned)info->system.max_vcpus > DISCON_MAX_VCPUS) {
            fprintf(stderr, "discon: %d vCPUs: discon supports 1 to %u\n",
                    info->system.max_vcpus, DISCON_MAX_VCPUS);
            return -1;
        }
        nrings = (uint32_t)info->system.max_vcpus;
        smp = (uint32_t)info->system.smp_vcpus;
    }

    char options[sizeof g.hdr->options];
    join_options(options, sizeof options, argc, argv);
    /* Returns and fast system calls exist only where QEMU runs a kernel.
     * returns=off drops the RETURN events only: an x86_64 syscall is a trap
     * like any other (a system call the guest made), recorded when its type
     * is, so x86_64 keeps its system-call tables without returns. */
    uint32_t flow = !info->system_emulation ? 0u
                    : (opt.types & DISCON_SYSCALL) | (opt.returns ? opt.types & DISCON_RETURN : 0u);
    uint32_t types = (opt.types & DISCON_QEMU_TYPES) | flow;
    bool returns = flow != 0;
    if (!types) {
        fprintf(stderr, "discon: nothing to record: return events need returns=on, and return "
                        "and syscall events system emulation\n");
        return -1;
    }
    struct discon_segment_config cfg = {
        .name = opt.shm_name,
        .ring_capacity = opt.ring_capacity,
        .vcpu_capacity = nrings,
        .smp_vcpus = smp,
        .flags = info->system_emulation ? DISCON_FLAG_SYSTEM : 0,
        .mode = opt.mode,
        .types = types,
        .block_timeout_ms = opt.block_timeout_ms,
        .target = info->target_name,
        .options = options,
    };
    g.hdr = discon_segment_create(&cfg, err, sizeof err);
    if (!g.hdr) {
        fprintf(stderr, "discon: %s\n", err);
        return -1;
    }
    g.rings = calloc(nrings, sizeof *g.rings);
    if (!g.rings || discon_exit_gate_init(&g.gate, nrings + 1) != 0 ||
        discon_cause_init(&g.cause, info->target_name, nrings, opt.cause, returns) != 0 ||
        discon_returns_init(&g.ret, info->target_name, types, &g.cause,
                            record_event) != 0) {
        fprintf(stderr, "discon: out of memory\n");
        munmap(g.hdr, discon_segment_size(opt.ring_capacity, nrings));
        shm_unlink(opt.shm_name);
        return -1;
    }
    g.nrings = nrings;
    g.types = types;
    for (uint32_t i = 0; i < nrings; i++)
        discon_producer_init(&g.rings[i],
                             discon_ring_ctl_at(g.hdr, discon_ring_stride(opt.ring_capacity), i),
                             opt.ring_capacity, opt.mode, opt.block_timeout_ms, i);
    if (auto_name)
        fprintf(stderr, "discon: recording into shared memory %s\n", opt.shm_name);

    uint32_t qemu_types = opt.types & DISCON_QEMU_TYPES;
    if (discon_returns_wait_for_block(&g.ret))
        qemu_types = DISCON_QEMU_TYPES; /* every trap may follow a return */
    if (discon_returns_active(&g.ret))
        qemu_plugin_register_vcpu_tb_trans_cb(id, discon_returns_on_tb_trans, &g.ret);
    if (qemu_types)
        qemu_plugin_register_vcpu_discon_cb(id, (enum qemu_plugin_discon_type)qemu_types,
                                            on_discon, NULL);
    qemu_plugin_register_atexit_cb(id, at_qemu_exit, NULL);
    if (g.cause.vcpu)
        qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init, NULL);
    return 0;
}
