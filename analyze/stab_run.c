/* Stability and time error of a run: the uniform phase grid and the calls into
 * analyze/stability.c and analyze/time_error.c. */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analyze/mtie.h"
#include "analyze/stab_run.h"
#include "common/bigmem.h"
#include "common/cli.h"
#include "common/log.h"

bool stab_run_parse_taus(const char *arg, struct stab_run_opts *o)
{
	stab_run_opts_free(o);
	if (strcmp(arg, "octave") == 0) {
		o->spacing = STAB_OCTAVE;
		return true;
	}
	if (strcmp(arg, "decade") == 0) {
		o->spacing = STAB_DECADE;
		return true;
	}
	if (strcmp(arg, "all") == 0) {
		o->spacing = STAB_ALL_TAU;
		return true;
	}
	size_t cap = 1;
	for (const char *c = arg; *c; c++)
		cap += *c == ',';
	o->taus = xmalloc(cap * sizeof(double));
	char *copy = xstrdup(arg);
	bool ok = true;
	/* split by hand: strtok would skip an empty item ("1,,2") */
	for (char *tok = copy; tok && ok;) {
		char *comma = strchr(tok, ',');
		if (comma)
			*comma = '\0';
		int64_t ns;
		if (o->ntaus == INT_MAX || !parse_duration(tok, &ns) || ns <= 0)
			ok = false;
		else
			o->taus[o->ntaus++] = (double)ns * 1e-9;
		tok = comma ? comma + 1 : NULL;
	}
	free(copy);
	if (!ok || o->ntaus == 0) {
		stab_run_opts_free(o);
		return false;
	}
	return true;
}

void stab_run_opts_free(struct stab_run_opts *o)
{
	free(o->taus);
	o->taus = NULL;
	o->ntaus = 0;
}

size_t stab_run_grid(const struct ex_series *s, double *tau0, double **x_s, size_t *interpolated)
{
	*x_s = NULL;
	*interpolated = 0;
	size_t k = 0;
	double *iv = xmalloc((s->n ? s->n : 1) * sizeof(double));
	size_t first = s->n, last = 0;
	int64_t prev = 0;
	bool have_prev = false;
	for (size_t i = 0; i < s->n; i++) {
		if (s->state[i] != SAMPLE_LOCKED || !isfinite(s->offset[i]))
			continue;
		if (first == s->n)
			first = i;
		last = i;
		/* intervals between distinct times (several Delay_Reqs paired with one Sync share
		 * its t2) */
		if (have_prev && s->t_ns[i] > prev)
			iv[k++] = (double)(s->t_ns[i] - prev) * 1e-9;
		prev = s->t_ns[i];
		have_prev = true;
	}
	if (k < 2) {
		free(iv);
		return 0;
	}
	gsl_sort(iv, 1, k);
	double med = gsl_stats_median_from_sorted_data(iv, 1, k);
	free(iv);
	double p2 = exp2(round(log2(med)));
	*tau0 = fabs(p2 - med) <= 0.2 * med ? p2 : med;
	int64_t t0 = s->t_ns[first];
	double span = (double)(s->t_ns[last] - t0) * 1e-9;
	/* grid points at t0 + k tau0; each exchange goes to the nearest (they sit on the Sync
	 * grid, jittered either way) */
	size_t n = (size_t)llround(span / *tau0) + 1;
	if (n < 3)
		return 0;
	double *sum = xcalloc(n, sizeof(double));
	size_t *cnt = xcalloc(n, sizeof(size_t));
	for (size_t i = first; i <= last; i++) {
		if (s->state[i] != SAMPLE_LOCKED || !isfinite(s->offset[i]))
			continue;
		size_t b = (size_t)llround((double)(s->t_ns[i] - t0) * 1e-9 / *tau0);
		if (b >= n)
			b = n - 1;
		sum[b] += s->offset[i];
		cnt[b]++;
	}
	double *x = xmalloc(n * sizeof(double));
	size_t lastfilled = n;
	for (size_t b = 0; b < n; b++) {
		if (!cnt[b])
			continue;
		x[b] = sum[b] / (double)cnt[b] * 1e-9;
		if (lastfilled != n && b > lastfilled + 1) /* linear between the neighbours */
			for (size_t j = lastfilled + 1; j < b; j++) {
				double f = (double)(j - lastfilled) / (double)(b - lastfilled);
				x[j] = x[lastfilled] + f * (x[b] - x[lastfilled]);
				(*interpolated)++;
			}
		lastfilled = b;
	}
	/* the first and last exchange fall in bins 0 and n - 1: every bin is set */
	free(sum);
	free(cnt);
	*x_s = x;
	return n;
}

/* The work of one analysis, shared among threads as a list of tasks taken in turn (an atomic
 * counter), the longest first: 0 the caller's job beside (e.g. the distribution) and then the
 * time error of TE = x in ns, one after the other so that their big arrays (a scratch copy,
 * the filtered TE) are never held at once; 1 MTIE at every tau; then each tau's deviations.
 * Every task reads x and writes only its own results, so which thread runs which changes
 * nothing (test_stab_run: threads 1 and 2 bit-identical). */
struct work {
	const double *x_s;
	size_t n;
	double tau0;
	const long *m; /* the short taus (every statistic) first, then the long (TIE rms) */
	size_t nm, nshort;
	bool stats_ok; /* x passed stab_check: MTIE and the deviations are computed */
	double *mtie;
	struct stab_point *pts;
	struct stab_run *out;
	void (*beside)(void *, double *);
	void *beside_arg;
	atomic_size_t next;
};

static void task_run(struct work *w, size_t t)
{
	if (t == 0) {
		/* one scratch array for both, one after the other: fresh pages are zeroed by the
		 * kernel, 80 MB of them for 10^7 points */
		double *scratch = bigmem_alloc((w->n ? w->n : 1) * sizeof(double));
		if (w->beside)
			w->beside(w->beside_arg, scratch);
		if (te_evaluate_scaled(w->x_s, 1e9, w->n, 1.0 / w->tau0, scratch, &w->out->te) == 0)
			w->out->have_te = true;
		free(scratch);
	} else if (t == 1) {
		if (w->stats_ok && w->nm)
			mtie_compute(w->x_s, w->n, w->m, w->nm, w->mtie);
	} else if (w->stats_ok) {
		size_t k = t - 2;
		stab_point_at(w->x_s, w->n, w->tau0, w->m[k],
			      k < w->nshort ? STAB_ALL & ~STAB_MTIE : STAB_TIE_RMS, &w->pts[k]);
	}
}

static void *worker(void *arg)
{
	struct work *w = arg;
	for (size_t t; (t = atomic_fetch_add(&w->next, 1)) < 2 + w->nm;)
		task_run(w, t);
	return NULL;
}

/* Below this many points a thread costs more than it saves. */
enum { THREAD_MIN_N = 100000, MAX_THREADS = 4 };

static int threads_for(size_t n, int asked)
{
	if (asked > 0)
		return asked < MAX_THREADS ? asked : MAX_THREADS;
	if (n < THREAD_MIN_N)
		return 1;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 2 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
}

void stab_run_compute(const double *x_s, size_t n, double tau0, const struct stab_run_opts *o,
		      void (*beside)(void *, double *), void *beside_arg, struct stab_run *out)
{
	out->tau0 = tau0;
	out->n = n;
	/* every statistic to (N-1)/2, MTIE and TIE rms to N-1 */
	long mmax_all = n >= 3 ? (long)((n - 1) / 2) : 0, mmax = n >= 2 ? (long)(n - 1) : 0;
	size_t cap = o->ntaus > 0 ? (size_t)o->ntaus : 256; /* "all": the first 256 */
	long *m = xmalloc(cap * sizeof(long));
	size_t nm = 0;
	if (o->ntaus == 0) {
		if (n >= 3 && o->spacing != STAB_ALL_TAU)
			nm = stab_taus_to(n, o->spacing, mmax, m, cap);
		else
			nm = stab_taus(n, o->spacing, m, cap);
	} else {
		for (int i = 0; i < o->ntaus; i++) {
			double mf = round(o->taus[i] / tau0);
			if (mf < 1 || mf > (double)mmax)
				continue;
			long mi = (long)mf;
			bool dup = false;
			for (size_t j = 0; j < nm && !dup; j++)
				dup = m[j] == mi;
			if (!dup)
				m[nm++] = mi;
		}
		if (nm < (size_t)o->ntaus)
			snprintf(out->note, sizeof(out->note),
				 "%zu of %d --tau values dropped: not a multiple of tau0 = %g s "
				 "between tau0 and (n - 1) tau0 = %g s, or repeated",
				 (size_t)o->ntaus - nm, o->ntaus, tau0, (double)mmax * tau0);
	}
	/* the taus past (N-1)/2 get MTIE and TIE rms only (stab_point_at computes each
	 * statistic where it is defined, but TOTDEV's reflection would reach there too) */
	long *ms = xmalloc((nm ? nm : 1) * sizeof(long));
	size_t *at = xmalloc((nm ? nm : 1) * sizeof(size_t)), nshort = 0;
	for (size_t k = 0; k < nm; k++) /* the short ones first, in order */
		if (m[k] <= mmax_all) {
			at[nshort] = k;
			ms[nshort++] = m[k];
		}
	for (size_t k = 0, j = nshort; k < nm; k++)
		if (m[k] > mmax_all) {
			at[j] = k;
			ms[j++] = m[k];
		}
	bool ok = nm > 0 && stab_check(x_s, n, tau0) == 0;
	struct work w = { .x_s = x_s, .n = n, .tau0 = tau0, .m = ms, .nm = nm, .nshort = nshort,
			  .stats_ok = ok, .mtie = xmalloc((nm ? nm : 1) * sizeof(double)),
			  .pts = xcalloc(nm ? nm : 1, sizeof(struct stab_point)), .out = out,
			  .beside = beside, .beside_arg = beside_arg };
	atomic_init(&w.next, 0);
	/* GSL's error handler is one global: switched off here, before the threads, so that
	 * their own save-and-restore pairs (stab_finish) only ever see it off */
	gsl_error_handler_t *gsl_old = gsl_set_error_handler_off();
	pthread_t th[MAX_THREADS];
	int nth = 0, want = threads_for(n, o->threads);
	while (nth + 1 < want && pthread_create(&th[nth], NULL, worker, &w) == 0)
		nth++;
	worker(&w);
	for (int t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	if (ok)
		stab_finish(n, w.pts, nshort, STAB_ALL & ~STAB_MTIE);
	gsl_set_error_handler(gsl_old);
	if (ok) {
		out->pts = xcalloc(nm, sizeof(*out->pts));
		for (size_t k = 0; k < nm; k++) { /* back in the order asked */
			w.pts[k].mtie = w.mtie[k];
			out->pts[at[k]] = w.pts[k];
		}
		out->npts = nm;
		out->have = true;
	} else if (nm > 0) {
		snprintf(out->note, sizeof(out->note), "stability not computed: %zu points "
			 "(at least 3 finite values needed)", n);
	} else if (!out->note[0]) {
		snprintf(out->note, sizeof(out->note),
			 "stability not computed: %zu phase points give no averaging factor", n);
	}
	free(w.pts);
	free(ms);
	free(at);
	free(w.mtie);
	free(m);
}

void stab_run_free(struct stab_run *r)
{
	free(r->pts);
	r->pts = NULL;
	r->npts = 0;
}
