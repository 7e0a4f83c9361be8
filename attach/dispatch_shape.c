/* Decoding QEMU's discontinuity dispatchers: see dispatch_shape.h. The
 * decoder knows only the few x86-64 encodings that shape uses and refuses
 * every other byte, which is the point: an unknown shape is never guessed. */
#include "dispatch_shape.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

const char *const discon_dispatcher_names[DISCON_DISPATCHER_COUNT] = {
    "qemu_plugin_vcpu_interrupt_cb", "qemu_plugin_vcpu_exception_cb",
    "qemu_plugin_vcpu_hostcall_cb"};
const uint32_t discon_dispatcher_types[DISCON_DISPATCHER_COUNT] = {1u, 2u, 4u};

/* x86-64 register numbers (ModRM with REX): rax 0, rcx 1, rdx 2, rbx 3,
 * rsp 4, rbp 5, rsi 6, rdi 7, r8..r15 8..15. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R12 = 12, R13, R14, R15 };

/* What a register holds while the prologue runs. */
enum held { NOTHING, CPU, EV, TYPE, FROM, CLASS };

static const uint8_t endbr64[4] = {0xf3, 0x0f, 0x1e, 0xfa};

static bool at_endbr64(const struct discon_code *c, size_t at)
{
    return at + 4 <= c->len && memcmp(c->bytes + at, endbr64, 4) == 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int discon_decode_dispatcher(const struct discon_code *c, uint32_t type, uint64_t *routine,
                             char *err, size_t errlen)
{
    size_t at = at_endbr64(c, 0) ? 4 : 0;
    bool from_in_rcx = false, type_set = false, ev_set = false;
    for (int n = 0; n < 4 && at < c->len; n++) {
        const uint8_t *p = c->bytes + at;
        size_t left = c->len - at;
        if (left >= 3 && p[0] == 0x48 && p[1] == 0x89 && p[2] == 0xf1) { /* mov %rsi,%rcx */
            from_in_rcx = true;
            at += 3;
        } else if (left >= 5 && p[0] == 0xba) { /* mov $imm32,%edx */
            if (le32(p + 1) != type)
                return FAIL("passes type %u where %u was expected", le32(p + 1), type);
            type_set = true;
            at += 5;
        } else if (left >= 5 && p[0] == 0xbe) { /* mov $imm32,%esi: the event list */
            ev_set = true;
            at += 5;
        } else if (left >= 5 && p[0] == 0xe9 && from_in_rcx && type_set && ev_set) {
            *routine = c->vaddr + at + 5 + (uint64_t)(int64_t)(int32_t)le32(p + 1);
            return 0;
        } else {
            break;
        }
    }
    return FAIL("is not a tail jump into a shared routine (byte 0x%02x at +%zu)",
                at < c->len ? c->bytes[at] : 0u, at);
}

/* One prologue instruction at *at: updates held[], sets *call_done on the
 * get-PC call. 0, or -1 with err. */
static int prologue_step(const struct discon_code *c, size_t *at, enum held held[16],
                         bool *call_done, char *err, size_t errlen)
{
    const uint8_t *p = c->bytes + *at;
    size_t left = c->len - *at, i = 0;
    if (at_endbr64(c, *at)) {
        *at += 4;
        return 0;
    }
    unsigned rex = left > 1 && (p[0] & 0xf0) == 0x40 ? p[i++] : 0;
    bool w = rex & 8;
    unsigned r = rex & 4 ? 8 : 0, b = rex & 1 ? 8 : 0;
    uint8_t op = p[i], modrm = i + 1 < left ? p[i + 1] : 0;
    unsigned mod = modrm >> 6, reg = (modrm >> 3 & 7) | r, rm = (modrm & 7) | b;
    size_t disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (op >= 0x50 && op <= 0x57) { /* push */
        *at += i + 1;
        return 0;
    }
    if (i + 2 > left)
        return FAIL("the routine ends inside its prologue");
    if (op == 0x89 && mod == 3) { /* mov reg -> rm */
        enum held v = held[reg];
        held[rm] = w || v == TYPE || v == EV ? v : NOTHING; /* 32-bit: no pointer */
        *at += i + 2;
        return 0;
    }
    if (op == 0x83 && modrm == 0xec && w && i + 3 <= left) { /* sub $imm8,%rsp */
        *at += i + 3;
        return 0;
    }
    if (op == 0x8b && w && disp && (rm & 7) != RSP && i + 2 + disp <= left) {
        held[reg] = held[rm] == CPU ? CLASS : NOTHING; /* load through the CPUState */
        *at += i + 2 + disp;
        return 0;
    }
    if (op == 0xff && (modrm >> 3 & 7) == 2 && disp && (rm & 7) != RSP &&
        i + 2 + disp <= left && held[rm] == CLASS) { /* call *OFF(class) */
        *at += i + 2 + disp;
        *call_done = true;
        return 0;
    }
    return FAIL("unexpected instruction (byte 0x%02x) at routine+%zu before the get-PC call",
                op, *at);
}

/* The callee-saved register holding v, or 0. */
static enum discon_attach_reg saved(const enum held held[16], enum held v)
{
    static const struct { unsigned x86; enum discon_attach_reg reg; } callee_saved[] = {
        {RBX, DISCON_REG_RBX}, {RBP, DISCON_REG_RBP}, {R12, DISCON_REG_R12},
        {R13, DISCON_REG_R13}, {R14, DISCON_REG_R14}, {R15, DISCON_REG_R15}};
    for (size_t k = 0; k < sizeof callee_saved / sizeof callee_saved[0]; k++)
        if (held[callee_saved[k].x86] == v)
            return callee_saved[k].reg;
    return 0;
}

static unsigned x86_number(enum discon_attach_reg reg)
{
    static const unsigned n[] = {[DISCON_REG_RBX] = RBX, [DISCON_REG_RBP] = RBP,
                                 [DISCON_REG_R12] = R12, [DISCON_REG_R13] = R13,
                                 [DISCON_REG_R14] = R14, [DISCON_REG_R15] = R15};
    return n[reg];
}

/* Whether an indirect call (ff /2) starts within `window` bytes after at. */
static bool call_follows(const struct discon_code *c, size_t at, size_t end, size_t window)
{
    for (size_t k = at; k + 1 < end && k < at + window; k++)
        if (c->bytes[k] == 0xff && (c->bytes[k + 1] >> 3 & 7) == 2)
            return true;
    return false;
}

/* Step 3: `mov OFF(%cpu),%edi` loads between `from` and the next function. */
static int find_cpu_index(const struct discon_code *c, size_t from, unsigned cpu,
                          uint32_t *offset, char *err, size_t errlen)
{
    size_t end = from;
    while (end < c->len && !at_endbr64(c, end))
        end++;
    uint8_t modrm8 = (uint8_t)(0x40 | 7 << 3 | (cpu & 7)), modrm32 = (uint8_t)(modrm8 + 0x40);
    int found = 0;
    for (size_t k = from + 1; k + 2 < end; k++) {
        uint8_t before = c->bytes[k - 1];
        bool rex_ok = cpu >= 8 ? before == 0x41 : (before & 0xf0) != 0x40;
        if (c->bytes[k] != 0x8b || !rex_ok)
            continue;
        size_t disp = c->bytes[k + 1] == modrm8 ? 1 : c->bytes[k + 1] == modrm32 ? 4 : 0;
        if (!disp || k + 2 + disp > end || !call_follows(c, k + 2 + disp, end, 40))
            continue;
        uint32_t off = disp == 1 ? c->bytes[k + 2] : le32(c->bytes + k + 2);
        if (found && off != *offset)
            return FAIL("the routine reads cpu_index at two offsets (0x%x, 0x%x)", *offset, off);
        *offset = off;
        found++;
    }
    if (!found)
        return FAIL("no load of cpu_index into a callback's first argument in the routine");
    if (*offset % 4 || *offset >= 1u << 20)
        return FAIL("implausible cpu_index offset 0x%x", *offset);
    return 0;
}

int discon_decode_routine(const struct discon_code *c, struct discon_dispatch_shape *s,
                          char *err, size_t errlen)
{
    /* SysV arguments of plugin_vcpu_cb__discon(cpu, ev, type, from). */
    enum held held[16] = {[RDI] = CPU, [RSI] = EV, [RDX] = TYPE, [RCX] = FROM};
    size_t at = 0;
    bool call_done = false;
    for (int n = 0; n < 32 && !call_done; n++) {
        if (at >= c->len)
            return FAIL("the routine ends before its get-PC call");
        if (prologue_step(c, &at, held, &call_done, err, errlen) != 0)
            return -1;
    }
    if (!call_done)
        return FAIL("no get-PC call in the routine's first 32 instructions");
    s->probe = c->vaddr + at;
    s->cpu_reg = saved(held, CPU);
    s->type_reg = saved(held, TYPE);
    s->from_reg = saved(held, FROM);
    if (!s->cpu_reg || !s->type_reg || !s->from_reg)
        return FAIL("the routine keeps no %s in a callee-saved register across the get-PC call",
                    !s->cpu_reg ? "CPUState" : !s->type_reg ? "type" : "from_pc");
    return find_cpu_index(c, at, x86_number(s->cpu_reg), &s->cpu_index_offset, err, errlen);
}
