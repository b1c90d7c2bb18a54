/* Order statistics without a full sort: after select_ranks(v, n, ranks, nr), v[r] holds the
 * value a sort would put there, for every r in ranks (ascending, each < n); the rest of v is
 * only reordered. A quickselect on all ranks at once (Hoare, C. A. R., "Algorithm 65: find",
 * CACM 4, 1961): each partition is followed only into the sides holding wanted ranks, so a
 * handful of ranks costs a few passes over v instead of n log n; a partition that recurses
 * too deep (adversarial input) is sorted with gsl_sort instead (introselect), so the worst
 * case stays O(n log n). No NaNs in v. */
#ifndef PTPCAL_SELECT_H
#define PTPCAL_SELECT_H

#include <stddef.h>

void select_ranks(double *v, size_t n, const size_t *ranks, size_t nr);

#endif
