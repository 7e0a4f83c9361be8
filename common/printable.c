#include "printable.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (1-4), or 0 if it is not
 * one: overlong forms, surrogates and code points above U+10FFFF are
 * invalid (RFC 3629). *cp gets its code point. */
static size_t utf8_len(const unsigned char *s, unsigned *cp)
{
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
             : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0)
        return 0;
    unsigned c = n == 1 ? s[0] : s[0] & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

char *discon_printable(char *out, size_t outlen, const char *in)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    while (*s) {
        unsigned cp = 0;
        size_t n = utf8_len(s, &cp);
        bool control = n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
        size_t need = control ? 4 : n;
        if (o + need >= outlen)
            break;
        if (control)
            snprintf(out + o, outlen - o, "\\x%02x", *s);
        else
            memcpy(out + o, s, n);
        o += need;
        s += control ? 1 : n;
    }
    out[o] = '\0';
    return out;
}
