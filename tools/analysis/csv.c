/* CSV fields (see csv.h). */
#include "csv.h"

#include <string.h>

int discon_csv_field(FILE *o, const char *s)
{
    /* Quoting only when needed keeps names and numbers as they read. */
    if (!strpbrk(s, ",\"\r\n"))
        return fputs(s, o) == EOF ? EOF : 0;
    if (fputc('"', o) == EOF)
        return EOF;
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        /* up to and including the quote, then the quote again */
        if (fwrite(s, 1, (size_t)(q - s) + 1, o) != (size_t)(q - s) + 1 || fputc('"', o) == EOF)
            return EOF;
    }
    return fputs(s, o) == EOF || fputc('"', o) == EOF ? EOF : 0;
}
