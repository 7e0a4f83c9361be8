/* The lookup behind each module's *_strerror(): a table of messages indexed
 * by code, and the convention that a function returns the code negated. */
#ifndef DISCON_CODE_MESSAGE_H
#define DISCON_CODE_MESSAGE_H

/* messages[code] for `code` of either sign; "unknown error" for anything
 * outside [0, count) or without a message. Never NULL. */
static inline const char *discon_code_message(const char *const *messages, unsigned count,
                                              int code)
{
    /* Unsigned, so INT_MIN (whose negation overflows) is simply unknown. */
    unsigned u = code < 0 ? 0u - (unsigned)code : (unsigned)code;
    if (u >= count || !messages[u])
        return "unknown error";
    return messages[u];
}

#endif
