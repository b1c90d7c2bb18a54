/* See monitor_series.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/stability.h"
#include "common/log.h"
#include "pipeline/monitor_series.h"

void mon_series_init(struct mon_series *s, size_t cap, int64_t window_ns, int64_t gap_ns)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap ? cap : 1;
	/* written now, not lazily as the ring first fills: the memory a monitor will ever use
	 * is resident from the start, so a flat RSS is visible at once */
	s->v = xmalloc(s->cap * sizeof(*s->v));
	s->t_ns = xmalloc(s->cap * sizeof(*s->t_ns));
	memset(s->v, 0, s->cap * sizeof(*s->v));
	memset(s->t_ns, 0, s->cap * sizeof(*s->t_ns));
	s->window_ns = window_ns;
	s->gap_ns = gap_ns;
	s->last = NAN;
}

void mon_series_free(struct mon_series *s)
{
	free(s->v);
	free(s->t_ns);
	memset(s, 0, sizeof(*s));
}

static size_t idx(const struct mon_series *s, size_t i) /* i-th oldest */
{
	return (s->head + s->cap - s->n + i) % s->cap;
}

void mon_series_expire(struct mon_series *s, int64_t now_ns)
{
	while (s->n > 0 && now_ns - s->t_ns[idx(s, 0)] > s->window_ns)
		s->n--;
}

void mon_series_add(struct mon_series *s, int64_t t_ns, double v_ns)
{
	if (!isfinite(v_ns))
		return;
	if (s->n > 0 && s->gap_ns > 0 && t_ns - s->last_t_ns > s->gap_ns)
		s->n = 0;
	s->v[s->head] = v_ns;
	s->t_ns[s->head] = t_ns;
	s->head = (s->head + 1) % s->cap;
	if (s->n < s->cap)
		s->n++;
	s->count++;
	s->sum += v_ns;
	s->last = v_ns;
	s->last_t_ns = t_ns;
	mon_series_expire(s, t_ns);
}

void mon_series_window(const struct mon_series *s, double *scratch, int with_stability,
		       struct mon_window *w)
{
	memset(w, 0, sizeof(*w));
	w->max_abs = NAN;
	w->tau0_s = NAN;
	for (size_t i = 0; i < s->n; i++) {
		scratch[i] = s->v[idx(s, i)];
		if (i == 0 || fabs(scratch[i]) > w->max_abs)
			w->max_abs = fabs(scratch[i]);
	}
	if (s->n > 1)
		w->tau0_s = (double)(s->t_ns[idx(s, s->n - 1)] - s->t_ns[idx(s, 0)]) / 1e9 /
			    (double)(s->n - 1);
	if (with_stability && s->n >= 3 && w->tau0_s > 0) {
		/* phase in seconds, in time order (scratch still holds it: dist sorts later) */
		static const double want[MON_NTAU] = { 1, 10, 100, 1000 };
		long m[MON_NTAU];
		double nominal[MON_NTAU];
		size_t nm = 0;
		for (size_t k = 0; k < MON_NTAU; k++) {
			long mk = lround(want[k] / w->tau0_s);
			if (mk < 1)
				mk = 1;
			/* TDEV needs 3m + 1 points; skip taus the window cannot hold or that repeat */
			if ((size_t)(3 * mk + 1) > s->n || (nm > 0 && m[nm - 1] == mk))
				continue;
			nominal[nm] = want[k];
			m[nm++] = mk;
		}
		if (nm > 0) {
			double *x = xmalloc(s->n * sizeof(*x));
			for (size_t i = 0; i < s->n; i++)
				x[i] = scratch[i] / 1e9;
			struct stab_point p[MON_NTAU];
			if (stab_compute(x, s->n, w->tau0_s, m, nm, STAB_TDEV | STAB_MTIE, p) == 0) {
				for (size_t k = 0; k < nm; k++) {
					/* the nominal tau: a label that moved with the
					 * measured spacing would make a new series per scrape */
					w->tau_s[k] = nominal[k];
					w->tdev[k] = p[k].tdev * 1e9;
					w->mtie[k] = p[k].mtie * 1e9;
				}
				w->ntau = nm;
			}
			free(x);
		}
	}
	dist_compute_inplace(scratch, s->n, &w->d);
}
