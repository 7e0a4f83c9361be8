/*
 * The dispatcher decoder (attach/dispatch_shape.c) on QEMU's own bytes and
 * on altered copies: the original is accepted with the right probe,
 * registers and cpu_index offset; each alteration (another register, a
 * missing call, truncated code, a jump elsewhere, another type) is refused
 * with its own code, or, where the decoder can still place an exact probe,
 * accepted with the slower single-stepped one. Then, where scripts/setup
 * installed it, the real binary end to end (qemu_binary.c).
 */
#include "check.h"
#include "dispatch_shape.h"
#include "qemu_binary.h"

#include <stdlib.h>
#include <unistd.h>

/* Debian trixie-backports qemu-system-aarch64 11.1.3 (x86-64), copied byte
 * for byte: plugin_vcpu_cb__discon at 0x6ed350, up to the next function's
 * endbr64 (objdump -d --start-address=0x6ed350 --stop-address=0x6ed404). */
#define ROUTINE_VADDR 0x6ed350u
static const uint8_t routine[] = {
    0x41, 0x56, 0x49, 0x89, 0xce, 0x41, 0x55, 0x41, 0x89, 0xd5, 0x41, 0x54,
    0x55, 0x48, 0x89, 0xfd, 0x53, 0x48, 0x8b, 0x87, 0x98, 0x00, 0x00, 0x00,
    0x89, 0xf3, 0xff, 0x90, 0xf8, 0x00, 0x00, 0x00, 0xc7, 0x85, 0x58, 0x40,
    0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x49, 0x89, 0xc4, 0x8b, 0x05, 0x75,
    0xb0, 0xc8, 0x01, 0x39, 0x85, 0xb0, 0x02, 0x00, 0x00, 0x7c, 0x25, 0xc7,
    0x85, 0x58, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5b, 0x5d, 0x41,
    0x5c, 0x41, 0x5d, 0x41, 0x5e, 0x31, 0xc0, 0x31, 0xd2, 0x31, 0xc9, 0x31,
    0xf6, 0x31, 0xff, 0x45, 0x31, 0xc0, 0xc3, 0x0f, 0x1f, 0x44, 0x00, 0x00,
    0x48, 0x83, 0xc3, 0x02, 0x48, 0x8d, 0x05, 0x25, 0xaf, 0xc8, 0x01, 0x48,
    0x8b, 0x1c, 0xd8, 0x48, 0x85, 0xdb, 0x74, 0xc7, 0x66, 0x66, 0x2e, 0x0f,
    0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x48, 0x8b, 0x53, 0x18,
    0x48, 0x89, 0xd8, 0x48, 0x89, 0xd3, 0x8b, 0xbd, 0xb0, 0x02, 0x00, 0x00,
    0x4c, 0x8b, 0x40, 0x10, 0x4c, 0x89, 0xe1, 0x4c, 0x89, 0xf2, 0x44, 0x89,
    0xee, 0xff, 0x50, 0x08, 0x48, 0x85, 0xdb, 0x75, 0xdb, 0xeb, 0x94, 0x66,
    0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf3, 0x0f, 0x1e, 0xfa,
};
/* Offsets into it: the instruction after the get-PC call, the jl after it. */
#define AFTER_CALL 0x20u
#define JL 0x39u

/* The exported dispatchers at 0x6ee2c0, 0x6ee2e0, 0x6ee300: endbr64;
 * mov %rsi,%rcx; mov $TYPE,%edx; mov $0xa,%esi; jmp ROUTINE. */
static const uint64_t dispatcher_vaddr[DISCON_DISPATCHER_COUNT] = {0x6ee2c0, 0x6ee2e0, 0x6ee300};
#define DISPATCHER_LEN 22u
static void make_dispatcher(int d, uint8_t out[DISPATCHER_LEN])
{
    static const uint8_t shape[DISPATCHER_LEN] = {0xf3, 0x0f, 0x1e, 0xfa, 0x48, 0x89, 0xf1, 0xba,
                                                  0, 0, 0, 0, 0xbe, 0x0a, 0, 0, 0, 0xe9};
    memcpy(out, shape, DISPATCHER_LEN);
    out[8] = (uint8_t)discon_dispatcher_types[d];
    int32_t rel = (int32_t)(ROUTINE_VADDR - (dispatcher_vaddr[d] + DISPATCHER_LEN));
    memcpy(out + 18, &rel, 4); /* little-endian host: x86-64 only */
}

static uint8_t dcode[DISCON_DISPATCHER_COUNT][DISPATCHER_LEN];
static struct discon_code dispatchers[DISCON_DISPATCHER_COUNT];

static void reset_dispatchers(void)
{
    for (int d = 0; d < DISCON_DISPATCHER_COUNT; d++) {
        make_dispatcher(d, dcode[d]);
        dispatchers[d] = (struct discon_code){dispatcher_vaddr[d], dcode[d], DISPATCHER_LEN};
    }
}

static enum discon_shape_error decode_dispatchers(uint64_t *r)
{
    char err[256] = "";
    enum discon_shape_error e = discon_decode_dispatchers(dispatchers, r, err, sizeof err);
    CHECK(e == DISCON_SHAPE_OK || (err[0] && !strchr(err, '\n')));
    reset_dispatchers();
    return e;
}

static void test_dispatchers(void)
{
    uint64_t r = 0;
    reset_dispatchers();
    CHECK_EQ(decode_dispatchers(&r), DISCON_SHAPE_OK);
    CHECK_EQ(r, ROUTINE_VADDR);
    dcode[1][8] = 3; /* the exception dispatcher passes another type */
    CHECK_EQ(decode_dispatchers(&r), DISCON_SHAPE_WRONG_TYPE);
    dcode[0][6] = 0xf2; /* mov %rsi,%rdx: from_pc into another register */
    CHECK_EQ(decode_dispatchers(&r), DISCON_SHAPE_NOT_TAIL_JUMP);
    dcode[2][17] = 0xe8; /* a call, not a tail jump */
    CHECK_EQ(decode_dispatchers(&r), DISCON_SHAPE_NOT_TAIL_JUMP);
    dispatchers[1].len = 19; /* cut inside the jmp */
    CHECK_EQ(decode_dispatchers(&r), DISCON_SHAPE_TRUNCATED);
    dcode[2][18] += 0x10; /* the hostcall dispatcher jumps elsewhere */
    CHECK_EQ(decode_dispatchers(&r), DISCON_SHAPE_ROUTINES_DIFFER);
}

/* Decode routine[] with `len` bytes and the alterations at (off, byte). */
static enum discon_shape_error decode_altered(size_t len, const size_t *off, const uint8_t *byte,
                                              size_t n, struct discon_dispatch_shape *s)
{
    uint8_t code[sizeof routine];
    memcpy(code, routine, sizeof routine);
    for (size_t k = 0; k < n; k++)
        code[off[k]] = byte[k];
    struct discon_code c = {ROUTINE_VADDR, code, len};
    char err[256] = "";
    *s = (struct discon_dispatch_shape){0};
    enum discon_shape_error e = discon_decode_routine(&c, s, err, sizeof err);
    CHECK(e == DISCON_SHAPE_OK || (err[0] && !strchr(err, '\n')));
    return e;
}
#define ALTERED(s, ...)                                                                       \
    decode_altered(sizeof routine, (const size_t[]){__VA_ARGS__}, alter_bytes,              \
                   sizeof((const size_t[]){__VA_ARGS__}) / sizeof(size_t), s)
static const uint8_t *alter_bytes;

static void test_routine(void)
{
    struct discon_dispatch_shape s;
    CHECK_EQ(decode_altered(sizeof routine, NULL, NULL, 0, &s), DISCON_SHAPE_OK);
    CHECK_EQ(s.probe, ROUTINE_VADDR + JL);
    CHECK(s.probe_emulated);
    CHECK_EQ(s.cpu_reg, DISCON_REG_RBP);
    CHECK_EQ(s.type_reg, DISCON_REG_R13);
    CHECK_EQ(s.from_reg, DISCON_REG_R14);
    CHECK_EQ(s.to_reg, DISCON_REG_R12);
    CHECK_EQ(s.cpu_index_offset, 0x2b0);

    /* mov %rdi,%r11: the CPUState in a register the call clobbers. */
    alter_bytes = (const uint8_t[]){0x49, 0xfb};
    CHECK_EQ(ALTERED(&s, 13, 15), DISCON_SHAPE_ARG_LOST);
    /* mov %rdi,%r15: kept, but cpu_index is loaded through %rbp. */
    alter_bytes = (const uint8_t[]){0x49, 0xff};
    CHECK_EQ(ALTERED(&s, 13, 15), DISCON_SHAPE_NO_CPU_INDEX);
    /* The class loaded through %rsi: the call is not get_pc's. */
    alter_bytes = (const uint8_t[]){0x86};
    CHECK_EQ(ALTERED(&s, 19), DISCON_SHAPE_UNKNOWN_INSN);
    /* The get-PC call replaced by a 6-byte nop. */
    alter_bytes = (const uint8_t[]){0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00};
    CHECK_EQ(ALTERED(&s, 26, 27, 28, 29, 30, 31), DISCON_SHAPE_UNKNOWN_INSN);
    /* cpu_index at an offset no field has (unaligned). */
    alter_bytes = (const uint8_t[]){0xb1};
    CHECK_EQ(ALTERED(&s, 0x8c), DISCON_SHAPE_BAD_CPU_INDEX);
    /* Truncated: inside the prologue, inside the call, right after it. */
    CHECK_EQ(decode_altered(10, NULL, NULL, 0, &s), DISCON_SHAPE_TRUNCATED);
    CHECK_EQ(decode_altered(28, NULL, NULL, 0, &s), DISCON_SHAPE_TRUNCATED);
    CHECK_EQ(decode_altered(AFTER_CALL, NULL, NULL, 0, &s), DISCON_SHAPE_TRUNCATED);

    /* Still exact, but single-stepped: the jl turned into a jmp elsewhere
     * (not straight-line code), or to_pc lost before the jl
     * (mov %rbx,%r12 instead of mov %rax,%r12). */
    alter_bytes = (const uint8_t[]){0xeb};
    CHECK_EQ(ALTERED(&s, JL), DISCON_SHAPE_OK);
    CHECK(!s.probe_emulated);
    CHECK_EQ(s.probe, ROUTINE_VADDR + AFTER_CALL);
    CHECK_EQ(s.to_reg, DISCON_REG_RAX);
    alter_bytes = (const uint8_t[]){0xdc};
    CHECK_EQ(ALTERED(&s, 0x2c), DISCON_SHAPE_OK);
    CHECK(!s.probe_emulated);
    CHECK_EQ(s.probe, ROUTINE_VADDR + AFTER_CALL);
    CHECK_EQ(s.to_reg, DISCON_REG_RAX);
    CHECK_EQ(s.cpu_reg, DISCON_REG_RBP);
}

/* No get-PC call in the first 32 instructions: 40 pushes. */
static void test_no_call(void)
{
    uint8_t pushes[40];
    memset(pushes, 0x53, sizeof pushes);
    struct discon_code c = {ROUTINE_VADDR, pushes, sizeof pushes};
    struct discon_dispatch_shape s;
    char err[256];
    CHECK_EQ(discon_decode_routine(&c, &s, err, sizeof err), DISCON_SHAPE_NO_CALL);
}

/* The binary itself, where scripts/setup put it (DISCON_CACHE). */
static void test_real_binary(void)
{
    const char *cache = getenv("DISCON_CACHE") ? getenv("DISCON_CACHE") : "/var/cache/discon";
    char path[4096];
    snprintf(path, sizeof path, "%s/sysroot-trixie/usr/bin/qemu-system-aarch64", cache);
    if (access(path, R_OK) != 0) {
        printf("test_dispatch_shape: %s absent (scripts/setup): only the copied bytes tested\n",
               path);
        return;
    }
    struct discon_dispatch_shape s;
    uint64_t offset = 0;
    char err[512] = "";
    CHECK_EQ(discon_binary_inspect(path, &s, &offset, err, sizeof err), DISCON_BINARY_OK);
    if (s.routine != ROUTINE_VADDR) {
        printf("test_dispatch_shape: %s is another build (routine 0x%llx)\n", path,
               (unsigned long long)s.routine);
        return;
    }
    CHECK_EQ(s.probe, ROUTINE_VADDR + JL);
    CHECK(s.probe_emulated);
    CHECK_EQ(s.to_reg, DISCON_REG_R12);
}

int main(void)
{
    test_dispatchers();
    test_routine();
    test_no_call();
    test_real_binary();
    return check_failures ? 1 : 0;
}
