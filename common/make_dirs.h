/* Output directories, created with their parents (`mkdir -p`). */
#ifndef DISCON_MAKE_DIRS_H
#define DISCON_MAKE_DIRS_H

#include <stddef.h>

/* Create `dir` and every missing parent, mode 0755 (less the umask); one
 * that exists already is fine. Does not check that the result is a
 * directory: the caller's stat does. 0, or -1 with errno set (ENAMETOOLONG
 * for a path over PATH_MAX) and the component that failed in failed[len]
 * (NUL-terminated, cut to len; may be NULL). */
int discon_make_dirs(const char *dir, char *failed, size_t len);

#endif
