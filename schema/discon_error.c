#include "discon_error.h"
#include "code_message.h"

/* Indexed by code, so a new code without a message fails to compile
 * (the size check below) instead of printing nothing. */
static const char *const messages[] = {
    [DISCON_OK] = "success",
    [DISCON_E_IO] = "input/output error",
    [DISCON_E_NOMEM] = "out of memory",
    [DISCON_E_NOT_TRACE] = "not a discon trace",
    [DISCON_E_EMPTY] = "empty input",
    [DISCON_E_DAMAGED] = "damaged trace data",
    [DISCON_E_STOPPED] = "reading stopped by the caller",
    [DISCON_E_TOO_LARGE] = "frame or packet too large",
    [DISCON_E_BAD_BATCH] = "malformed event batch",
    [DISCON_E_INVALID] = "invalid argument",
    [DISCON_E_WRITER_FAILED] = "the writer failed earlier",
    [DISCON_E_CODEC] = "compression failed",
};
_Static_assert(sizeof messages / sizeof *messages == DISCON_E_COUNT,
               "every discon_err code needs a message");

const char *discon_strerror(int code)
{
    return discon_code_message(messages, DISCON_E_COUNT, code);
}
