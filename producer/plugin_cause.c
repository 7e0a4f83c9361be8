/*
 * Reading a trap's cause from the guest's registers: which registers each
 * target has (looked up by gdb name once per vCPU) and which of them each
 * kind of trap needs. plugin_cause.h says what is read when and why.
 */
#include "plugin_cause.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Register slots of each target, indices into discon_cause_vcpu.reg. */
enum {
    A64_CPSR, A64_ESR1, A64_ESR2, A64_ESR3, A64_FAR1, A64_FAR2, A64_FAR3, A64_X8, A64_X0,
    A64_ELR1, A64_ELR2, A64_ELR3, A64_SPSR1, A64_SPSR2, A64_SPSR3, A64_TCR1,
    A64_HCR2, A64_HFGITR2, A64_SCR3
};
enum { RV_PRIV, RV_SCAUSE, RV_STVAL, RV_MCAUSE, RV_MTVAL, RV_A7, RV_SEPC, RV_MEPC, RV_MSTATUS };
enum { X86_CR2, X86_CS, X86_RAX };

struct reg_name {
    const char *name;
    bool optional; /* absent on some machines of the target: no message */
};

/* EL2 and EL3 registers exist only with -M virt,virtualization=on and
 * secure=on; cpsr is needed then (has_el2_el3) and by returns (the EL an
 * ERET runs at). */
static const struct reg_name aarch64_regs[DISCON_CAUSE_MAX_REGS] = {
    [A64_CPSR] = {"cpsr", true},    [A64_ESR1] = {"ESR_EL1", false},
    [A64_ESR2] = {"ESR_EL2", true}, [A64_ESR3] = {"ESR_EL3", true},
    [A64_FAR1] = {"FAR_EL1", false}, [A64_FAR2] = {"FAR_EL2", true},
    [A64_FAR3] = {"FAR_EL3", true}, [A64_X8] = {"x8", false},
    [A64_X0] = {"x0", false},      [A64_ELR1] = {"ELR_EL1", false},
    [A64_ELR2] = {"ELR_EL2", true}, [A64_ELR3] = {"ELR_EL3", true},
    [A64_SPSR1] = {"SPSR_EL1", false}, [A64_SPSR2] = {"SPSR_EL2", true},
    [A64_SPSR3] = {"SPSR_EL3", true}, [A64_TCR1] = {"TCR_EL1", false},
    [A64_HCR2] = {"HCR_EL2", true},  [A64_HFGITR2] = {"HFGITR_EL2", true},
    [A64_SCR3] = {"SCR_EL3", true},
};
static const struct reg_name riscv64_regs[DISCON_CAUSE_MAX_REGS] = {
    [RV_PRIV] = {"priv", false},  [RV_SCAUSE] = {"scause", false}, [RV_STVAL] = {"stval", false},
    [RV_MCAUSE] = {"mcause", false}, [RV_MTVAL] = {"mtval", false}, [RV_A7] = {"a7", false},
    [RV_SEPC] = {"sepc", false},     [RV_MEPC] = {"mepc", false},   [RV_MSTATUS] = {"mstatus", false},
};
static const struct reg_name x86_64_regs[DISCON_CAUSE_MAX_REGS] = {
    [X86_CR2] = {"cr2", false}, [X86_CS] = {"cs", false},
    [X86_RAX] = {"rax", false},
};

static const struct reg_name *arch_regs(enum discon_arch a)
{
    switch (a) {
    case DISCON_ARCH_AARCH64: return aarch64_regs;
    case DISCON_ARCH_RISCV64: return riscv64_regs;
    case DISCON_ARCH_X86_64: return x86_64_regs;
    default: return NULL;
    }
}

int discon_cause_init(struct discon_cause *c, const char *target, uint32_t nvcpus, bool on,
                      bool levels)
{
    *c = (struct discon_cause){.warned = ATOMIC_FLAG_INIT, .causes = on, .levels = levels};
    if ((!on && !levels) || !target)
        return 0;
    c->arch = discon_arch_from_target(target);
    if (!arch_regs(c->arch))
        return 0; /* no cause registers known for this target (README's table) */
    c->vcpu = calloc(nvcpus, sizeof *c->vcpu);
    if (!c->vcpu)
        return -1;
    c->nvcpus = nvcpus;
    return 0;
}

void discon_cause_vcpu_init(struct discon_cause *c, unsigned vcpu)
{
    const struct reg_name *want = arch_regs(c->arch);
    if (!want || vcpu >= c->nvcpus)
        return;
    struct discon_cause_vcpu *v = &c->vcpu[vcpu];
    /* 16 bytes hold any register read here (8 at most), so QEMU's append
     * never grows the buffer inside the callback. A user-mode thread that
     * reuses an index reuses its buffer. */
    if (!v->buf && !(v->buf = g_byte_array_sized_new(16)))
        return;
    GArray *regs = qemu_plugin_get_registers();
    if (!regs)
        return;
    const qemu_plugin_reg_descriptor *d = (const qemu_plugin_reg_descriptor *)regs->data;
    for (int slot = 0; slot < DISCON_CAUSE_MAX_REGS; slot++) {
        v->reg[slot] = NULL;
        for (unsigned i = 0; want[slot].name && i < regs->len && !v->reg[slot]; i++)
            if (d[i].name && strcmp(d[i].name, want[slot].name) == 0)
                v->reg[slot] = d[i].handle;
    }
    g_array_free(regs, 1);
    v->has_el2_el3 = c->arch == DISCON_ARCH_AARCH64 && (v->reg[A64_ESR2] || v->reg[A64_ESR3]);
    for (int slot = 0; slot < DISCON_CAUSE_MAX_REGS; slot++) {
        bool needed = want[slot].name &&
                      (!want[slot].optional ||
                       (slot == A64_CPSR && (v->has_el2_el3 || c->levels)));
        /* A once-only flag, no pair: it orders nothing but the message. */
        if (needed && !v->reg[slot] && !atomic_flag_test_and_set(&c->warned))
            fprintf(stderr, "discon: this CPU has no register %s: the trap causes that need "
                            "it are not recorded\n", want[slot].name);
    }
}

/* One register's value (little-endian targets only: aarch64, riscv64 and
 * x86_64 guests here); false if the CPU lacks it or the read failed. The
 * buffer's length says the size (QEMU 11.1's read returns a bool). */
static bool read_reg(struct discon_cause_vcpu *v, int slot, uint64_t *out)
{
    if (!v->reg[slot])
        return false;
    g_byte_array_set_size(v->buf, 0); /* shrinking: no allocation */
    if (!qemu_plugin_read_register(v->reg[slot], v->buf) || v->buf->len == 0 ||
        v->buf->len > sizeof *out)
        return false;
    uint64_t x = 0;
    memcpy(&x, v->buf->data, v->buf->len);
    *out = x;
    return true;
}

/*
 * ESR_ELx.EC, bits [31:26] (Arm ARM DDI 0487, the register description of
 * ESR_EL1, "Exception Syndrome Register (EL1)", its EC field table). FAR_ELx is valid for Instruction and Data Aborts, PC
 * alignment faults and Watchpoints (FAR_EL1's description); not for SP
 * alignment (0x26: FAR is UNKNOWN there), nor when an abort's ISS.FnV
 * (bit 10) says the address is not valid.
 */
#define EC_SVC64 0x15
static bool ec_has_far(unsigned ec, uint64_t esr)
{
    switch (ec) {
    case 0x20: case 0x21: case 0x24: case 0x25: /* instruction, data abort */
        return !(esr & (1u << 10));              /* FnV */
    case 0x22: case 0x34: case 0x35:             /* PC alignment, watchpoint */
        return true;
    default:
        return false;
    }
}

/* The pairs whose even EC means "from a lower EL", odd "from the same EL":
 * aborts, breakpoints, software step, watchpoints (0x20-0x25 but 0x22/0x23,
 * 0x30-0x35). -1: EC does not say. */
static int ec_from_same_el(unsigned ec)
{
    if (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25 || (ec >= 0x30 && ec <= 0x35))
        return (int)(ec & 1);
    return -1;
}

static void aarch64_cause(struct discon_cause_vcpu *v, uint8_t type, struct discon_record *rec)
{
    if (type == DISCON_HOSTCALL) {
        /* QEMU handled it: the guest changed no level. x0 says what was
         * asked (a PSCI/SMCCC function id, a semihosting operation): a
         * PSCI SYSTEM_OFF or SYSTEM_RESET is how the guest ended. */
        if (read_reg(v, A64_X0, &rec->cause))
            rec->has = DISCON_HAS_CAUSE;
        return;
    }
    unsigned el = 1; /* without EL2 and EL3 every trap is taken to EL1 */
    if (v->has_el2_el3) {
        uint64_t cpsr;
        if (!read_reg(v, A64_CPSR, &cpsr))
            return;
        el = (unsigned)(cpsr >> 2) & 3; /* PSTATE.EL, cpsr bits [3:2] */
    }
    if (el == 0)
        return; /* no trap is taken to EL0 */
    rec->to_level = (uint8_t)el;
    rec->has = DISCON_HAS_TO_LEVEL;
    if (type != DISCON_EXCEPTION)
        return; /* interrupts and host calls leave ESR as it was */
    uint64_t esr;
    if (!read_reg(v, A64_ESR1 + (int)el - 1, &esr))
        return;
    rec->cause = esr;
    rec->has |= DISCON_HAS_CAUSE;
    unsigned ec = (unsigned)(esr >> 26) & 0x3f;
    int same = ec_from_same_el(ec);
    if (same == 1 || (same == 0 && el == 1)) { /* lower than EL1 is EL0 */
        rec->from_level = same ? (uint8_t)el : 0;
        rec->has |= DISCON_HAS_FROM_LEVEL;
    }
    if (ec_has_far(ec, esr) && read_reg(v, A64_FAR1 + (int)el - 1, &rec->fault_addr))
        rec->has |= DISCON_HAS_FAULT_ADDR;
    else if (ec == EC_SVC64 && read_reg(v, A64_X8, &rec->syscall)) /* Linux: x8 */
        rec->has |= DISCON_HAS_SYSCALL;
}

/*
 * The RISC-V privileged spec (20211203), "Machine Cause Register (mcause)"
 * and "Supervisor Cause Register (scause)" and their table of codes: bit 63 set is an interrupt; exception
 * codes whose xtval holds the faulting address are 0, 1 (instruction
 * address misaligned, access fault), 3 (breakpoint: its address), 4-7 (load
 * and store/AMO misaligned, access fault) and 12, 13, 15 (page faults).
 * 8, 9, 11 are environment calls from U, S and M.
 */
static bool tval_is_address(uint64_t code)
{
    return code <= 7 ? code != 2 : code == 12 || code == 13 || code == 15;
}

static void riscv64_cause(struct discon_cause_vcpu *v, uint8_t type, struct discon_record *rec)
{
    uint64_t priv, cause;
    if (type == DISCON_HOSTCALL || !read_reg(v, RV_PRIV, &priv))
        return;
    if (priv != 1 && priv != 3)
        return; /* traps go to S (1) or M (3) */
    rec->to_level = (uint8_t)priv;
    rec->has = DISCON_HAS_TO_LEVEL;
    bool m = priv == 3;
    if (!read_reg(v, m ? RV_MCAUSE : RV_SCAUSE, &cause))
        return;
    rec->cause = cause;
    rec->has |= DISCON_HAS_CAUSE;
    if (cause >> 63)
        return; /* an interrupt */
    if (cause == 8 || cause == 9 || cause == 11) {
        rec->from_level = (uint8_t)(cause - 8);
        rec->has |= DISCON_HAS_FROM_LEVEL;
    }
    if (tval_is_address(cause) && read_reg(v, m ? RV_MTVAL : RV_STVAL, &rec->fault_addr))
        rec->has |= DISCON_HAS_FAULT_ADDR;
    else if (cause == 8 && read_reg(v, RV_A7, &rec->syscall)) /* Linux: a7 */
        rec->has |= DISCON_HAS_SYSCALL;
}

void discon_cause_read(struct discon_cause *c, unsigned vcpu, uint8_t type,
                       struct discon_record *rec)
{
    if (!c->causes || vcpu >= c->nvcpus || !c->vcpu[vcpu].buf)
        return; /* cause=off, a target without causes, or not initialised */
    struct discon_cause_vcpu *v = &c->vcpu[vcpu];
    switch (c->arch) {
    case DISCON_ARCH_AARCH64:
        aarch64_cause(v, type, rec);
        break;
    case DISCON_ARCH_RISCV64:
        riscv64_cause(v, type, rec);
        break;
    case DISCON_ARCH_X86_64:
        if (type == DISCON_EXCEPTION && read_reg(v, X86_CR2, &rec->fault_addr))
            rec->has = DISCON_HAS_FAULT_ADDR;
        break;
    default:
        break;
    }
}

bool discon_cause_level_now(struct discon_cause *c, unsigned vcpu, uint8_t *level)
{
    uint64_t cs;
    if (!c->levels || c->arch != DISCON_ARCH_X86_64 || vcpu >= c->nvcpus || !c->vcpu[vcpu].buf)
        return false;
    /* CPL is CS.RPL in protected and long mode (SDM Vol. 3A, 5.5
     * "Privilege Levels"); QEMU's gdb "cs" is the selector. */
    if (!read_reg(&c->vcpu[vcpu], X86_CS, &cs))
        return false;
    *level = (uint8_t)(cs & 3);
    return true;
}

/* The EL an AArch32 mode runs at (SPSR.M[3:0] when M[4] is set; Arm ARM
 * DDI 0487 K.a, G1.9.1 "AArch32 execution modes" table): User 0, Monitor
 * 3, Hyp 2, the others (FIQ, IRQ, Supervisor, Abort, Undefined, System) 1. */
static uint8_t aarch32_mode_el(unsigned m)
{
    return m == 0x0 ? 0 : m == 0x6 ? 3 : m == 0xa ? 2 : 1;
}

/* Whether an ERET at EL1 traps to EL2 instead (Arm ARM DDI 0487, C6.2
 * "ERET": HCR_EL2.NV (bit 42, FEAT_NV), or the fine-grained trap
 * HFGITR_EL2.ERET (bit 51, FEAT_FGT), which SCR_EL3.FGTEn (bit 27) enables
 * where EL3 exists). Both only while EL2 is enabled: no EL3, or SCR_EL3
 * not Secure (NS bit 0, NSE bit 62) or Secure EL2 on (EEL2 bit 18). The
 * same conditions as QEMU's TB flag TRAP_ERET (target/arm/tcg/hflags.c). */
static bool aarch64_eret_traps_to_el2(struct discon_cause_vcpu *v)
{
    uint64_t hcr, scr = 0, fgt;
    if (!read_reg(v, A64_HCR2, &hcr))
        return false; /* no EL2 */
    bool el3 = read_reg(v, A64_SCR3, &scr);
    if (el3 && !(scr & 1) && !(scr >> 62 & 1) && !(scr >> 18 & 1))
        return false; /* Secure state, Secure EL2 off: EL2 is disabled */
    if (hcr >> 42 & 1)
        return true;
    if ((hcr >> 34 & 1) && (hcr >> 27 & 1))
        return false; /* {E2H, TGE} = {1, 1}: no fine-grained traps (EL1 unused) */
    return (!el3 || (scr >> 27 & 1)) && read_reg(v, A64_HFGITR2, &fgt) && (fgt >> 51 & 1);
}

/* ERET at the EL it runs at: PC = ELR_ELx, PSTATE = SPSR_ELx (Arm ARM
 * C6.2 "ERET", D1.4 "Exception return"). UNDEFINED at EL0: it traps
 * instead. An illegal return (SPSR naming a higher EL) is recorded with
 * SPSR's level; ERETAA/ERETAB above EL1 keep ELR's code (TCR_EL2/EL3 are
 * laid out otherwise). */
static bool aarch64_return(struct discon_cause_vcpu *v, bool signed_elr,
                           struct discon_record *rec)
{
    uint64_t cpsr, spsr, tcr;
    if (!read_reg(v, A64_CPSR, &cpsr))
        return false;
    unsigned el = (unsigned)(cpsr >> 2) & 3; /* PSTATE.EL */
    if (el == 0 || (el == 1 && aarch64_eret_traps_to_el2(v)))
        return false; /* it traps instead of returning */
    if (!read_reg(v, A64_ELR1 + (int)el - 1, &rec->to_pc) ||
        !read_reg(v, A64_SPSR1 + (int)el - 1, &spsr))
        return false;
    if (signed_elr && el == 1 && read_reg(v, A64_TCR1, &tcr))
        rec->to_pc = discon_a64_pac_strip(rec->to_pc, tcr);
    rec->from_level = (uint8_t)el;
    rec->to_level = spsr & 0x10 ? aarch32_mode_el(spsr & 0xf) : (uint8_t)((spsr >> 2) & 3);
    return true;
}

/* SRET/MRET (RISC-V privileged spec 20211203, 3.3.2 "Trap-Return
 * Instructions", 3.1.6.5 on TSR): MRET only in M; SRET in S or M, not in
 * U nor in S while mstatus.TSR (bit 22) is set: those trap instead. The
 * level returned to is mstatus.MPP (bits 12:11) or SPP (bit 8), the
 * target mepc or sepc. */
static bool riscv64_return(struct discon_cause_vcpu *v, bool mret, struct discon_record *rec)
{
    uint64_t priv, mstatus;
    if (!read_reg(v, RV_PRIV, &priv) || !read_reg(v, RV_MSTATUS, &mstatus))
        return false;
    bool traps = mret ? priv != 3 : priv != 3 && (priv != 1 || (mstatus >> 22 & 1));
    if (traps || !read_reg(v, mret ? RV_MEPC : RV_SEPC, &rec->to_pc))
        return false;
    rec->from_level = (uint8_t)priv;
    rec->to_level = (uint8_t)(mret ? (mstatus >> 11) & 3 : (mstatus >> 8) & 1);
    return true;
}

bool discon_cause_return_target(struct discon_cause *c, unsigned vcpu, enum discon_flow_insn f,
                                struct discon_record *rec)
{
    if (!c->levels || vcpu >= c->nvcpus || !c->vcpu[vcpu].buf)
        return false;
    struct discon_cause_vcpu *v = &c->vcpu[vcpu];
    bool ok;
    switch (f) {
    case DISCON_FLOW_ERET:
    case DISCON_FLOW_ERETA: ok = aarch64_return(v, f == DISCON_FLOW_ERETA, rec); break;
    case DISCON_FLOW_SRET:
    case DISCON_FLOW_MRET: ok = riscv64_return(v, f == DISCON_FLOW_MRET, rec); break;
    default: return false;
    }
    if (ok)
        rec->has |= DISCON_HAS_FROM_LEVEL | DISCON_HAS_TO_LEVEL;
    return ok;
}

bool discon_cause_syscall_nr(struct discon_cause *c, unsigned vcpu, uint64_t *nr)
{
    if (!c->levels || c->arch != DISCON_ARCH_X86_64 || vcpu >= c->nvcpus || !c->vcpu[vcpu].buf)
        return false;
    return read_reg(&c->vcpu[vcpu], X86_RAX, nr); /* Linux: rax (entry_64.S) */
}
