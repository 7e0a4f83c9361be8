/* libFuzzer: the plugin's option parser, on ','-separated input like
 * QEMU's -plugin libdiscon.so,key=value,... */
#define _POSIX_C_SOURCE 200809L
#include "plugin_options.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[64];
    int argc = 0;
    for (char *save = NULL, *tok = strtok_r(text, ",", &save); tok && argc < 64;
         tok = strtok_r(NULL, ",", &save))
        argv[argc++] = tok;
    struct discon_options o;
    char err[256];
    int rc = discon_options_parse(&o, argc, argv, err, sizeof err);
    /* A refusal is one of the parser's codes, never -1 or a stray value.
     * (Not "one line": the message quotes the value, which may hold '\n'.) */
    if (rc > 0 || (rc < 0 && -rc >= DISCON_OPT_E_COUNT))
        abort();
    free(text);
    return 0;
}
