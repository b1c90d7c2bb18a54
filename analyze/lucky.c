/* Minimum-delay filter in blocks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/lucky.h"
#include "common/log.h"

size_t lucky_block(double pct)
{
	double b = ceil(10.0 * 100.0 / pct);
	return b < 32 ? 32 : (size_t)b;
}

static const double *cmp_delay;
static int by_delay(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	double di = cmp_delay[i], dj = cmp_delay[j];
	if (di != dj)
		return di < dj ? -1 : 1;
	return i < j ? -1 : i > j;
}

void lucky_apply(struct ex_series *s, const double *v, double pct, struct lucky_result *out)
{
	memset(out, 0, sizeof(*out));
	out->pct = pct;
	out->block = lucky_block(pct);
	size_t *idx = xmalloc((s->n ? s->n : 1) * sizeof(size_t));
	size_t m = 0;
	for (size_t i = 0; i < s->n; i++) {
		s->lucky[i] = 0;
		if (s->state[i] == SAMPLE_LOCKED && isfinite(s->delay[i]))
			idx[m++] = i;
	}
	out->considered = m;
	cmp_delay = s->delay;
	double sb = 0, sa = 0;
	size_t nb = 0, na = 0;
	for (size_t b0 = 0; b0 < m; b0 += out->block) {
		size_t len = m - b0 < out->block ? m - b0 : out->block;
		/* A short last block is merged into the percentage of its own length. */
		qsort(idx + b0, len, sizeof(size_t), by_delay);
		size_t keep = (size_t)ceil(pct / 100.0 * (double)len);
		if (keep < 1)
			keep = 1;
		for (size_t k = 0; k < keep && k < len; k++) {
			s->lucky[idx[b0 + k]] = 1;
			out->kept++;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->state[i] != SAMPLE_LOCKED || !isfinite(v[i]))
			continue;
		sb += v[i];
		nb++;
		if (s->lucky[i]) {
			sa += v[i];
			na++;
		}
	}
	out->fraction = m ? (double)out->kept / (double)m : NAN;
	out->mean_before = nb ? sb / (double)nb : NAN;
	out->mean_after = na ? sa / (double)na : NAN;
	free(idx);
}
