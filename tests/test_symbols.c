/* Symbol tables: map text (exact-size buffers, so an over-read shows under
 * ASan), lookups, ELF, the KASLR slide search, the one-name-per-address
 * rule, several files merged for a trace, and the arm64 trampoline alias. */
#include "check.h"
#include "symbols.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Parse `text` from a buffer of exactly its length: no terminating NUL. */
static int parse(struct discon_symbols *s, const char *text, char *err)
{
    size_t len = strlen(text);
    char *buf = malloc(len ? len : 1);
    memcpy(buf, text, len);
    int rc = discon_symbols_parse_map(s, buf, len, err, 256);
    /* names were copied: the buffer can go */
    free(buf);
    return rc;
}

/* The name shown for addr, or "" if none. */
static const char *name_at(const struct discon_symbols *s, uint64_t addr)
{
    uint64_t off;
    const struct discon_symbol *sym = discon_symbols_find(s, addr, &off);
    return sym ? sym->name : "";
}

static void test_map(void)
{
    struct discon_symbols s;
    char err[256] = "";
    uint64_t off;

    /* Regression (found by fuzz_symbols): a last line without a newline. */
    CHECK(parse(&s, "ffffffff81000000 T _text\nffffffff81e01280 T asm_exc_page_fault", err) == 0);
    CHECK_EQ(s.n, 2);
    const struct discon_symbol *sym = discon_symbols_find(&s, 0xffffffff81e01280u, &off);
    CHECK(sym && strcmp(sym->name, "asm_exc_page_fault") == 0 && off == 0);
    sym = discon_symbols_find(&s, 0xffffffff81000010u, &off);
    CHECK(sym && strcmp(sym->name, "_text") == 0 && off == 0x10);
    CHECK(discon_symbols_find(&s, 0x401000, &off) == NULL); /* below every symbol */
    discon_symbols_free(&s);

    /* kallsyms: modules, data symbols and blank lines; text symbols kept. */
    CHECK(parse(&s, "0000000000000000 A fixed_percpu_data\n\n"
                    "ffffffffc0000000 t mod_fn\t[mymod]\r\n"
                    "ffffffff82000000 D some_data\n"
                    "ffff800080010800 T vectors\n", err) == 0);
    CHECK_EQ(s.n, 2);
    sym = discon_symbols_find(&s, 0xffffffffc0000000u, &off);
    CHECK(sym && strcmp(sym->name, "mod_fn") == 0 && off == 0);
    /* The last symbol of a map has no known end: it covers its address only. */
    CHECK(discon_symbols_find(&s, 0xffffffffc0000004u, &off) == NULL);
    /* KASLR: vectors + 0x200 seen at a 64 KiB-aligned slide. */
    uint64_t handlers[] = {0xffffffffff5f5c00u /* fixmap alias: misaligned */,
                           0xffff800080010800u + 0x200 + 0x55b402c00000u};
    int64_t slide = 0;
    CHECK(discon_kaslr_find(&s, "aarch64", handlers, 2, &slide) == 0);
    CHECK_EQ(slide, 0x55b402c00000u);
    CHECK(discon_kaslr_find(&s, "x86_64", handlers, 2, &slide) == -1); /* no anchor */
    discon_symbols_free(&s);

}

static void test_alias_rule(void)
{
    struct discon_symbols s;
    char err[256] = "";
    uint64_t off;
    /* One name per address: markers, __pfx_, labels and locals lose;
     * then fewer underscores, shorter, byte order; whatever the input order. */
    static const char *const orders[2] = {
        "ffff800080f02b40 W memset\nffff800080f02b40 t __pi_memset\n"
        "ffff800080f02b40 T __memset\nffff800081d20000 T __entry_tramp_text_start\n"
        "ffff800081d20000 t tramp_vectors\nffffffff81000000 T __pfx_f\nffffffff81000000 t g\n",
        "ffffffff81000000 t g\nffffffff81000000 T __pfx_f\nffff800081d20000 t tramp_vectors\n"
        "ffff800081d20000 T __entry_tramp_text_start\nffff800080f02b40 T __memset\n"
        "ffff800080f02b40 t __pi_memset\nffff800080f02b40 W memset\n",
    };
    for (int o = 0; o < 2; o++) {
        CHECK(parse(&s, orders[o], err) == 0);
        CHECK(strcmp(name_at(&s, 0xffff800080f02b44u), "memset") == 0);
        CHECK(strcmp(name_at(&s, 0xffff800081d20000u), "tramp_vectors") == 0);
        CHECK(strcmp(name_at(&s, 0xffffffff81000000u), "g") == 0);
        CHECK(discon_symbols_by_name(&s, "__pi_memset") != NULL); /* aliases kept until unalias */
        discon_symbols_unalias(&s);
        CHECK_EQ(s.n, 3);
        CHECK(discon_symbols_by_name(&s, "__pi_memset") == NULL);
        discon_symbols_free(&s);
    }
    /* ELF: a function before a label; a global before a local. */
    s = (struct discon_symbols){0};
    CHECK(discon_symbols_add_flags(&s, 0x40080000, 0, "_start", 6, DISCON_SYMF_LABEL) == 0);
    CHECK(discon_symbols_add_flags(&s, 0x40080000, 16, "entry", 5,
                                   DISCON_SYMF_LOCAL) == 0);
    CHECK(discon_symbols_add_flags(&s, 0x40080100, 0, "a_label", 7, DISCON_SYMF_LABEL) == 0);
    CHECK(discon_symbols_add_flags(&s, 0x40080100, 0, "local_lbl", 9,
                                   DISCON_SYMF_LABEL | DISCON_SYMF_LOCAL) == 0);
    discon_symbols_sort(&s);
    CHECK(strcmp(name_at(&s, 0x40080004), "entry") == 0);
    CHECK(strcmp(name_at(&s, 0x40080100), "a_label") == 0);
    /* Past the function's size, still in the label that has none. */
    const struct discon_symbol *sym = discon_symbols_find(&s, 0x40080020, &off);
    CHECK(sym && strcmp(sym->name, "_start") == 0 && off == 0x20);
    discon_symbols_free(&s);
}

static void test_errors(const char *self)
{
    struct discon_symbols s;
    char err[256] = "";

    /* Malformed lines: one-line errors naming the line. */
    static const struct {
        const char *text;
        int code;
    } bad[] = {
        {"xyz T name\n", DISCON_SYM_E_SYNTAX},
        {"ffffffff81000000T name\n", DISCON_SYM_E_SYNTAX},
        {"ffffffff81000000 T\n", DISCON_SYM_E_SYNTAX},
        {"11111111111111111 T too_long_address\n", DISCON_SYM_E_SYNTAX},
        {"ffffffff81000000", DISCON_SYM_E_SYNTAX},
        {"", DISCON_SYM_E_NONE},
        {"ffffffff81000000 D only_data\n", DISCON_SYM_E_NONE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_EQ(parse(&s, bad[i].text, err), -bad[i].code);
        CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
    }
    check_strerror(discon_sym_strerror, DISCON_SYM_E_COUNT);

    /* ELF: this test's own symbol table has main(). */
    CHECK(discon_symbols_load(&s, self, err, sizeof err) == 0);
    CHECK(discon_symbols_by_name(&s, "main") != NULL);
    discon_symbols_free(&s);
    CHECK_EQ(discon_symbols_load(&s, "/nonexistent", err, sizeof err), -DISCON_SYM_E_OPEN);
    /* A FIFO is refused at once, not waited on for a writer. */
    char fifo[64];
    snprintf(fifo, sizeof fifo, "/tmp/discon-symbols-fifo-%ld", (long)getpid());
    unlink(fifo);
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK_EQ(discon_symbols_load(&s, fifo, err, sizeof err), -DISCON_SYM_E_NOT_FILE);
    CHECK_EQ(discon_symbols_load(&s, "/tmp", err, sizeof err), -DISCON_SYM_E_NOT_FILE);
    unlink(fifo);
}

/* An arm64 kernel as its unslid kallsyms lists it (KPTI built in). */
#define ARM64_KERNEL                                                                 \
    "ffff800080010800 T vectors\nffff800080100000 T foo\n"                         \
    "ffff800081d20000 t tramp_vectors\nffff800081d20000 T __entry_tramp_text_start\n" \
    "ffff800081d22000 t tramp_exit\nffff800081d23000 T __entry_tramp_text_end\n"
#define SLIDE 0x55b402c00000u
#define ALIAS_EL0_SYNC 0xffffffffff5f5c00u /* as the Debian arm64 boot enters it */

/* Files from map texts, as discon_symbol_files_load gives them. */
static void files_of(struct discon_symbol_files *f, const char *const *texts, size_t n)
{
    char err[256];
    *f = (struct discon_symbol_files){.n = n};
    for (size_t i = 0; i < n; i++) {
        CHECK(parse(&f->file[i], texts[i], err) == 0);
        f->path[i] = texts[i];
    }
}

static void test_trace_table(void)
{
    static const char *const texts[] = {
        "0000000040080000 T _start\n0000000040080400 T el0_sync_bm\n", /* a bare-metal ELF */
        ARM64_KERNEL,
        "0000000040080000 t __reset_start\nffff800080100000 t zzz_alias_of_foo\n",
    };
    struct discon_symbol_files f;
    files_of(&f, texts, 3);
    struct discon_symbols t;
    struct discon_symbol_placement p;
    const uint64_t found[] = {ALIAS_EL0_SYNC, 0xffff800080010a00u + SLIDE};
    struct discon_kaslr_option kaslr = {0}; /* not given: auto */
    CHECK(discon_symbols_for_trace(&t, &f, "aarch64", &kaslr, found, 2, &p) == 0);
    CHECK(p.found && p.slide == (int64_t)SLIDE && !p.slid[0] && p.slid[1] && !p.slid[2]);
    /* Only the kernel's file moved; the bare-metal and third file did not;
     * across files one name per address, by the rule. */
    CHECK(strcmp(name_at(&t, 0x40080000), "_start") == 0);
    CHECK(strcmp(name_at(&t, 0x40080400), "el0_sync_bm") == 0);
    CHECK(strcmp(name_at(&t, 0x50000000), "") == 0); /* its last label ends at once */
    CHECK(strcmp(name_at(&t, 0xffff800080100000u + SLIDE), "foo") == 0);
    CHECK(strcmp(name_at(&t, 0xffff800080100000u), "zzz_alias_of_foo") == 0);
    CHECK(strcmp(name_at(&t, 0xffff800081d20000u + SLIDE), "tramp_vectors") == 0);
    for (size_t i = 1; i < t.n; i++)
        CHECK(t.sym[i - 1].addr < t.sym[i].addr); /* unaliased */
    discon_symbols_free(&t);

    /* auto with nothing to match (no KASLR, or a bare-metal trace): slide 0. */
    const uint64_t none[] = {0x40080400};
    CHECK(discon_symbols_for_trace(&t, &f, "aarch64", &kaslr, none, 1, &p) == 0);
    CHECK(!p.found && p.slide == 0 && p.slid[1]);
    CHECK(strcmp(name_at(&t, 0xffff800080100004u), "foo") == 0);
    discon_symbols_free(&t);
    /* Symbols that already match (read from the traced boot): 0 wins. */
    const uint64_t as_is[] = {0xffff800080010a00u, 0xffff800080010c00u + 0x10000};
    CHECK(discon_symbols_for_trace(&t, &f, "aarch64", &kaslr, as_is, 2, &p) == 0);
    CHECK(p.found && p.slide == 0);
    discon_symbols_free(&t);

    /* A hex offset: the kernel's file; with no kernel file, every file. */
    CHECK(discon_kaslr_option_parse("10000", &kaslr) == 0);
    CHECK(discon_symbols_for_trace(&t, &f, "aarch64", &kaslr, none, 1, &p) == 0);
    CHECK(strcmp(name_at(&t, 0xffff800080110000u), "foo") == 0);
    CHECK(strcmp(name_at(&t, 0x40080000), "_start") == 0);
    discon_symbols_free(&t);
    discon_symbol_files_free(&f);
    files_of(&f, texts, 1);
    CHECK(discon_symbols_for_trace(&t, &f, "aarch64", &kaslr, none, 1, &p) == 0);
    CHECK(p.slid[0] && strcmp(name_at(&t, 0x40090000), "_start") == 0);
    discon_symbols_free(&t);
    discon_symbol_files_free(&f);
}

/* The KPTI trampoline alias: named from the frequent handlers, slot by
 * slot, and nothing else. */
static void test_tramp_alias(void)
{
    static const char *const texts[] = {ARM64_KERNEL};
    struct discon_symbol_files f;
    files_of(&f, texts, 1);
    struct discon_symbols t;
    struct discon_symbol_placement p;
    struct discon_kaslr_option kaslr = {0};
    const uint64_t handlers[] = {
        ALIAS_EL0_SYNC, 0xffff800080010a00u + SLIDE,
        0xffff800080100400u + SLIDE, /* inside foo: a symbol, not the alias */
        0xffffffffff700a00u,         /* fixmap, but an EL1 slot: never via the trampoline */
        0xffffffffff600c84u,         /* not a vector entry */
        0x0000000000400400u,         /* user space */
    };
    CHECK(discon_symbols_for_trace(&t, &f, "aarch64", &kaslr, handlers, 6, &p) == 0);
    CHECK_EQ(p.tramp_tables, 1);
    CHECK(strcmp(name_at(&t, ALIAS_EL0_SYNC), "tramp_vectors EL0 sync") == 0);
    CHECK(strcmp(name_at(&t, ALIAS_EL0_SYNC + 0x80), "tramp_vectors EL0 IRQ") == 0);
    CHECK(strcmp(name_at(&t, ALIAS_EL0_SYNC + 0x200), "tramp_vectors EL0 sync (AArch32)") == 0);
    CHECK(strcmp(name_at(&t, ALIAS_EL0_SYNC - 0x400), "tramp_vectors EL1t sync") == 0);
    CHECK(strcmp(name_at(&t, ALIAS_EL0_SYNC + 0x3ff), "tramp_vectors EL0 SError (AArch32)") == 0);
    /* Outside the table that holds the handler, and the other handlers: unnamed. */
    CHECK(strcmp(name_at(&t, ALIAS_EL0_SYNC - 0x404), "") == 0);
    CHECK(strcmp(name_at(&t, ALIAS_EL0_SYNC + 0x400), "") == 0);
    CHECK(strcmp(name_at(&t, 0xffffffffff700a00u), "") == 0);
    CHECK(strcmp(name_at(&t, 0xffffffffff600c84u), "") == 0);
    CHECK(strcmp(name_at(&t, 0x400400), "") == 0);
    CHECK(strcmp(name_at(&t, 0xffff800080100400u + SLIDE), "foo") == 0);
    discon_symbols_free(&t);
    /* Another architecture, or a kernel without KPTI: nothing named. */
    CHECK(discon_symbols_for_trace(&t, &f, "x86_64", &kaslr, handlers, 6, &p) == 0);
    CHECK(p.tramp_tables == 0 && strcmp(name_at(&t, ALIAS_EL0_SYNC), "") == 0);
    discon_symbols_free(&t);
    discon_symbol_files_free(&f);
    static const char *const no_kpti[] = {"ffff800080010800 T vectors\n"};
    files_of(&f, no_kpti, 1);
    CHECK(discon_symbols_for_trace(&t, &f, "aarch64", &kaslr, handlers, 6, &p) == 0);
    CHECK(p.tramp_tables == 0 && strcmp(name_at(&t, ALIAS_EL0_SYNC), "") == 0);
    discon_symbols_free(&t);
    discon_symbol_files_free(&f);
    CHECK(strcmp(discon_arm64_vector_name(0x480), "EL0 IRQ") == 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_map();
    test_alias_rule();
    test_errors(argv[0]);
    test_trace_table();
    test_tramp_alias();
    CHECK_DONE();
}
