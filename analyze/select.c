/* Multi-rank quickselect (select.h). */
#include "analyze/select.h"

#include <gsl/gsl_sort.h>

enum { SELECT_SMALL = 24 }; /* below this, insertion sort the range */

static inline void swap(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

static void insertion_sort(double *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double t = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > t; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

/* The median of v[0], v[n/2], v[n-1] moved to v[0], the pivot of the partition below. */
static void pivot_to_front(double *v, size_t n)
{
	size_t mid = n / 2, last = n - 1;
	if (v[mid] < v[0])
		swap(&v[mid], &v[0]);
	if (v[last] < v[0])
		swap(&v[last], &v[0]);
	if (v[last] < v[mid])
		swap(&v[last], &v[mid]);
	swap(&v[0], &v[mid]);
}

/* Hoare's partition around p = v[0] (n >= 2): returns j, 0 <= j < n - 1, with every value
 * of v[0..j] <= p <= every value of v[j+1..n). Equal keys stop both scans, so runs of
 * duplicates split evenly instead of degrading to quadratic time. */
static size_t partition(double *v, size_t n)
{
	double p = v[0];
	size_t i = 0, j = n;
	for (;;) {
		while (v[i] < p)
			i++;
		do
			j--;
		while (v[j] > p);
		if (i >= j)
			return j;
		swap(&v[i], &v[j]);
		i++;
	}
}

/* v[lo..hi) holds the order statistics lo..hi-1 as a set; ranks[0..nr) lie in [lo, hi). */
static void select_rec(double *v, size_t lo, size_t hi, const size_t *ranks, size_t nr,
		       int depth)
{
	while (nr > 0) {
		size_t n = hi - lo;
		if (n <= SELECT_SMALL) {
			insertion_sort(v + lo, n);
			return;
		}
		if (depth-- <= 0) {
			gsl_sort(v + lo, 1, n);
			return;
		}
		pivot_to_front(v + lo, n);
		size_t mid = lo + partition(v + lo, n) + 1; /* [lo, mid) <= [mid, hi) */
		size_t left = 0;
		while (left < nr && ranks[left] < mid)
			left++;
		/* recurse into one side, loop on the other */
		select_rec(v, lo, mid, ranks, left, depth);
		lo = mid;
		ranks += left;
		nr -= left;
	}
}

void select_ranks(double *v, size_t n, const size_t *ranks, size_t nr)
{
	int depth = 0;
	for (size_t k = n; k > 1; k >>= 1)
		depth += 2;
	select_rec(v, 0, n, ranks, nr, depth + 8);
}
