/* Symbol tables: map text (exact-size buffers, so an over-read shows under
 * ASan), lookups, ELF, and the KASLR slide search. */
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

int main(int argc, char **argv)
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
    CHECK(discon_symbols_load(&s, argv[0], err, sizeof err) == 0);
    CHECK(discon_symbols_by_name(&s, "main") != NULL);
    discon_symbols_free(&s);
    (void)argc;
    CHECK_EQ(discon_symbols_load(&s, "/nonexistent", err, sizeof err), -DISCON_SYM_E_OPEN);
    /* A FIFO is refused at once, not waited on for a writer. */
    char fifo[64];
    snprintf(fifo, sizeof fifo, "/tmp/discon-symbols-fifo-%ld", (long)getpid());
    unlink(fifo);
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK_EQ(discon_symbols_load(&s, fifo, err, sizeof err), -DISCON_SYM_E_NOT_FILE);
    CHECK_EQ(discon_symbols_load(&s, "/tmp", err, sizeof err), -DISCON_SYM_E_NOT_FILE);
    unlink(fifo);
    CHECK_DONE();
}
