/* Maximum time-interval error (ITU-T G.810; NIST SP 1065's MTIE section) of phase x[0..n)
 * at several window lengths at once: MTIE(m) = the largest max - min over the windows of
 * m + 1 consecutive points, for any 1 <= m <= n - 1 (NAN beyond). Exact (the same maxima
 * and minima a brute-force O(n^2) scan finds); extra memory about 1 MB plus n / 1024 * 2 *
 * log2(n / 1024) doubles. */
#ifndef PTPCAL_MTIE_H
#define PTPCAL_MTIE_H

#include <stddef.h>

void mtie_compute(const double *x, size_t n, const long *m, size_t nm, double *out);

#endif
