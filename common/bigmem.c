/* Huge-page hints for large arrays (bigmem.h). */
#include "common/bigmem.h"

#include <stdint.h>
#include <sys/mman.h>

#include "common/log.h"

enum { HUGE_PAGE = 2 << 20 };

void bigmem_advise(void *p, size_t bytes)
{
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
	void *p = xmalloc(bytes ? bytes : 1);
	bigmem_advise(p, bytes);
	return p;
}
