/*
 * Untrusted text made safe to print: a trace's target and host names come
 * from a file anyone may have written, and a terminal obeys the control
 * bytes in them (ESC sequences can retitle windows, move the cursor, hide
 * output). Valid UTF-8 that is not a control character is kept as it is;
 * C0 controls, DEL, C1 controls (U+0080-U+009F, whose 8-bit forms some
 * terminals obey) and bytes that are not valid UTF-8 become "\xNN".
 */
#ifndef DISCON_PRINTABLE_H
#define DISCON_PRINTABLE_H

#include <stddef.h>

/* in (NUL-terminated) into out (outlen > 0 bytes, always NUL-terminated;
 * an escape or a character that does not fit whole is left out). Returns
 * out. in NULL: "". */
char *discon_printable(char *out, size_t outlen, const char *in);

#endif
