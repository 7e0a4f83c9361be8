/* libFuzzer: the System.map / kallsyms parser and lookups. */
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
        discon_symbols_free(&s);
    }
    return 0;
}
