/* Decoding QEMU's discontinuity dispatchers: see dispatch_shape.h. The
 * decoder knows only the few x86-64 encodings that shape uses and refuses
 * every other byte, which is the point: an unknown shape is never guessed. */
#include "dispatch_shape.h"

#include <stdio.h>
#include <string.h>

#define FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), (code))

const char *const discon_dispatcher_names[DISCON_DISPATCHER_COUNT] = {
    "qemu_plugin_vcpu_interrupt_cb", "qemu_plugin_vcpu_exception_cb",
    "qemu_plugin_vcpu_hostcall_cb"};
const uint32_t discon_dispatcher_types[DISCON_DISPATCHER_COUNT] = {1u, 2u, 4u};

/* x86-64 register numbers (ModRM with REX): rax 0, rcx 1, rdx 2, rbx 3,
 * rsp 4, rbp 5, rsi 6, rdi 7, r8..r15 8..15. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* What a register holds while the routine runs. */
enum held { NOTHING, CPU, EV, TYPE, FROM, CLASS, TO };

static const uint8_t endbr64[4] = {0xf3, 0x0f, 0x1e, 0xfa};

static bool at_endbr64(const struct discon_code *c, size_t at)
{
    return at + 4 <= c->len && memcmp(c->bytes + at, endbr64, 4) == 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Step 1 for one dispatcher: the tail jump with `type`; sets *routine. */
static enum discon_shape_error decode_dispatcher(const struct discon_code *c, uint32_t type,
                                                 uint64_t *routine, char *err, size_t errlen)
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
                return FAIL(DISCON_SHAPE_WRONG_TYPE, "passes type %u where %u was expected",
                            le32(p + 1), type);
            type_set = true;
            at += 5;
        } else if (left >= 5 && p[0] == 0xbe) { /* mov $imm32,%esi: the event list */
            ev_set = true;
            at += 5;
        } else if (left >= 5 && p[0] == 0xe9 && from_in_rcx && type_set && ev_set) {
            *routine = c->vaddr + at + 5 + (uint64_t)(int64_t)(int32_t)le32(p + 1);
            return DISCON_SHAPE_OK;
        } else {
            break;
        }
    }
    if (at >= c->len || (c->len - at < 5 && (c->bytes[at] == 0xe9 || c->bytes[at] == 0xba ||
                                             c->bytes[at] == 0xbe)))
        return FAIL(DISCON_SHAPE_TRUNCATED, "ends inside its tail jump (at +%zu)", at);
    return FAIL(DISCON_SHAPE_NOT_TAIL_JUMP,
                "is not a tail jump into a shared routine (byte 0x%02x at +%zu)", c->bytes[at], at);
}

enum discon_shape_error discon_decode_dispatchers(const struct discon_code code[DISCON_DISPATCHER_COUNT],
                                                  uint64_t *routine, char *err, size_t errlen)
{
    char why[200];
    for (int d = 0; d < DISCON_DISPATCHER_COUNT; d++) {
        uint64_t r = 0;
        enum discon_shape_error e =
            decode_dispatcher(&code[d], discon_dispatcher_types[d], &r, why, sizeof why);
        if (e != DISCON_SHAPE_OK)
            return FAIL(e, "%s %s", discon_dispatcher_names[d], why);
        if (d > 0 && r != *routine)
            return FAIL(DISCON_SHAPE_ROUTINES_DIFFER, "%s jumps to 0x%llx, not 0x%llx",
                        discon_dispatcher_names[d], (unsigned long long)r,
                        (unsigned long long)*routine);
        *routine = r;
    }
    return DISCON_SHAPE_OK;
}

/* One decoded instruction of the few forms the routine uses: an optional
 * REX prefix, an opcode byte, and a ModRM operand. */
struct insn {
    bool w;              /* REX.W: a 64-bit operand */
    uint8_t op;
    unsigned mod, reg, rm; /* reg and rm with their REX bits */
    size_t len;          /* through the ModRM operand (SIB, displacement) */
};

/* Decode prefix, opcode and ModRM at c->bytes[at]; 0, or -1 if the code
 * ends first. Immediates are the caller's to add to len. */
static int decode_modrm(const struct discon_code *c, size_t at, struct insn *in)
{
    const uint8_t *p = c->bytes + at;
    size_t left = c->len - at, i = 0;
    unsigned rex = left > 1 && (p[0] & 0xf0) == 0x40 ? p[i++] : 0;
    if (i + 2 > left)
        return -1;
    uint8_t modrm = p[i + 1];
    *in = (struct insn){.w = rex & 8, .op = p[i], .mod = modrm >> 6,
                        .reg = (modrm >> 3 & 7) | (rex & 4 ? 8 : 0),
                        .rm = (modrm & 7) | (rex & 1 ? 8 : 0)};
    size_t n = i + 2;
    if (in->mod != 3 && (modrm & 7) == 4) /* SIB byte */
        n += 1 + (in->mod == 0 && (p[i + 2] & 7) == 5 ? 4 : 0);
    n += in->mod == 1 ? 1 : in->mod == 2 ? 4 : in->mod == 0 && (modrm & 7) == 5 ? 4 : 0;
    in->len = n;
    return n <= left ? 0 : -1;
}

/* A 64-bit register move keeps what it moves; a 32-bit one keeps only the
 * 32-bit values (a pointer or a PC would be cut). */
static void move(enum held held[16], const struct insn *in)
{
    enum held v = held[in->reg];
    held[in->rm] = in->w || v == TYPE || v == EV ? v : NOTHING;
}

/* One prologue instruction at *at: updates held[], sets *call_done on the
 * get-PC call. DISCON_SHAPE_OK, or a code with err. */
static enum discon_shape_error prologue_step(const struct discon_code *c, size_t *at,
                                             enum held held[16], bool *call_done, char *err,
                                             size_t errlen)
{
    const uint8_t *p = c->bytes + *at;
    if (at_endbr64(c, *at)) {
        *at += 4;
        return DISCON_SHAPE_OK;
    }
    size_t rex = c->len - *at > 1 && (p[0] & 0xf0) == 0x40;
    if (p[rex] >= 0x50 && p[rex] <= 0x57) { /* push */
        *at += rex + 1;
        return DISCON_SHAPE_OK;
    }
    struct insn in;
    if (decode_modrm(c, *at, &in) != 0)
        return FAIL(DISCON_SHAPE_TRUNCATED, "the routine ends inside its prologue");
    bool mem = in.mod == 1 || in.mod == 2, base_ok = mem && (in.rm & 7) != RSP;
    if (in.op == 0x89 && in.mod == 3) { /* mov reg -> rm */
        move(held, &in);
    } else if (in.op == 0x83 && in.mod == 3 && (in.reg & 7) == 5 && in.rm == RSP && in.w &&
               in.len + 1 <= c->len - *at) { /* sub $imm8,%rsp */
        in.len++;
    } else if (in.op == 0x8b && in.w && base_ok) { /* load through the CPUState? */
        held[in.reg] = held[in.rm] == CPU ? CLASS : NOTHING;
    } else if (in.op == 0xff && (in.reg & 7) == 2 && base_ok && held[in.rm] == CLASS) {
        *call_done = true; /* call *OFF(class): get_pc */
    } else {
        return FAIL(DISCON_SHAPE_UNKNOWN_INSN,
                    "unexpected instruction (byte 0x%02x) at routine+%zu before the get-PC call",
                    in.op, *at);
    }
    *at += in.len;
    return DISCON_SHAPE_OK;
}

/* The get-PC call returned: rax is to_pc, the other caller-saved
 * registers hold nothing known. */
static void after_call(enum held held[16])
{
    static const unsigned clobbered[] = {RCX, RDX, RSI, RDI, R8, R9, R10, R11};
    for (size_t k = 0; k < sizeof clobbered / sizeof clobbered[0]; k++)
        held[clobbered[k]] = NOTHING;
    held[RAX] = TO;
}

/* Step 3, one instruction after the call at *at: 1 if it is a conditional
 * jump (the probe site), 0 if it is straight-line code the walk knows
 * (held[] updated, *at advanced), -1 for anything else. */
static int post_call_step(const struct discon_code *c, size_t *at, enum held held[16])
{
    const uint8_t *p = c->bytes + *at;
    size_t left = c->len - *at;
    if ((p[0] >= 0x70 && p[0] <= 0x7f && left >= 2) ||
        (left >= 6 && p[0] == 0x0f && p[1] >= 0x80 && p[1] <= 0x8f))
        return 1;
    struct insn in;
    if (decode_modrm(c, *at, &in) != 0)
        return -1;
    if (in.op == 0x89 && in.mod == 3) { /* mov reg -> reg */
        move(held, &in);
    } else if (in.op == 0x8b) { /* mov rm -> reg */
        held[in.reg] = NOTHING;
    } else if (in.op == 0xc7 && in.mod != 3 && (in.reg & 7) == 0 && in.len + 4 <= left) {
        in.len += 4; /* mov $imm32 -> memory */
    } else if (in.op != 0x39 && in.op != 0x3b && in.op != 0x85) { /* cmp, test */
        return -1;
    }
    *at += in.len;
    return 0;
}

/* The register (never rsp) holding v, or DISCON_REG_NONE. */
static enum discon_attach_reg holder(const enum held held[16], enum held v)
{
    for (unsigned r = 0; r < 16; r++)
        if (r != RSP && held[r] == v)
            return (enum discon_attach_reg)(r + 1);
    return DISCON_REG_NONE;
}

/* Whether an indirect call (ff /2) starts within `window` bytes after at. */
static bool call_follows(const struct discon_code *c, size_t at, size_t end, size_t window)
{
    for (size_t k = at; k + 1 < end && k < at + window; k++)
        if (c->bytes[k] == 0xff && (c->bytes[k + 1] >> 3 & 7) == 2)
            return true;
    return false;
}

/* Step 4: `mov OFF(%cpu),%edi` loads between `from` and the next function. */
static enum discon_shape_error find_cpu_index(const struct discon_code *c, size_t from,
                                              unsigned cpu, uint32_t *offset, char *err,
                                              size_t errlen)
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
            return FAIL(DISCON_SHAPE_CPU_INDEX_DIFFERS,
                        "the routine reads cpu_index at two offsets (0x%x, 0x%x)", *offset, off);
        *offset = off;
        found++;
    }
    if (!found)
        return FAIL(DISCON_SHAPE_NO_CPU_INDEX,
                    "no load of cpu_index into a callback's first argument in the routine");
    if (*offset % 4 || *offset >= 1u << 20)
        return FAIL(DISCON_SHAPE_BAD_CPU_INDEX, "implausible cpu_index offset 0x%x", *offset);
    return DISCON_SHAPE_OK;
}

/* Step 3: from the instruction after the call, the first conditional jump
 * reached in straight-line code (at most 16 instructions), if any. */
static void place_probe(const struct discon_code *c, size_t after_call_at, enum held held[16],
                        struct discon_dispatch_shape *s)
{
    enum held walked[16];
    memcpy(walked, held, sizeof walked);
    size_t at = after_call_at;
    for (int n = 0; n < 16 && at < c->len; n++) {
        int step = post_call_step(c, &at, walked);
        if (step < 0)
            break;
        if (step == 1 && holder(walked, TO) && holder(walked, CPU) && holder(walked, TYPE) &&
            holder(walked, FROM)) {
            memcpy(held, walked, sizeof walked);
            s->probe = c->vaddr + at;
            s->probe_emulated = true;
            return;
        }
        if (step == 1)
            break;
    }
    s->probe = c->vaddr + after_call_at;
    s->probe_emulated = false;
}

enum discon_shape_error discon_decode_routine(const struct discon_code *c,
                                              struct discon_dispatch_shape *s, char *err,
                                              size_t errlen)
{
    /* SysV arguments of plugin_vcpu_cb__discon(cpu, ev, type, from). */
    enum held held[16] = {[RDI] = CPU, [RSI] = EV, [RDX] = TYPE, [RCX] = FROM};
    size_t at = 0;
    bool call_done = false;
    for (int n = 0; n < 32 && !call_done; n++) {
        if (at >= c->len)
            return FAIL(DISCON_SHAPE_TRUNCATED, "the routine ends before its get-PC call");
        enum discon_shape_error e = prologue_step(c, &at, held, &call_done, err, errlen);
        if (e != DISCON_SHAPE_OK)
            return e;
    }
    if (!call_done)
        return FAIL(DISCON_SHAPE_NO_CALL, "no get-PC call in the routine's first 32 instructions");
    after_call(held);
    if (at >= c->len)
        return FAIL(DISCON_SHAPE_TRUNCATED, "the routine ends at its get-PC call");
    place_probe(c, at, held, s);
    s->cpu_reg = holder(held, CPU);
    s->type_reg = holder(held, TYPE);
    s->from_reg = holder(held, FROM);
    s->to_reg = holder(held, TO);
    if (!s->cpu_reg || !s->type_reg || !s->from_reg)
        return FAIL(DISCON_SHAPE_ARG_LOST,
                    "the routine keeps no %s in a callee-saved register across the get-PC call",
                    !s->cpu_reg ? "CPUState" : !s->type_reg ? "type" : "from_pc");
    return find_cpu_index(c, at, (unsigned)s->cpu_reg - 1, &s->cpu_index_offset, err, errlen);
}
