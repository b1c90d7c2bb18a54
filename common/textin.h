/* Input files that can never end: a character or block device (/dev/zero, /dev/urandom,
 * /dev/full) given where a file is expected makes line readers (getline, fgets loops) read
 * forever. Regular files, pipes and FIFOs (the decompressors' /dev/fd/N, stdin) are fine. */
#ifndef PTPCAL_TEXTIN_H
#define PTPCAL_TEXTIN_H

#include <stdbool.h>
#include <stdio.h>

/* False after printing "PATH: a device, not a file" (f stays open: the caller closes it). */
bool textin_check(FILE *f, const char *path);
/* The same for a file descriptor (readers that read(2) in large blocks). */
bool textin_check_fd(int fd, const char *path);

#endif
