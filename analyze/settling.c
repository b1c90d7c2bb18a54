/* Settling-phase detection: servo states from logs, MSER-5 from data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/distribution.h"
#include "analyze/settling.h"
#include "capture/log_import.h"
#include "common/dataset.h"
#include "common/log.h"
#include "common/textin.h"

static void sl_push(struct servo_log *sl, size_t *cap, double t, double off, int st)
{
	if (sl->n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		sl->t_s = xrealloc(sl->t_s, *cap * sizeof(double));
		sl->offset_ns = xrealloc(sl->offset_ns, *cap * sizeof(double));
		sl->state = xrealloc(sl->state, *cap * sizeof(int));
	}
	sl->t_s[sl->n] = t;
	sl->offset_ns[sl->n] = off;
	sl->state[sl->n++] = st;
}

static bool load_servo_dataset(struct servo_log *sl, const char *path)
{
	struct ds_reader *r = ds_open(path, "servo");
	if (!r)
		return false;
	int ct = ds_require_col(r, "t_s"), co = ds_require_col(r, "offset_ns"),
	    cs = ds_require_col(r, "state");
	size_t cap = 0;
	int rc = ct < 0 || co < 0 || cs < 0 ? -1 : 0;
	while (rc == 0 && (rc = ds_next(r)) == 1) {
		double t, off, st;
		if (!ds_get_double(r, ct, &t) || !ds_get_double(r, co, &off) ||
		    !ds_get_double(r, cs, &st)) {
			rc = -1;
			break;
		}
		/* a state beyond int is no servo state (and its cast would be undefined: UBSan,
		 * fuzz_servo_log) */
		sl_push(sl, &cap, t, off, isfinite(st) && fabs(st) < 1e6 ? (int)st : -1);
		rc = 0;
	}
	ds_reader_close(r);
	return rc == 0;
}

bool servo_log_load(struct servo_log *sl, const char *path)
{
	memset(sl, 0, sizeof(*sl));
	FILE *f = fopen(path, "r");
	if (!f) {
		log_err("%s: %m", path);
		return false;
	}
	if (!textin_check(f, path)) {
		fclose(f);
		return false;
	}
	char line[1024];
	bool is_dataset = fgets(line, sizeof(line), f) && strncmp(line, "# ptpcal-dataset", 16) == 0;
	rewind(f);
	if (is_dataset) {
		fclose(f);
		if (!load_servo_dataset(sl, path)) {
			servo_log_free(sl);
			return false;
		}
	} else {
		/* The lines are parsed by the log importer's parser (capture/log_import.h): plain
		 * "-m" output, syslog / journal prefixes, message tags, ptp4l and phc2sys, linuxptp
		 * 3.x and 4.x. Every linuxptp line carries its CLOCK_MONOTONIC stamp (print.c v3.1.1
		 * print(): "%s[%lld.%03ld]: " with -m, "[%lld.%03ld] " to syslog; same in v4.4).
		 * The settling is that of one servo: ptp4l's samples if the log has any, else
		 * phc2sys's for the first clock it reports (a journal may interleave both). */
		struct servo_log other; /* phc2sys samples, until the log proves to have ptp4l's */
		memset(&other, 0, sizeof(other));
		size_t cap = 0, ocap = 0, binary = 0;
		char clock[64] = "";
		while (fgets(line, sizeof(line), f)) {
			for (const char *c = line; *c; c++)
				if ((unsigned char)*c < 0x20 && *c != '\n' && *c != '\t' && *c != '\r')
					binary++;
			struct lp_line l;
			char why[160];
			if (lp_parse_line(line, &l, why, sizeof(why)) != 1 || l.kind != LP_SAMPLE)
				continue;
			double t = (double)l.t_ns / 1e9;
			if (!l.phc2sys) {
				sl_push(sl, &cap, t, (double)l.offset_ns, l.state);
			} else if (!sl->n) {
				if (!clock[0])
					snprintf(clock, sizeof(clock), "%s", l.clock);
				if (!strcmp(clock, l.clock))
					sl_push(&other, &ocap, t, (double)l.offset_ns, l.state);
			}
		}
		bool err = ferror(f);
		fclose(f);
		if (!sl->n) {
			servo_log_free(sl);
			*sl = other;
		} else {
			servo_log_free(&other);
		}
		if (err || binary) {
			log_err("%s: %s", path, err ? "read error" : "not a text log");
			servo_log_free(sl);
			return false;
		}
	}
	if (sl->n == 0) {
		log_err("%s: no servo samples ('master offset ... sN' lines)", path);
		servo_log_free(sl);
		return false;
	}
	bool locked = false;
	for (size_t i = 0; i < sl->n; i++) {
		if (sl->state[i] >= 2)
			locked = true;
		else if (locked && sl->state[i] >= 0) {
			sl->unlocks++;
			locked = false;
		}
	}
	return true;
}

void servo_log_free(struct servo_log *sl)
{
	free(sl->t_s);
	free(sl->offset_ns);
	free(sl->state);
	memset(sl, 0, sizeof(*sl));
}

double servo_log_settle_s(const struct servo_log *sl)
{
	for (size_t i = 0; i < sl->n; i++)
		if (sl->state[i] >= 2) {
			if (!isfinite(sl->t_s[i]) || !isfinite(sl->t_s[0]))
				return -2; /* locked, but the lines carry no time stamps */
			return sl->t_s[i] - sl->t_s[0];
		}
	return -1;
}

size_t settle_mser(const double *v, size_t n, size_t batch)
{
	if (batch < 1)
		batch = 1;
	size_t k = n / batch;
	if (k < 4)
		return 0;
	double *z = xmalloc(k * sizeof(double));
	for (size_t j = 0; j < k; j++) {
		double sum = 0;
		for (size_t i = 0; i < batch; i++)
			sum += v[j * batch + i];
		z[j] = sum / (double)batch;
	}
	/* Suffix sums give MSER(d) for every d in O(k): sum (z - m)^2 = S2 - S1^2 / c. */
	double s1 = 0, s2 = 0, best = INFINITY;
	size_t best_d = 0;
	double *m1 = xmalloc((k + 1) * sizeof(double)), *m2 = xmalloc((k + 1) * sizeof(double));
	m1[k] = m2[k] = 0;
	for (size_t j = k; j-- > 0;) {
		s1 += z[j];
		s2 += z[j] * z[j];
		m1[j] = s1;
		m2[j] = s2;
	}
	for (size_t d = 0; d <= k / 2; d++) {
		double c = (double)(k - d);
		double ss = m2[d] - m1[d] * m1[d] / c;
		if (ss < 0)
			ss = 0;
		double mser = ss / (c * c);
		if (mser < best) {
			best = mser;
			best_d = d;
		}
	}
	free(z);
	free(m1);
	free(m2);
	return best_d * batch;
}

static size_t first_at_or_after(const struct ex_series *s, double t_s)
{
	size_t i = 0;
	while (i < s->n && exs_t_s(s, i) < t_s)
		i++;
	return i;
}

void settle_apply(struct ex_series *s, const double *v, enum settle_mode mode, double seconds,
		  const struct servo_log *sl, struct settling *out)
{
	memset(out, 0, sizeof(*out));
	size_t cut = 0;
	switch (mode) {
	case SETTLE_NONE:
		snprintf(out->method, sizeof(out->method), "none (--settle none)");
		break;
	case SETTLE_SECONDS:
		cut = first_at_or_after(s, seconds);
		snprintf(out->method, sizeof(out->method), "fixed: first %g s (--settle)", seconds);
		break;
	case SETTLE_AUTO:
		if (sl) {
			double st = servo_log_settle_s(sl);
			if (st == -2) {
				snprintf(out->method, sizeof(out->method),
					 "servo log: locks, but its lines carry no time stamps: "
					 "nothing excluded");
			} else if (st < 0) {
				snprintf(out->method, sizeof(out->method),
					 "servo log: never locked (no s2/s3 in %zu samples; "
					 "free-running?): nothing excluded", sl->n);
			} else {
				cut = first_at_or_after(s, st);
				snprintf(out->method, sizeof(out->method),
					 "servo log: %.3f s until the first locked sample (s2), "
					 "applied from the first exchange", st);
			}
		} else {
			/* MSER-5 over the finite values in order. */
			size_t m = 0;
			double *w = xmalloc((s->n ? s->n : 1) * sizeof(double));
			size_t *idx = xmalloc((s->n ? s->n : 1) * sizeof(size_t));
			for (size_t i = 0; i < s->n; i++)
				if (isfinite(v[i])) {
					idx[m] = i;
					w[m++] = v[i];
				}
			size_t d = settle_mser(w, m, 5);
			/* MSER also "finds" a transient in a series that merely wanders or has
			 * outliers near its start. A settling phase is cut only when it stands out
			 * of the steady state's own spread: the median of the cut part lies more
			 * than 3 standard deviations (of the rest) from the median of the rest. A
			 * median, so that one early outlier is not a settling phase. */
			bool distinct = false;
			if (d > 0 && m - d >= 8) {
				struct dist a, b;
				dist_compute(w, d, &a);
				dist_compute(w + d, m - d, &b);
				distinct = fabs(a.median - b.median) > 3 * b.std;
			}
			const char *what = v == s->offset ? "offset" : "offset error against the truth";
			if (d > 0 && distinct) {
				cut = idx[d];
				snprintf(out->method, sizeof(out->method),
					 "MSER-5 on the %s (White 1997)", what);
			} else {
				snprintf(out->method, sizeof(out->method),
					 "MSER-5 on the %s (White 1997): no transient distinct from "
					 "the rest of the run, nothing excluded", what);
			}
			free(w);
			free(idx);
		}
		break;
	}
	for (size_t i = 0; i < cut && i < s->n; i++)
		s->state[i] = SAMPLE_SETTLING;
	out->excluded = cut < s->n ? cut : s->n;
	out->excluded_s = out->excluded && out->excluded < s->n ? exs_t_s(s, out->excluded)
			  : out->excluded ? exs_t_s(s, s->n - 1) : 0;
}
