/* MTIE at many taus (mtie.h). Every window's value is max - min of the same points a
 * brute-force scan takes them from (max and min are exact), so the result is the brute
 * force's to the bit; only the order of the work differs.
 *
 * Short windows (w = m + 1 <= BLOCK + 1 points): all of them in one sweep of the series in
 * chunks that stay in the cache. In a chunk, level p holds the extrema of the 2^p points
 * from each start (level p + 1 from two of level p, in place); a window of w points,
 * 2^p <= w < 2^(p+1), is the union of the level-p runs at its start and at its end (the
 * sparse-table query of range-minimum problems), so each level costs two vector max/min per
 * point and serves every window of its octave. This replaces one O(n) pass per tau.
 *
 * Long windows (w > BLOCK + 1): a window starting at s = b BLOCK + k is the suffix of block
 * b from k, the whole blocks after it (from a sparse table over the blocks' extrema: O(1)),
 * and a prefix of the block holding its end (w - 1 >= BLOCK: always a later block). Branch
 * and bound over the blocks of starts: the blocks a window starting in block b can reach
 * bound its value from above; the block of starts with the largest bound is scanned first,
 * and then only the blocks whose bound beats the best value so far. On phase that wanders
 * few blocks remain; on white noise all are scanned, O(n) for that tau.
 *
 * Memory: the chunk buffers (about 1 MB) and the blocks' table (n / BLOCK * log2 entries). */
#include "analyze/mtie.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/log.h"

enum {
	BLOCK = 1024,       /* points per block of the long windows' table */
	CHUNK = 1 << 15,    /* starts per chunk of the short windows */
};

static inline double dmax(double a, double b)
{
	return a > b ? a : b;
}

static inline double dmin(double a, double b)
{
	return a < b ? a : b;
}

static int floor_log2(size_t v)
{
	int p = 0;
	while (v >> (p + 1))
		p++;
	return p;
}

/* hi[i] = max(hi[i], hi[i + s]), lo likewise, for i in [0, cnt): in place and in increasing
 * i, so every hi[i + s] read is still the old level's. */
static void level_up(double *hi, double *lo, size_t s, size_t cnt)
{
	size_t i = 0;
#if defined(__SSE2__)
	for (; i + 2 <= cnt; i += 2) {
		__m128d a = _mm_loadu_pd(hi + i), b = _mm_loadu_pd(hi + i + s);
		__m128d c = _mm_loadu_pd(lo + i), d = _mm_loadu_pd(lo + i + s);
		_mm_storeu_pd(hi + i, _mm_max_pd(a, b));
		_mm_storeu_pd(lo + i, _mm_min_pd(c, d));
	}
#endif
	for (; i < cnt; i++) {
		hi[i] = dmax(hi[i], hi[i + s]);
		lo[i] = dmin(lo[i], lo[i + s]);
	}
}

/* max over i in [0, cnt) of max(hi[i], hi[i + off]) - min(lo[i], lo[i + off]), and best. */
static double ranges_max(const double *hi, const double *lo, size_t off, size_t cnt, double best)
{
	size_t i = 0;
#if defined(__SSE2__)
	__m128d b0 = _mm_set1_pd(best), b1 = b0;
	for (; i + 4 <= cnt; i += 4) {
		__m128d r0 = _mm_sub_pd(_mm_max_pd(_mm_loadu_pd(hi + i), _mm_loadu_pd(hi + i + off)),
					_mm_min_pd(_mm_loadu_pd(lo + i), _mm_loadu_pd(lo + i + off)));
		__m128d r1 = _mm_sub_pd(
			_mm_max_pd(_mm_loadu_pd(hi + i + 2), _mm_loadu_pd(hi + i + off + 2)),
			_mm_min_pd(_mm_loadu_pd(lo + i + 2), _mm_loadu_pd(lo + i + off + 2)));
		b0 = _mm_max_pd(b0, r0);
		b1 = _mm_max_pd(b1, r1);
	}
	double l[4];
	_mm_storeu_pd(l, b0);
	_mm_storeu_pd(l + 2, b1);
	best = dmax(dmax(l[0], l[1]), dmax(l[2], l[3]));
#endif
	for (; i < cnt; i++)
		best = dmax(best, dmax(hi[i], hi[i + off]) - dmin(lo[i], lo[i + off]));
	return best;
}

/* best and max over i in [0, cnt) of max(a[i], hv, b[i]) - min(c[i], lv, d[i]): the windows
 * of the long path (suffix, whole blocks between, prefix). */
static double ranges3_max(const double *a, const double *c, const double *b, const double *d,
			  double hv, double lv, size_t cnt, double best)
{
	size_t i = 0;
#if defined(__SSE2__)
	__m128d bb = _mm_set1_pd(best), h = _mm_set1_pd(hv), l = _mm_set1_pd(lv);
	for (; i + 2 <= cnt; i += 2) {
		__m128d up = _mm_max_pd(_mm_max_pd(_mm_loadu_pd(a + i), h), _mm_loadu_pd(b + i));
		__m128d dn = _mm_min_pd(_mm_min_pd(_mm_loadu_pd(c + i), l), _mm_loadu_pd(d + i));
		bb = _mm_max_pd(bb, _mm_sub_pd(up, dn));
	}
	double t[2];
	_mm_storeu_pd(t, bb);
	best = dmax(t[0], t[1]);
#endif
	for (; i < cnt; i++)
		best = dmax(best, dmax(dmax(a[i], hv), b[i]) - dmin(dmin(c[i], lv), d[i]));
	return best;
}

/* The short windows: out[k] for every k with 2 <= w[k] <= wmax (others untouched). */
static void mtie_short(const double *x, size_t n, const size_t *w, size_t nw, size_t wmax,
		       double *out)
{
	size_t cap = CHUNK + wmax - 1;
	double *hi = xmalloc(cap * sizeof(double)), *lo = xmalloc(cap * sizeof(double));
	int top = floor_log2(wmax);
	for (size_t k = 0; k < nw; k++)
		if (w[k] >= 2 && w[k] <= wmax)
			out[k] = 0;
	for (size_t c = 0; c + 2 <= n; c += CHUNK) {
		size_t len = n - c < cap ? n - c : cap; /* points in the buffers */
		for (size_t i = 0; i < len; i++)
			hi[i] = lo[i] = x[c + i];
		/* level p: hi[i] = max of the 2^p points from c + i, for i + 2^p <= len */
		for (int p = 0; p <= top; p++) {
			size_t run = (size_t)1 << p;
			for (size_t k = 0; k < nw; k++) {
				if (w[k] < 2 || w[k] > wmax || floor_log2(w[k]) != p || w[k] > n - c)
					continue;
				/* starts c + i, i < CHUNK and i + w <= len (within the series) */
				size_t cnt = len - w[k] + 1 < CHUNK ? len - w[k] + 1 : CHUNK;
				out[k] = ranges_max(hi, lo, w[k] - run, cnt, out[k]);
			}
			if (p < top && len >= 2 * run)
				level_up(hi, lo, run, len - 2 * run + 1);
		}
	}
	free(hi);
	free(lo);
}

/* The extrema of every run of 2^q whole blocks: hi[q][b] over blocks b .. b + 2^q - 1. */
struct block_table {
	size_t nb;
	int levels;
	double **hi, **lo;
};

static void table_build(const double *x, size_t n, struct block_table *t)
{
	t->nb = (n + BLOCK - 1) / BLOCK;
	t->levels = floor_log2(t->nb) + 1;
	t->hi = xmalloc((size_t)t->levels * sizeof(double *));
	t->lo = xmalloc((size_t)t->levels * sizeof(double *));
	for (int q = 0; q < t->levels; q++) {
		t->hi[q] = xmalloc(t->nb * sizeof(double));
		t->lo[q] = xmalloc(t->nb * sizeof(double));
	}
	for (size_t b = 0; b < t->nb; b++) {
		size_t s = b * BLOCK, e = n - s < BLOCK ? n : s + BLOCK;
		double h = x[s], l = x[s];
		for (size_t i = s + 1; i < e; i++) {
			h = dmax(h, x[i]);
			l = dmin(l, x[i]);
		}
		t->hi[0][b] = h;
		t->lo[0][b] = l;
	}
	for (int q = 1; q < t->levels; q++) {
		size_t half = (size_t)1 << (q - 1);
		for (size_t b = 0; b + 2 * half <= t->nb; b++) {
			t->hi[q][b] = dmax(t->hi[q - 1][b], t->hi[q - 1][b + half]);
			t->lo[q][b] = dmin(t->lo[q - 1][b], t->lo[q - 1][b + half]);
		}
	}
}

static void table_free(struct block_table *t)
{
	for (int q = 0; q < t->levels; q++) {
		free(t->hi[q]);
		free(t->lo[q]);
	}
	free(t->hi);
	free(t->lo);
}

/* The extrema of blocks a .. c (none: -inf, +inf). */
static void table_query(const struct block_table *t, size_t a, size_t c, double *hi, double *lo)
{
	if (a > c) {
		*hi = -INFINITY;
		*lo = INFINITY;
		return;
	}
	int q = floor_log2(c - a + 1);
	size_t b2 = c + 1 - ((size_t)1 << q);
	*hi = dmax(t->hi[q][a], t->hi[q][b2]);
	*lo = dmin(t->lo[q][a], t->lo[q][b2]);
}

/* Scratch of the long windows' scan: a block's suffix extrema, two blocks' prefix extrema. */
struct scan_buf {
	double sh[BLOCK], sl[BLOCK], ph[2 * BLOCK], pl[2 * BLOCK];
};

/* The largest max - min of the windows of w points (w > BLOCK) starting in block b, and best. */
static double scan_block(const double *x, size_t n, size_t w, const struct block_table *t,
			 size_t b, struct scan_buf *sb, double best)
{
	size_t s0 = b * BLOCK, last = n - w;
	size_t kc = last - s0 + 1 < BLOCK ? last - s0 + 1 : BLOCK; /* starts s0 .. s0 + kc - 1 */
	size_t bend = n - s0 < BLOCK ? n : s0 + BLOCK;
	double h = -INFINITY, l = INFINITY;
	for (size_t k = bend - s0; k-- > 0;) { /* suffix of block b from s0 + k */
		h = dmax(h, x[s0 + k]);
		l = dmin(l, x[s0 + k]);
		sb->sh[k] = h;
		sb->sl[k] = l;
	}
	size_t e0 = s0 + w - 1, b1 = e0 / BLOCK, p0 = b1 * BLOCK; /* ends e0 + k; b1 > b */
	size_t pend = e0 + kc; /* prefix extrema of blocks b1 and b1 + 1 up to the last end */
	for (size_t i = p0; i < pend; i++) {
		size_t j = i - p0;
		if (j == 0 || j == BLOCK) {
			h = x[i];
			l = x[i];
		} else {
			h = dmax(h, x[i]);
			l = dmin(l, x[i]);
		}
		sb->ph[j] = h;
		sb->pl[j] = l;
	}
	size_t k1 = p0 + BLOCK - e0 < kc ? p0 + BLOCK - e0 : kc; /* ends in block b1 */
	double mh, ml;
	table_query(t, b + 1, b1 - 1, &mh, &ml);
	best = ranges3_max(sb->sh, sb->sl, sb->ph + (e0 - p0), sb->pl + (e0 - p0), mh, ml, k1, best);
	if (k1 < kc) { /* ends in block b1 + 1 */
		table_query(t, b + 1, b1, &mh, &ml);
		best = ranges3_max(sb->sh + k1, sb->sl + k1, sb->ph + (e0 + k1 - p0),
				   sb->pl + (e0 + k1 - p0), mh, ml, kc - k1, best);
	}
	return best;
}

/* MTIE of windows of w points, BLOCK < w <= n, by branch and bound over the blocks of starts. */
static double mtie_long(const double *x, size_t n, size_t w, const struct block_table *t,
			struct scan_buf *sb)
{
	size_t last = n - w, nsb = last / BLOCK + 1;
	double *ub = xmalloc(nsb * sizeof(double));
	size_t top = 0;
	for (size_t b = 0; b < nsb; b++) {
		size_t s_end = (b + 1) * BLOCK - 1 < last ? (b + 1) * BLOCK - 1 : last;
		size_t be = (s_end + w - 1) / BLOCK; /* the last block a window from here reaches */
		double h, l;
		table_query(t, b, be, &h, &l);
		ub[b] = h - l;
		if (ub[b] > ub[top])
			top = b;
	}
	double best = scan_block(x, n, w, t, top, sb, 0);
	for (size_t b = 0; b < nsb; b++)
		if (b != top && ub[b] > best)
			best = scan_block(x, n, w, t, b, sb, best);
	free(ub);
	return best;
}

void mtie_compute(const double *x, size_t n, const long *m, size_t nm, double *out)
{
	size_t *w = xmalloc((nm ? nm : 1) * sizeof(size_t)), wshort = 0;
	bool any_long = false;
	for (size_t k = 0; k < nm; k++) {
		out[k] = NAN;
		w[k] = m[k] >= 1 && (size_t)m[k] < n ? (size_t)m[k] + 1 : 0; /* 0: not defined */
		if (w[k] && w[k] <= BLOCK + 1 && w[k] > wshort)
			wshort = w[k];
		any_long |= w[k] > BLOCK + 1;
	}
	if (wshort)
		mtie_short(x, n, w, nm, wshort, out);
	if (any_long) {
		struct block_table t;
		table_build(x, n, &t);
		struct scan_buf *sb = xmalloc(sizeof(*sb));
		for (size_t k = 0; k < nm; k++)
			if (w[k] > BLOCK + 1)
				out[k] = mtie_long(x, n, w[k], &t, sb);
		free(sb);
		table_free(&t);
	}
	free(w);
}
