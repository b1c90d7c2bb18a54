/* MTIE at many taus (mtie.h).
 *
 * One window length w = m + 1 at a time, by the van Herk / Gil-Werman sliding extrema
 * (M. van Herk, Pattern Recognition Letters 13, 1992; J. Gil and M. Werman, IEEE PAMI 15,
 * 1993): cut the series into blocks of w points; the window starting at offset k of a block
 * is the block's suffix from k plus the next block's prefix of k points. O(n) per tau, three
 * comparisons per point per extremum and no data-dependent branches (8x faster than
 * monotonic deques on noisy phase, which mispredict about once a point).
 *
 * Long windows (w >= PRUNE_MIN_W) are pruned first: with the extrema of blocks of
 * B = w / 4 points (one pass), the windows starting in block k lie inside blocks
 * k .. k + L, whose overall max - min bounds their MTIE from above, and each contains
 * blocks k+1 .. k + w/B - 1 whole, which bounds the largest from below. Only the runs of
 * blocks whose upper bound exceeds the best lower bound are scanned exactly; on phase that
 * wanders (the usual case) that is a few per cent of the series, on white noise nearly all
 * of it, and then the whole series is scanned once as without pruning. */
#include "analyze/mtie.h"

#include <math.h>
#include <stdlib.h>

#include "common/bigmem.h"
#include "common/log.h"

enum { PRUNE_MIN_W = 256, PRUNE_PARTS = 4 };

static inline double dmax(double a, double b)
{
	return a > b ? a : b;
}

static inline double dmin(double a, double b)
{
	return a < b ? a : b;
}

/* Largest max - min over the windows of w points starting at 0 .. n - w (w <= n). The
 * prefix extrema of the next block are kept in pmax/pmin (at most min(w, n - w) values);
 * the block's suffix extrema are carried along as k goes down. */
static double mtie_scan(const double *x, size_t n, size_t w, double *pmax, double *pmin)
{
	double best = 0;
	for (size_t start = 0; start + w <= n; start += w) {
		/* windows starting at start + k, k = 0 .. K-1 */
		size_t K = n - w - start + 1 < w ? n - w - start + 1 : w;
		const double *next = x + start + w;
		double phi = -INFINITY, plo = INFINITY;
		for (size_t k = 1; k < K; k++) { /* prefix of k points of the next block */
			phi = dmax(phi, next[k - 1]);
			plo = dmin(plo, next[k - 1]);
			pmax[k] = phi;
			pmin[k] = plo;
		}
		double hi = -INFINITY, lo = INFINITY;
		for (size_t k = w; k-- > K;) { /* suffix extrema of the windows not started */
			hi = dmax(hi, x[start + k]);
			lo = dmin(lo, x[start + k]);
		}
		for (size_t k = K; k-- > 1;) {
			hi = dmax(hi, x[start + k]);
			lo = dmin(lo, x[start + k]);
			best = dmax(best, dmax(hi, pmax[k]) - dmin(lo, pmin[k]));
		}
		hi = dmax(hi, x[start]);
		lo = dmin(lo, x[start]);
		best = dmax(best, hi - lo); /* k = 0: the block itself */
	}
	return best;
}

/* Block extrema for the pruning: bmax/bmin[k] over x[kB .. min((k+1)B, n)). */
static void block_extrema(const double *x, size_t n, size_t B, double *bmax, double *bmin)
{
	for (size_t k = 0, s = 0; s < n; k++, s += B) {
		size_t e = n - s < B ? n : s + B;
		double hi = x[s], lo = x[s];
		for (size_t i = s + 1; i < e; i++) {
			hi = dmax(hi, x[i]);
			lo = dmin(lo, x[i]);
		}
		bmax[k] = hi;
		bmin[k] = lo;
	}
}

static double range_of_blocks(const double *bmax, const double *bmin, size_t a, size_t b)
{
	double hi = bmax[a], lo = bmin[a];
	for (size_t k = a + 1; k <= b; k++) {
		hi = dmax(hi, bmax[k]);
		lo = dmin(lo, bmin[k]);
	}
	return hi - lo;
}

/* MTIE of windows of w points (PRUNE_MIN_W <= w <= n) with the pruning above. */
static double mtie_scan_alloc(const double *x, size_t n, size_t w);

static double mtie_pruned(const double *x, size_t n, size_t w)
{
	size_t B = w / PRUNE_PARTS, nb = (n + B - 1) / B;
	size_t last_start = n - w; /* windows start at 0 .. last_start */
	size_t kmax = last_start / B; /* the last block holding a start */
	double *bmax = xmalloc(nb * sizeof(double)), *bmin = xmalloc(nb * sizeof(double));
	double *ub = xmalloc((kmax + 1) * sizeof(double));
	block_extrema(x, n, B, bmax, bmin);
	size_t L = (B + w - 2) / B, inner = w / B - 1; /* blocks spanned; blocks inside */
	double best = 0;
	for (size_t k = 0; k <= kmax; k++) {
		size_t hi = k + L < nb ? k + L : nb - 1;
		ub[k] = range_of_blocks(bmax, bmin, k, hi);
		/* the window starting at kB exists and holds blocks k+1 .. k+inner */
		if (inner >= 1 && k + inner < nb)
			best = dmax(best, range_of_blocks(bmax, bmin, k + 1, k + inner));
	}
	/* scan the runs of candidate blocks exactly, unless that is most of the series (a run
	 * of r blocks scans r B + w - 1 points, with prefix arrays of r B values) */
	size_t scan = 0;
	for (size_t k = 0; k <= kmax; k++)
		if (ub[k] > best)
			scan += B + (k == 0 || !(ub[k - 1] > best) ? w - 1 : 0);
	if (scan > n / 4 * 3) {
		best = mtie_scan_alloc(x, n, w);
	} else {
		for (size_t k = 0; k <= kmax;) {
			if (!(ub[k] > best)) {
				k++;
				continue;
			}
			size_t k2 = k;
			while (k2 + 1 <= kmax && ub[k2 + 1] > best)
				k2++;
			size_t s0 = k * B, s1 = (k2 + 1) * B - 1; /* starts s0 .. s1 */
			if (s1 > last_start)
				s1 = last_start;
			best = dmax(best, mtie_scan_alloc(x + s0, s1 - s0 + w, w));
			k = k2 + 1;
		}
	}
	free(bmax);
	free(bmin);
	free(ub);
	return best;
}

/* mtie_scan with its prefix arrays allocated for it: min(w, n - w) values each, so a pruned
 * scan of a short run of blocks needs little. */
static double mtie_scan_alloc(const double *x, size_t n, size_t w)
{
	size_t need = (w < n - w ? w : n - w) + 1;
	double *pmax = bigmem_alloc(need * sizeof(double)), *pmin = bigmem_alloc(need * sizeof(double));
	double best = mtie_scan(x, n, w, pmax, pmin);
	free(pmax);
	free(pmin);
	return best;
}

void mtie_compute(const double *x, size_t n, const long *m, size_t nm, double *out)
{
	for (size_t k = 0; k < nm; k++) {
		if (m[k] < 1 || (size_t)m[k] >= n) {
			out[k] = NAN;
			continue;
		}
		size_t w = (size_t)m[k] + 1;
		out[k] = w >= PRUNE_MIN_W ? mtie_pruned(x, n, w) : mtie_scan_alloc(x, n, w);
	}
}
