/*
 * Returns from traps and x86_64 fast system calls: translation-time
 * instrumentation, the pending event per vCPU and its recording.
 * plugin_returns.h says how and why.
 */
#include "plugin_returns.h"
#include "return_decode.h"

#include <stddef.h>
#include <string.h>

/* One vCPU's pending instruction (a scoreboard element). `what` is 0 when
 * nothing is pending, else a packed struct discon_record head: type (bits
 * 0-7), has (8-15), from_level (16-23), cause (24-31), to_level (32-39). */
struct discon_pending {
    uint64_t what;
    uint64_t from_pc; /* the instruction's address */
    uint64_t tb_pc;   /* the start of its translation block */
    uint64_t syscall; /* SYSCALL: rax at the instruction */
};

#define WHAT(type, has, from_level, cause, to_level)                                         \
    ((uint64_t)(type) | (uint64_t)(has) << 8 | (uint64_t)(from_level) << 16 |                 \
     (uint64_t)(cause) << 24 | (uint64_t)(to_level) << 32)

/* The plugin is loaded once (plugin.c refuses a second -plugin), and
 * QEMU's execution callbacks carry only one user-data word, used for the
 * block's PC: the callbacks find the state here. */
static struct discon_returns *R;

int discon_returns_init(struct discon_returns *r, const char *target, uint32_t types,
                        struct discon_cause *levels, discon_emit_fn emit)
{
    *r = (struct discon_returns){.arch = discon_arch_from_target(target), .levels = levels,
                                 .emit = emit};
    if (r->arch == DISCON_ARCH_UNKNOWN)
        return 0;
    r->returns = (types & DISCON_RETURN) != 0;
    r->syscalls = r->arch == DISCON_ARCH_X86_64 && (types & DISCON_SYSCALL) != 0;
    r->active = r->returns || r->syscalls;
    R = r;
    if (!r->active || r->arch != DISCON_ARCH_X86_64)
        return 0; /* aarch64 and riscv64 returns are recorded at the instruction */
    r->sb = qemu_plugin_scoreboard_new(sizeof(struct discon_pending));
    if (!r->sb)
        return -1;
    r->pending = (qemu_plugin_u64){r->sb, offsetof(struct discon_pending, what)};
    r->from_pc = (qemu_plugin_u64){r->sb, offsetof(struct discon_pending, from_pc)};
    r->tb_pc = (qemu_plugin_u64){r->sb, offsetof(struct discon_pending, tb_pc)};
    return 0;
}

/* The record of a pending word; to_pc, and to_level unless the instruction
 * fixed it, are the caller's. */
static struct discon_record pending_record(const struct discon_pending *p, uint64_t what)
{
    struct discon_record rec = {
        .from_pc = p->from_pc,
        .type = (uint8_t)what,
        .has = (uint8_t)(what >> 8),
        .from_level = (uint8_t)(what >> 16),
        .cause = (uint8_t)(what >> 24),
        .to_level = (uint8_t)(what >> 32),
    };
    if (rec.type == DISCON_SYSCALL) {
        rec.syscall = p->syscall;
        rec.has |= DISCON_HAS_TO_LEVEL; /* to_level 0: the kernel */
    }
    return rec;
}

/* The first block run after a pending instruction: its event. */
static void on_pending(unsigned int vcpu, void *udata)
{
    struct discon_pending *p = qemu_plugin_scoreboard_find(R->sb, vcpu);
    uint64_t what = p->what;
    p->what = 0;
    struct discon_record rec = pending_record(p, what);
    rec.to_pc = (uint64_t)(uintptr_t)udata;
    if (rec.type == DISCON_RETURN && !(rec.has & DISCON_HAS_TO_LEVEL) &&
        discon_cause_level_now(R->levels, vcpu, &rec.to_level))
        rec.has |= DISCON_HAS_TO_LEVEL;
    R->emit(vcpu, &rec);
}

/* Before a syscall/sysenter runs: the system-call number and the level it
 * comes from; udata is its pending word without them. */
static void on_syscall(unsigned int vcpu, void *udata)
{
    struct discon_pending *p = qemu_plugin_scoreboard_find(R->sb, vcpu);
    uint64_t what = (uint64_t)(uintptr_t)udata;
    if (discon_cause_syscall_nr(R->levels, vcpu, &p->syscall))
        what |= (uint64_t)DISCON_HAS_SYSCALL << 8;
    uint8_t cpl;
    if (discon_cause_level_now(R->levels, vcpu, &cpl))
        what |= WHAT(0, DISCON_HAS_FROM_LEVEL, cpl, 0, 0);
    p->what = what;
}

bool discon_returns_before_trap(struct discon_returns *r, unsigned vcpu, uint64_t from_pc,
                                struct discon_record *rec)
{
    if (!r->sb)
        return false;
    struct discon_pending *p = qemu_plugin_scoreboard_find(r->sb, vcpu);
    uint64_t what = p->what;
    if (what == 0)
        return false;
    p->what = 0;
    if (from_pc == p->from_pc || (r->arch == DISCON_ARCH_X86_64 && from_pc == p->tb_pc))
        return false; /* the instruction itself faulted: it never completed */
    *rec = pending_record(p, what);
    rec->to_pc = from_pc;
    return true;
}

/* The pending word of an x86_64 return, with what the instruction alone
 * says of the levels: SYSRET and SYSEXIT run at CPL 0 and always return to
 * CPL 3 (SDM Vol. 2, their Operation sections), so they need no register
 * read when recorded; IRET runs at any CPL. */
static uint64_t return_what(enum discon_flow_insn f)
{
    if (f == DISCON_FLOW_SYSRET || f == DISCON_FLOW_SYSEXIT)
        return WHAT(DISCON_RETURN, DISCON_HAS_FROM_LEVEL | DISCON_HAS_TO_LEVEL, 0, 0, 3);
    return WHAT(DISCON_RETURN, 0, 0, 0, 0);
}

/* A return whose target sits in registers, before it runs: its event now,
 * unless it traps instead (discon_cause_return_target says). */
static void return_at(unsigned vcpu, enum discon_flow_insn f, void *pc)
{
    struct discon_record rec = {.type = DISCON_RETURN, .from_pc = (uint64_t)(uintptr_t)pc};
    if (discon_cause_return_target(R->levels, vcpu, f, &rec))
        R->emit(vcpu, &rec);
}

/* QEMU's callbacks carry one word, the instruction's address: one per kind. */
static void on_eret(unsigned vcpu, void *pc) { return_at(vcpu, DISCON_FLOW_ERET, pc); }
static void on_ereta(unsigned vcpu, void *pc) { return_at(vcpu, DISCON_FLOW_ERETA, pc); }
static void on_sret(unsigned vcpu, void *pc) { return_at(vcpu, DISCON_FLOW_SRET, pc); }
static void on_mret(unsigned vcpu, void *pc) { return_at(vcpu, DISCON_FLOW_MRET, pc); }

static const qemu_plugin_vcpu_udata_cb_t return_at_cb[] = {
    [DISCON_FLOW_ERET] = on_eret, [DISCON_FLOW_ERETA] = on_ereta,
    [DISCON_FLOW_SRET] = on_sret, [DISCON_FLOW_MRET] = on_mret,
};

static void instrument_insn(struct discon_returns *r, struct qemu_plugin_insn *insn,
                            uint64_t tb_pc)
{
    uint8_t bytes[16];
    size_t n = qemu_plugin_insn_data(insn, bytes, sizeof bytes);
    enum discon_flow_insn f = discon_flow_decode(r->arch, bytes, n);
    bool ret = discon_flow_is_return(f);
    if (ret ? !r->returns : !(r->syscalls && f != DISCON_FLOW_NONE))
        return;
    if (discon_flow_target_in_regs(f)) {
        qemu_plugin_register_vcpu_insn_exec_cb(insn, return_at_cb[f], QEMU_PLUGIN_CB_R_REGS,
                                               (void *)(uintptr_t)qemu_plugin_insn_vaddr(insn));
        return;
    }
    qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn, QEMU_PLUGIN_INLINE_STORE_U64,
                                                        r->from_pc, qemu_plugin_insn_vaddr(insn));
    qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn, QEMU_PLUGIN_INLINE_STORE_U64,
                                                        r->tb_pc, tb_pc);
    if (ret) {
        qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn, QEMU_PLUGIN_INLINE_STORE_U64,
                                                            r->pending, return_what(f));
        return;
    }
    /* cause 0 syscall, 1 sysenter: the x86_64 kinds SYSCALL and SYSENTER
     * (schema/kinds_x86_64.c); to_level 0 is added when recorded. */
    uint64_t what = WHAT(DISCON_SYSCALL, DISCON_HAS_CAUSE, 0, f == DISCON_FLOW_SYSENTER, 0);
    qemu_plugin_register_vcpu_insn_exec_cb(insn, on_syscall, QEMU_PLUGIN_CB_R_REGS,
                                           (void *)(uintptr_t)what);
}

void discon_returns_on_tb_trans(struct qemu_plugin_tb *tb, void *userdata)
{
    struct discon_returns *r = userdata;
    uint64_t tb_pc = qemu_plugin_tb_vaddr(tb);
    if (r->sb)
        qemu_plugin_register_vcpu_tb_exec_cond_cb(tb, on_pending, QEMU_PLUGIN_CB_R_REGS,
                                                  QEMU_PLUGIN_COND_NE, r->pending, 0,
                                                  (void *)(uintptr_t)tb_pc);
    /* Every instruction instrumented here ends its block (QEMU's
     * translators stop after a change of privilege level: arm ERET exits
     * the block, riscv sret/mret and x86 iret, sysret, sysexit, syscall,
     * sysenter end it), so only the last one is decoded. */
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (n > 0)
        instrument_insn(r, qemu_plugin_tb_get_insn(tb, n - 1), tb_pc);
}
