/* Paths under an alternative root (--root DIR, a staging tree), as systemd's --root and
 * dpkg's --root do: "/etc/x" under "/tmp/t" is "/tmp/t/etc/x"; no root means the real one. */
#ifndef PTPCAL_FSROOT_H
#define PTPCAL_FSROOT_H

#include <stdbool.h>
#include <stddef.h>

/* root (NULL or "" = "/") joined with an absolute path, into buf. */
const char *fsroot_path(const char *root, const char *abs, char *buf, size_t len);
/* mkdir -p of path's parent directories (mode 0755). 0, or -1 with errno. */
int fsroot_mkdir_parents(const char *path);
/* Read a whole small file (malloc'd) or NULL. */
char *fsroot_read(const char *path);

#endif
