/* ptp4l's E2E estimator replayed (ptp4l_estimator.h). Citations are to linuxptp v3.1.1;
 * tsproc.c, mmedian.c, mave.c, filter.c are byte-identical in v4.4, and clock.c
 * clock_synchronize()/clock_path_delay() and port.c process_delay_resp()/port_synchronize()
 * differ only in what does not touch the offset (4.x: step_window skips Syncs after a clock
 * step, which a free-running or settled client never does; error returns of clockadj). */
#include "analyze/ptp4l_estimator.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

void ptp4l_estimator_cfg_default(struct ptp4l_estimator_cfg *c)
{
	/* config.c: tsproc_mode TSPROC_FILTER, delay_filter FILTER_MOVING_MEDIAN,
	 * delay_filter_length 10 (range 1..INT_MAX) */
	memset(c, 0, sizeof(*c));
	c->mode = PTP4L_TSPROC_FILTER;
	c->filter = PTP4L_MOVING_MEDIAN;
	c->length = 10;
	snprintf(c->source, sizeof(c->source), "linuxptp defaults");
}

static const char *const mode_names[] = { "filter", "raw", "filter_weight", "raw_weight" };

const char *ptp4l_tsproc_mode_name(enum ptp4l_tsproc_mode m)
{
	return (unsigned)m < 4 ? mode_names[m] : "?";
}

/* config.c tsproc_enu[] */
bool ptp4l_tsproc_mode_parse(const char *s, enum ptp4l_tsproc_mode *m)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, mode_names[i])) {
			*m = (enum ptp4l_tsproc_mode)i;
			return true;
		}
	return false;
}

const char *ptp4l_estimator_cfg_str(const struct ptp4l_estimator_cfg *c, char *buf, size_t len)
{
	snprintf(buf, len, "tsproc_mode %s, delay_filter %s, delay_filter_length %d",
		 ptp4l_tsproc_mode_name(c->mode), ptp4l_filter_name(c->filter), c->length);
	return buf;
}

bool ptp4l_tsproc_init(struct ptp4l_tsproc *tp, const struct ptp4l_estimator_cfg *c)
{
	memset(tp, 0, sizeof(*tp));
	if ((unsigned)c->mode > PTP4L_TSPROC_RAW_WEIGHT)
		return false;
	tp->mode = c->mode;
	return ptp4l_delay_filter_init(&tp->filter, c->filter, c->length);
}

void ptp4l_tsproc_free(struct ptp4l_tsproc *tp)
{
	ptp4l_delay_filter_free(&tp->filter);
}

void ptp4l_tsproc_down_ts(struct ptp4l_tsproc *tp, int64_t t1c, int64_t t2)
{
	tp->t1 = t1c;
	tp->t2 = t2;
}

void ptp4l_tsproc_up_ts(struct ptp4l_tsproc *tp, int64_t t3, int64_t t4c)
{
	tp->t3 = t3;
	tp->t4 = t4c;
}

/* tsproc.c get_raw_delay(): "delay = ((t2 - t3) * rr + (t4 - t1)) / 2", tmv_div() truncates
 * towards zero; rr = 1 (see the header). */
static int64_t raw_delay(const struct ptp4l_tsproc *tp)
{
	return ((tp->t2 - tp->t3) + (tp->t4 - tp->t1)) / 2;
}

/* tsproc.c tsproc_update_delay() */
bool ptp4l_tsproc_update_delay(struct ptp4l_tsproc *tp, int64_t *delay)
{
	if (tp->t2 == 0 || tp->t3 == 0)
		return false;
	int64_t raw = raw_delay(tp);
	tp->filtered_delay = ptp4l_delay_filter_sample(&tp->filter, raw);
	tp->filtered_delay_valid = true;
	if (delay)
		*delay = tp->mode == PTP4L_TSPROC_FILTER || tp->mode == PTP4L_TSPROC_FILTER_WEIGHT ?
			 tp->filtered_delay : raw;
	return true;
}

/* tsproc.c tsproc_update_offset(): which delay each mode subtracts, when it has none yet,
 * and the weight (filtered / raw, capped at 1, only when both are positive). */
bool ptp4l_tsproc_update_offset(struct ptp4l_tsproc *tp, int64_t *offset, double *weight)
{
	int64_t delay = 0, raw = 0;
	if (tp->t1 == 0 || tp->t2 == 0)
		return false;
	switch (tp->mode) {
	case PTP4L_TSPROC_FILTER:
		if (!tp->filtered_delay_valid)
			return false;
		delay = tp->filtered_delay;
		break;
	case PTP4L_TSPROC_RAW:
	case PTP4L_TSPROC_RAW_WEIGHT:
		if (tp->t3 == 0)
			return false;
		delay = raw = raw_delay(tp);
		break;
	case PTP4L_TSPROC_FILTER_WEIGHT:
		if (tp->t3 == 0 || !tp->filtered_delay_valid)
			return false;
		raw = raw_delay(tp);
		delay = tp->filtered_delay;
		break;
	}
	/* offset = t2 - t1 - delay */
	*offset = tp->t2 - tp->t1 - delay;
	if (weight) {
		bool weighting = tp->mode == PTP4L_TSPROC_FILTER_WEIGHT ||
				 tp->mode == PTP4L_TSPROC_RAW_WEIGHT;
		*weight = 1.0;
		if (weighting && tp->filtered_delay > 0 && raw > 0) {
			*weight = (double)tp->filtered_delay / (double)raw;
			if (*weight > 1.0)
				*weight = 1.0;
		}
	}
	return true;
}

void ptp4l_replay_free(struct ptp4l_replay *r)
{
	free(r->t_ns);
	free(r->offset);
	free(r->delay);
	free(r->weight);
	free(r->row);
	memset(r, 0, sizeof(*r));
}

int ptp4l_replay_exchanges(const struct ptp4l_estimator_cfg *c, size_t n, const int64_t *t2,
			   const int64_t *t3, const double *fwd, const double *rev,
			   struct ptp4l_replay *out)
{
	memset(out, 0, sizeof(*out));
	struct ptp4l_tsproc tp;
	if (!ptp4l_tsproc_init(&tp, c))
		return -1;
	size_t cap = n ? n : 1;
	out->t_ns = xmalloc(cap * sizeof(*out->t_ns));
	out->offset = xmalloc(cap * sizeof(*out->offset));
	out->delay = xmalloc(cap * sizeof(*out->delay));
	out->weight = xmalloc(cap * sizeof(*out->weight));
	out->row = xmalloc(cap * sizeof(*out->row));
	int64_t last_sync = INT64_MIN;
	int64_t path_delay = 0; /* clock.c c->path_delay */
	int delays = 0;
	bool warm = false;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(fwd[i]) || !isfinite(rev[i]))
			continue;
		int64_t f = llround(fwd[i]), r = llround(rev[i]);
		if (t2[i] != last_sync || !t3) {
			/* A new Sync: clock_synchronize() -> tsproc_down_ts(), update_offset(). */
			last_sync = t2[i];
			ptp4l_tsproc_down_ts(&tp, t2[i] - f, t2[i]);
			int64_t off;
			double w;
			if (ptp4l_tsproc_update_offset(&tp, &off, &w)) {
				size_t k = out->n++;
				out->t_ns[k] = t2[i];
				out->offset[k] = (double)off;
				out->delay[k] = (double)(tp.t2 - tp.t1 - off);
				out->weight[k] = w;
				out->row[k] = i;
				if (!warm)
					out->warmup = out->n;
			}
		}
		/* Its Delay_Resp: clock_path_delay() -> tsproc_up_ts(), update_delay(). */
		int64_t t3i = t3 ? t3[i] : t2[i];
		ptp4l_tsproc_up_ts(&tp, t3i, t3i + r);
		if (ptp4l_tsproc_update_delay(&tp, &path_delay) && ++delays >= c->length)
			warm = true;
	}
	ptp4l_tsproc_free(&tp);
	return 0;
}

int ptp4l_replay_bias(const struct ptp4l_replay *r, const double *err, const bool *use,
		      struct bias_estimate *out)
{
	double *t = xmalloc((r->n ? r->n : 1) * sizeof(double));
	double *v = xmalloc((r->n ? r->n : 1) * sizeof(double));
	size_t m = 0;
	double wsum = 0;
	for (size_t i = 0; i < r->n; i++) {
		bool in = use ? use[i] : i >= r->warmup;
		if (in && isfinite(err[i]))
			wsum += r->weight[i], m++;
	}
	double wmean = m ? wsum / (double)m : 1;
	m = 0;
	for (size_t i = 0; i < r->n; i++) {
		bool in = use ? use[i] : i >= r->warmup;
		if (!in || !isfinite(err[i]))
			continue;
		t[m] = (double)(r->t_ns[i] - r->t_ns[0]) * 1e-9;
		v[m] = wmean > 0 ? r->weight[i] * err[i] / wmean : err[i];
		m++;
	}
	int rc = bias_estimate(t, v, m, out);
	free(t);
	free(v);
	return rc;
}
