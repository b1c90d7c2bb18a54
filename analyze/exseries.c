/* Loading exchanges datasets into the analysis series. The derived values are recomputed
 * from the exact t1..t4 by capture/exchange_io.c (exchange_reader_next), never read back
 * rounded from the file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/exseries.h"
#include "capture/exchange_io.h"
#include "common/log.h"

void exs_init(struct ex_series *s)
{
	memset(s, 0, sizeof(*s));
}

void exs_free(struct ex_series *s)
{
	free(s->t_ns);
	free(s->t3_ns);
	free(s->offset);
	free(s->delay);
	free(s->fwd);
	free(s->rev);
	free(s->raw_asym);
	free(s->theta);
	free(s->state);
	free(s->lucky);
	exs_init(s);
}

static void grow(struct ex_series *s)
{
	s->cap = s->cap ? 2 * s->cap : 1024;
	s->t_ns = xrealloc(s->t_ns, s->cap * sizeof(*s->t_ns));
	s->t3_ns = xrealloc(s->t3_ns, s->cap * sizeof(*s->t3_ns));
	s->offset = xrealloc(s->offset, s->cap * sizeof(double));
	s->delay = xrealloc(s->delay, s->cap * sizeof(double));
	s->fwd = xrealloc(s->fwd, s->cap * sizeof(double));
	s->rev = xrealloc(s->rev, s->cap * sizeof(double));
	s->raw_asym = xrealloc(s->raw_asym, s->cap * sizeof(double));
	s->theta = xrealloc(s->theta, s->cap * sizeof(double));
	s->state = xrealloc(s->state, s->cap);
	s->lucky = xrealloc(s->lucky, s->cap);
}

static void push(struct ex_series *s, int64_t t2, int64_t t3, double fwd, double rev,
		 double raw_asym)
{
	if (s->n == s->cap)
		grow(s);
	size_t i = s->n++;
	s->t_ns[i] = t2;
	s->t3_ns[i] = t3;
	s->fwd[i] = fwd;
	s->rev[i] = rev;
	/* IEEE 1588-2019 11.3 (as ptp4l tsproc.c): offset = (fwd - rev)/2, delay = (fwd + rev)/2;
	 * offset = slave - master. */
	s->offset[i] = (fwd - rev) / 2;
	s->delay[i] = (fwd + rev) / 2;
	s->raw_asym[i] = raw_asym;
	s->theta[i] = NAN;
	s->state[i] = SAMPLE_LOCKED;
	s->lucky[i] = 1;
}

void exs_append(struct ex_series *s, int64_t t1, int64_t t2, int64_t t3, int64_t t4,
		   double asym)
{
	/* fwd = t2 - t1 - A, rev = t4 - t3 (docs/dataset-format.md, exchanges) */
	double a = (double)(t2 - t1), b = (double)(t4 - t3);
	push(s, t2, t3, a - asym, b, a - b);
}

void exs_push_offset(struct ex_series *s, int64_t t_ns, double offset_ns)
{
	push(s, t_ns, t_ns, NAN, NAN, NAN);
	s->offset[s->n - 1] = offset_ns;
}

bool exs_load_offsets(struct ex_series *s, const char *path, const char *kind, const char *tcol)
{
	struct ds_reader *r = ds_open(path, kind);
	if (!r)
		return false;
	int ct = ds_require_col(r, tcol), co = ds_require_col(r, "offset_ns");
	int rc = ct < 0 || co < 0 ? -1 : 0;
	while (rc == 0 && (rc = ds_next(r)) == 1) {
		struct ptime t;
		double v;
		if (!ds_get_time(r, ct, &t) || !ds_get_double(r, co, &v)) {
			rc = -1;
			break;
		}
		if (isfinite(v))
			exs_push_offset(s, t.ns, v);
		rc = 0;
	}
	ds_reader_close(r);
	s->nfiles++;
	return rc == 0;
}

bool exs_load_phc(struct ex_series *s, const char *path)
{
	struct ds_reader *r = ds_open(path, "phc");
	if (!r)
		return false;
	int cs = ds_require_col(r, "sys"), cp = ds_require_col(r, "phc");
	int rc = cs < 0 || cp < 0 ? -1 : 0;
	while (rc == 0 && (rc = ds_next(r)) == 1) {
		struct ptime sys, phc;
		int64_t d;
		if (!ds_get_time(r, cs, &sys) || !ds_get_time(r, cp, &phc)) {
			rc = -1;
			break;
		}
		if (!ptime_diff_sns(phc, sys, &d)) {
			ds_error(r, "phc and sys too far apart to difference");
			rc = -1;
			break;
		}
		exs_push_offset(s, sys.ns, sns_to_ns(d));
		rc = 0;
	}
	ds_reader_close(r);
	s->nfiles++;
	return rc == 0;
}

bool exs_add_exchange(struct ex_series *s, const struct exchange *ex)
{
	int64_t d21, d43;
	if (!ptime_diff_sns(ex->t2, ex->t1, &d21) || !ptime_diff_sns(ex->t4, ex->t3, &d43))
		return false;
	/* (t2 - t1) - (t4 - t3), exact in scaled ns before the conversion */
	push(s, ex->t2.ns, ex->t3.ns, ex->fwd_ns, ex->rev_ns, sns_to_ns(d21 - d43));
	int k;
	for (k = 0; k < s->nsessions; k++)
		if (s->sessions[k].domain == ex->domain &&
		    ptp_port_id_eq(&s->sessions[k].master, &ex->master) &&
		    ptp_port_id_eq(&s->sessions[k].slave, &ex->slave))
			break;
	if (k == s->nsessions && k < EXS_SESSIONS) {
		s->sessions[k].domain = ex->domain;
		s->sessions[k].master = ex->master;
		s->sessions[k].slave = ex->slave;
		if (k == 0) {
			char m[PTP_PORT_ID_STRLEN], sl[PTP_PORT_ID_STRLEN];
			snprintf(s->session0, sizeof(s->session0), "%s -> %s",
				 ptp_port_id_str(&ex->master, m), ptp_port_id_str(&ex->slave, sl));
		}
		s->nsessions++;
	}
	return true;
}

bool exs_load_exchanges(struct ex_series *s, const char *path)
{
	struct exchange_reader r;
	if (!exchange_reader_open(&r, path))
		return false;
	bool tty = isatty(STDERR_FILENO) && log_verbosity() >= 0;
	time_t last = time(NULL);
	struct exchange ex;
	int rc;
	size_t rows = 0;
	while ((rc = exchange_reader_next(&r, &ex)) == 1) {
		if (!exs_add_exchange(s, &ex)) {
			ds_error(r.ds, "timestamps too far apart to difference");
			rc = -1;
			break;
		}
		if (tty && (++rows & 0xffff) == 0 && time(NULL) != last) {
			last = time(NULL);
			fprintf(stderr, "\r%s: %zu exchanges read", path, rows);
		}
	}
	if (tty && rows >= 0x10000)
		fprintf(stderr, "\r%s: %zu exchanges read\n", path, rows);
	if (rc == 0) {
		/* Trailing metadata is known once the rows are read. */
		const char *tv = ds_meta_get(r.ds, "truth_offset_ns");
		if (tv) {
			double v;
			if (!parse_double_strict(tv, &v) || !isfinite(v)) {
				log_err("%s: truth_offset_ns '%s' is not a number", path, tv);
				rc = -1;
			} else if (s->have_const_truth && v != s->const_truth_ns) {
				log_err("%s: truth_offset_ns %s differs from the other inputs' %.3f",
					path, tv, s->const_truth_ns);
				rc = -1;
			} else {
				s->have_const_truth = true;
				s->const_truth_ns = v;
				const char *src = ds_meta_get(r.ds, "truth_source");
				snprintf(s->truth_ref, sizeof(s->truth_ref), "%s",
					 src ? src : "truth_offset_ns metadata");
			}
		}
	}
	exchange_reader_close(&r);
	s->nfiles++;
	return rc == 0;
}

static const struct ex_series *sort_ctx;
static int by_time(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int64_t ti = sort_ctx->t_ns[i], tj = sort_ctx->t_ns[j];
	if (ti != tj)
		return ti < tj ? -1 : 1;
	/* several Delay_Reqs paired with one Sync share its t2: their own send times order
	 * them, whatever order the files came in */
	ti = sort_ctx->t3_ns[i];
	tj = sort_ctx->t3_ns[j];
	if (ti != tj)
		return ti < tj ? -1 : 1;
	return i < j ? -1 : i > j; /* stable */
}

#define PERMUTE(arr, type)                                                                     \
	do {                                                                                   \
		type *tmp = xmalloc(s->n * sizeof(type));                                       \
		for (size_t k = 0; k < s->n; k++)                                               \
			tmp[k] = s->arr[idx[k]];                                                \
		memcpy(s->arr, tmp, s->n * sizeof(type));                                       \
		free(tmp);                                                                      \
	} while (0)

void exs_sort(struct ex_series *s)
{
	bool sorted = true;
	for (size_t i = 1; i < s->n && sorted; i++)
		sorted = s->t_ns[i - 1] < s->t_ns[i] ||
			 (s->t_ns[i - 1] == s->t_ns[i] && s->t3_ns[i - 1] <= s->t3_ns[i]);
	if (sorted)
		return;
	size_t *idx = xmalloc(s->n * sizeof(size_t));
	for (size_t i = 0; i < s->n; i++)
		idx[i] = i;
	sort_ctx = s;
	qsort(idx, s->n, sizeof(size_t), by_time);
	PERMUTE(t_ns, int64_t);
	PERMUTE(t3_ns, int64_t);
	PERMUTE(offset, double);
	PERMUTE(delay, double);
	PERMUTE(fwd, double);
	PERMUTE(rev, double);
	PERMUTE(raw_asym, double);
	PERMUTE(theta, double);
	PERMUTE(state, unsigned char);
	PERMUTE(lucky, unsigned char);
	free(idx);
}
