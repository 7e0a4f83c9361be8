/* libFuzzer: the System.map / kallsyms parser, lookups, and the table a
 * trace is symbolized with (merge, slide, trampoline alias, one name per
 * address). */
#include "symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct discon_symbols s;
    char err[256];
    if (discon_symbols_parse_map(&s, (const char *)data, size, err, sizeof err) == 0) {
        uint64_t off;
        for (size_t i = 0; i < s.n; i++) {
            discon_symbols_find(&s, s.sym[i].addr, &off);
            discon_symbols_find(&s, s.sym[i].addr - 1, &off);
        }
        uint64_t handlers[2] = {s.n ? s.sym[0].addr : 0, 0xffffffff81e01280u};
        int64_t slide;
        discon_kaslr_find(&s, "x86_64", handlers, 2, &slide);
        /* The same file twice, as an arm64 kernel, with its own addresses
         * and an alias-like address as handlers. */
        struct discon_symbol_files f = {.n = 2};
        f.file[0] = s;
        f.file[1] = s;
        struct discon_symbols t;
        struct discon_symbol_placement p;
        struct discon_kaslr_option auto_slide = {0};
        uint64_t arm[3] = {handlers[0], s.n ? s.sym[s.n - 1].addr + 0x400 : 0,
                           0xffffffffff5f5c00u};
        if (discon_symbols_for_trace(&t, &f, "aarch64", &auto_slide, arm, 3, &p) == 0) {
            for (size_t i = 0; i < t.n; i++)
                discon_symbols_find(&t, t.sym[i].addr, &off);
            discon_symbols_free(&t);
        }
        discon_symbols_free(&s);
    }
    return 0;
}
