#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/phc_compare.h"

/* linux/posix-timers.h / linuxptp missing.h: a dynamic clock id from an fd */
#define FD_TO_CLOCKID(fd) ((clockid_t)((((unsigned int)~(fd)) << 3) | 3))

static int64_t ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

int phc_minus_realtime(const char *dev, int n, int64_t *diff_ns, int64_t *bracket_ns, char *err,
		       size_t errlen)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", dev, strerror(errno));
		return -1;
	}
	clockid_t clk = FD_TO_CLOCKID(fd);
	int64_t best = -1, bestdiff = 0;
	for (int i = 0; i < n; i++) {
		struct timespec a, p, b;
		if (clock_gettime(CLOCK_REALTIME, &a) || clock_gettime(clk, &p) ||
		    clock_gettime(CLOCK_REALTIME, &b)) {
			snprintf(err, errlen, "%s: not a PTP clock (%s)", dev, strerror(errno));
			close(fd);
			return -1;
		}
		int64_t w = ns(&b) - ns(&a);
		if (best < 0 || w < best) {
			best = w;
			bestdiff = ns(&p) - (ns(&a) + w / 2);
		}
	}
	close(fd);
	*diff_ns = bestdiff;
	*bracket_ns = best;
	return 0;
}
