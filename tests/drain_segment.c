/*
 * Test helper: attach to a discon segment (waiting for it to appear),
 * drain every ring while the producer runs, and print what arrived.
 * Until the consumer daemon exists this is what reads the rings in tests.
 *
 *   drain_segment [--records] [--keep] [--wait MS] [--poll-us N] NAME
 *
 * Output, one line each (records only with --records):
 *   record VCPU TYPE FROM_PC TO_PC
 *   loss VCPU COUNT
 *   vcpu V interrupt N exception N hostcall N return N syscall N
 *                       (vCPUs with events; every type of discon_types.h)
 *   total events N lost_inband N dropped N unrecorded N finished 0|1
 * Exits non-zero on any error; unlinks the segment when done unless --keep.
 */
#define _GNU_SOURCE
#include "segment_reader.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

struct counts {
    uint64_t by_type[DISCON_NTYPES];
    uint64_t lost_inband;
};

int main(int argc, char **argv)
{
    int print_records = 0, keep = 0;
    long wait_ms = 10000, poll_us = 200;
    static const struct option longopts[] = {
        {"records", no_argument, NULL, 'r'},
        {"keep", no_argument, NULL, 'k'},
        {"wait", required_argument, NULL, 'w'},
        {"poll-us", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    for (int c; (c = getopt_long(argc, argv, "rkw:p:", longopts, NULL)) != -1;) {
        if (c == 'r')
            print_records = 1;
        else if (c == 'k')
            keep = 1;
        else if (c == 'w')
            wait_ms = atol(optarg);
        else if (c == 'p')
            poll_us = atol(optarg);
        else
            return 2;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: drain_segment [--records] [--keep] [--wait MS] [--poll-us N] NAME\n");
        return 2;
    }
    const char *name = argv[optind];

    struct discon_segment seg;
    char err[512];
    int rc; /* DISCON_ATTACH_OK, _NOT_READY, or -DISCON_SEG_E_x */
    for (long waited = 0;; waited++) {
        rc = discon_segment_attach(&seg, name, err, sizeof err);
        if (rc != DISCON_ATTACH_NOT_READY)
            break;
        if (waited >= wait_ms) {
            fprintf(stderr, "drain_segment: %s did not appear within %ld ms\n", name, wait_ms);
            return 1;
        }
        sleep_us(1000);
    }
    if (rc != DISCON_ATTACH_OK) {
        fprintf(stderr, "drain_segment: %s\n", err);
        return 1;
    }

    uint32_t nrings = seg.layout.vcpu_capacity;
    struct counts *counts = calloc(nrings, sizeof *counts);
    struct discon_record buf[1024];
    int finished = 0, producer_gone = 0;
    for (;;) {
        /* Read the state before draining: whatever it says, all the
         * records published before it are drained in this pass. */
        int fin = discon_segment_finished(&seg, err, sizeof err);
        if (fin < 0) {
            fprintf(stderr, "drain_segment: %s\n", err);
            return 1;
        }
        if (!fin && kill(seg.layout.producer_pid, 0) != 0 && errno == ESRCH)
            producer_gone = 1;
        uint64_t got = 0;
        for (uint32_t v = 0; v < nrings; v++) {
            long n;
            while ((n = discon_ring_consume(&seg.rings[v], buf, 1024, err, sizeof err)) > 0) {
                got += (uint64_t)n;
                for (long i = 0; i < n; i++) {
                    const struct discon_record *r = &buf[i];
                    const char *tn = discon_type_name(r->type);
                    if (r->type == DISCON_RECORD_LOSS) {
                        counts[v].lost_inband += r->from_pc;
                        if (print_records)
                            printf("loss %u %llu\n", v, (unsigned long long)r->from_pc);
                    } else if (tn) {
                        counts[v].by_type[discon_type_index(r->type)]++;
                        if (print_records)
                            printf("record %u %s 0x%llx 0x%llx\n", v, tn,
                                   (unsigned long long)r->from_pc,
                                   (unsigned long long)r->to_pc);
                    } else {
                        fprintf(stderr, "drain_segment: vCPU %u: record of unknown type %u\n",
                                v, r->type);
                        return 1;
                    }
                }
            }
            if (n < 0) {
                fprintf(stderr, "drain_segment: %s\n", err);
                return 1;
            }
        }
        if ((fin || producer_gone) && got == 0) {
            /* It may have finished between our state read and its exit. */
            finished = discon_segment_finished(&seg, err, sizeof err) == 1;
            break;
        }
        if (got == 0)
            sleep_us(poll_us);
    }

    uint64_t total = 0, lost = 0, dropped = 0;
    for (uint32_t v = 0; v < nrings; v++) {
        const struct counts *c = &counts[v];
        uint64_t n = 0;
        for (int t = 0; t < DISCON_NTYPES; t++)
            n += c->by_type[t];
        if (n) {
            printf("vcpu %u", v);
            for (int t = 0; t < DISCON_NTYPES; t++)
                printf(" %s %llu", discon_type_name(discon_type_at(t)),
                       (unsigned long long)c->by_type[t]);
            printf("\n");
        }
        total += n;
        lost += c->lost_inband;
        dropped += discon_ring_dropped(&seg.rings[v]);
    }
    printf("total events %llu lost_inband %llu dropped %llu unrecorded %llu finished %d\n",
           (unsigned long long)total, (unsigned long long)lost, (unsigned long long)dropped,
           (unsigned long long)atomic_load(&seg.hdr->unrecorded), finished);
    discon_segment_detach(&seg);
    if (!keep)
        shm_unlink(name);
    free(counts);
    return 0;
}
