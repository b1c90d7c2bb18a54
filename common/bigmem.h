/* Large arrays (a 10^7-point series is 80 MB) backed by transparent huge pages where the
 * kernel offers them on request (Debian's default THP mode is "madvise"): touching 80 MB in
 * 4 KiB pages costs 20 000 page faults, a tenth of a second on this VM, per array. */
#ifndef PTPCAL_BIGMEM_H
#define PTPCAL_BIGMEM_H

#include <stddef.h>

/* Asks for huge pages for the whole 2 MiB pages inside p[0..bytes) (nothing for small
 * arrays); call it before the array is first written. Only a hint: errors are ignored. */
void bigmem_advise(void *p, size_t bytes);

/* xmalloc(bytes) with bigmem_advise. The first call of either fixes glibc's mmap threshold
 * at 1 MiB (bigmem.c says why). */
void *bigmem_alloc(size_t bytes);

#endif
