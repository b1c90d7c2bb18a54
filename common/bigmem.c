/* Huge-page hints for large arrays (bigmem.h). */
#include "common/bigmem.h"

#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "common/log.h"

enum { HUGE_PAGE = 2 << 20, MMAP_MIN = 1 << 20 };

/* glibc raises its mmap threshold to the size of each mmapped block freed (up to 32 MiB):
 * after the first large free, blocks below that come from the heap and stay resident
 * after free, so a sequence of large temporary arrays adds up in the peak RSS. A fixed
 * threshold keeps every block of 1 MiB or more in its own mapping, returned on free. */
static pthread_once_t threshold_once = PTHREAD_ONCE_INIT;

static void fix_threshold(void)
{
	mallopt(M_MMAP_THRESHOLD, MMAP_MIN);
}

void bigmem_advise(void *p, size_t bytes)
{
	pthread_once(&threshold_once, fix_threshold);
#ifdef MADV_HUGEPAGE
	uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	uintptr_t hi = ((uintptr_t)p + bytes) & ~(uintptr_t)(HUGE_PAGE - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

void *bigmem_alloc(size_t bytes)
{
	pthread_once(&threshold_once, fix_threshold);
	void *p = xmalloc(bytes ? bytes : 1);
	bigmem_advise(p, bytes);
	return p;
}
