/* Protocol-health checks (health.h says which and where each rule comes from). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analyze/health.h"
#include "common/log.h"

#define MAX_STREAMS 64
#define MAX_GMS 16

/* Messages of one type from one source port. */
struct stream {
	int type;
	uint8_t domain;
	struct ptp_port_id source;
	uint64_t n, missing, dup, resets;
	uint16_t last_seq;
	int64_t last_t;
	int8_t log_interval;
	double *iv;       /* intervals between consecutive messages, s */
	size_t niv, cap;
	/* correctionField */
	uint64_t corr_seen, corr_nonzero;
	double corr_sum, corr_max_abs;
	/* two-step Syncs awaiting their Follow_Up / Delay_Reqs awaiting their Delay_Resp */
	uint8_t *pending; /* bitmap over sequenceId */
	uint64_t waited, answered;
	/* origin timestamp - capture time, s (Sync one-step, Follow_Up) */
	double *dt;
	size_t ndt, dtcap;
};

struct gm {
	uint8_t id[8];
	uint8_t domain;
	uint64_t n;
	uint8_t class_first, class_last;
	unsigned class_changes;
	int16_t utc_first, utc_last;
	unsigned utc_changes;
	uint16_t flags_last;
	bool any_valid, any_invalid, any_timescale, any_arb;
};

struct health {
	uint64_t messages, dropped_streams;
	struct stream st[MAX_STREAMS];
	int nst;
	struct gm gm[MAX_GMS];
	int ngm;
	unsigned gm_switches;
	int cur_gm[256]; /* per domain: the grandmaster of the latest Announce, -1 none */
	int8_t delay_resp_log; /* logMinDelayReqInterval from Delay_Resp */
	bool have_delay_resp_log;
	int64_t first_t;
};

struct health *health_new(void)
{
	struct health *h = xcalloc(1, sizeof(*h));
	for (int i = 0; i < 256; i++)
		h->cur_gm[i] = -1;
	return h;
}

uint64_t health_messages(const struct health *h)
{
	return h->messages;
}

void health_free(struct health *h)
{
	if (!h)
		return;
	for (int i = 0; i < h->nst; i++) {
		free(h->st[i].iv);
		free(h->st[i].pending);
		free(h->st[i].dt);
	}
	free(h);
}

static struct stream *stream_of(struct health *h, int type, uint8_t domain,
				const struct ptp_port_id *src)
{
	for (int i = 0; i < h->nst; i++)
		if (h->st[i].type == type && h->st[i].domain == domain &&
		    ptp_port_id_eq(&h->st[i].source, src))
			return &h->st[i];
	if (h->nst == MAX_STREAMS) {
		h->dropped_streams++;
		return NULL;
	}
	struct stream *s = &h->st[h->nst++];
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->domain = domain;
	s->source = *src;
	return s;
}

static void push_d(double **a, size_t *n, size_t *cap, double v)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		*a = xrealloc(*a, *cap * sizeof(double));
	}
	(*a)[(*n)++] = v;
}

static void bit_set(uint8_t **bm, uint16_t seq, bool on)
{
	if (!*bm)
		*bm = xcalloc(65536 / 8, 1);
	if (on)
		(*bm)[seq >> 3] |= (uint8_t)(1u << (seq & 7));
	else
		(*bm)[seq >> 3] &= (uint8_t)~(1u << (seq & 7));
}

static bool bit_get(const uint8_t *bm, uint16_t seq)
{
	return bm && (bm[seq >> 3] >> (seq & 7)) & 1;
}

static void track_gm(struct health *h, const struct health_msg *m)
{
	int i;
	for (i = 0; i < h->ngm; i++)
		if (h->gm[i].domain == m->domain && memcmp(h->gm[i].id, m->gm, 8) == 0)
			break;
	if (i == h->ngm) {
		if (h->ngm == MAX_GMS)
			return;
		struct gm *g = &h->gm[h->ngm++];
		memset(g, 0, sizeof(*g));
		memcpy(g->id, m->gm, 8);
		g->domain = m->domain;
		g->class_first = g->class_last = m->clock_class;
		g->utc_first = g->utc_last = m->utc_offset;
	}
	struct gm *g = &h->gm[i];
	if (g->n && m->clock_class != g->class_last)
		g->class_changes++;
	if (g->n && m->utc_offset != g->utc_last)
		g->utc_changes++;
	g->class_last = m->clock_class;
	g->utc_last = m->utc_offset;
	g->flags_last = m->flags;
	g->n++;
	if (m->flags & HEALTH_UTC_OFF_VALID)
		g->any_valid = true;
	else
		g->any_invalid = true;
	if (m->flags & HEALTH_PTP_TIMESCALE)
		g->any_timescale = true;
	else
		g->any_arb = true;
	if (h->cur_gm[m->domain] >= 0 && h->cur_gm[m->domain] != i)
		h->gm_switches++;
	h->cur_gm[m->domain] = i;
}

static void count_correction(struct stream *s, int64_t corr_sns)
{
	s->corr_seen++;
	if (corr_sns == 0)
		return;
	double c = (double)corr_sns / 65536.0;
	s->corr_nonzero++;
	s->corr_sum += c;
	if (fabs(c) > s->corr_max_abs)
		s->corr_max_abs = fabs(c);
}

void health_feed(struct health *h, const struct health_msg *m)
{
	if (h->messages++ == 0)
		h->first_t = m->t_ns;
	struct stream *s = stream_of(h, m->type, m->domain, &m->source);
	if (!s)
		return;
	/* Delay_Resp carries its requester's sequenceIds, interleaved for every slave the
	 * capture sees: gaps are judged on the requests instead (missing-delay-resp). */
	if (s->n && m->type != PTP_DELAY_RESP) {
		uint16_t d = (uint16_t)(m->seq - s->last_seq);
		if (d == 0)
			s->dup++;
		else if (d <= 1000)
			s->missing += d - 1u;
		else
			s->resets++; /* a restart or reordering, not loss */
		double iv = (double)(m->t_ns - s->last_t) * 1e-9;
		if (d != 0)
			push_d(&s->iv, &s->niv, &s->cap, iv);
	}
	s->n++;
	s->last_seq = m->seq;
	s->last_t = m->t_ns;
	s->log_interval = m->log_interval;
	if (m->type != PTP_DELAY_RESP)
		count_correction(s, m->correction);
	double dt = m->has_ts ? (double)(m->ts_sec - m->t_ns / 1000000000) +
					((double)m->ts_nsec - (double)(m->t_ns % 1000000000)) * 1e-9
			      : NAN;
	switch (m->type) {
	case PTP_SYNC:
		if (m->flags & HEALTH_TWO_STEP) {
			bit_set(&s->pending, m->seq, true);
			s->waited++;
		} else if (m->has_ts) {
			push_d(&s->dt, &s->ndt, &s->dtcap, dt);
		}
		break;
	case PTP_FOLLOW_UP: {
		struct stream *sy = stream_of(h, PTP_SYNC, m->domain, &m->source);
		if (sy && bit_get(sy->pending, m->seq)) {
			bit_set(&sy->pending, m->seq, false);
			sy->answered++;
		}
		if (m->has_ts)
			push_d(&s->dt, &s->ndt, &s->dtcap, dt);
		break;
	}
	case PTP_DELAY_REQ:
		bit_set(&s->pending, m->seq, true);
		s->waited++;
		break;
	case PTP_DELAY_RESP:
		h->delay_resp_log = m->log_interval;
		h->have_delay_resp_log = true;
		if (m->has_port2) {
			struct stream *rq = stream_of(h, PTP_DELAY_REQ, m->domain, &m->port2);
			if (rq && bit_get(rq->pending, m->seq)) {
				bit_set(&rq->pending, m->seq, false);
				rq->answered++;
				/* the corrections of the answers to the requests captured */
				count_correction(s, m->correction);
			}
		}
		break;
	case PTP_ANNOUNCE:
		if (m->is_announce)
			track_gm(h, m);
		break;
	default:
		break;
	}
}

static double median_of(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	gsl_sort(v, 1, n);
	return gsl_stats_median_from_sorted_data(v, 1, n);
}

static double mean_of(const double *v, size_t n)
{
	return n ? gsl_stats_mean(v, 1, n) : NAN;
}

static const char *stream_name(const struct stream *s, char *buf, size_t len)
{
	char id[PTP_PORT_ID_STRLEN];
	snprintf(buf, len, "%s from %s", ptp_type_name(s->type), ptp_port_id_str(&s->source, id));
	return buf;
}

static void judge_streams(struct health *h, struct findings *out)
{
	char name[96];
	for (int i = 0; i < h->nst; i++) {
		struct stream *s = &h->st[i];
		stream_name(s, name, sizeof(name));
		/* loss */
		if (s->missing) {
			double frac = (double)s->missing / (double)(s->n + s->missing);
			findings_add(out, frac > 0.01 ? SEV_WARN : SEV_INFO, "sequence-gaps",
				     "%s: %llu missing by sequenceId (%.2f %% lost)", name,
				     (unsigned long long)s->missing, 100 * frac);
		}
		if (s->dup)
			findings_add(out, SEV_WARN, "duplicates", "%s: %llu duplicate sequenceIds",
				     name, (unsigned long long)s->dup);
		if (s->resets)
			findings_add(out, SEV_INFO, "sequence-resets",
				     "%s: sequenceId jumped %llu time(s) (restart or reordering)",
				     name, (unsigned long long)s->resets);
		/* rates */
		if (s->niv >= 4 && (s->type == PTP_SYNC || s->type == PTP_ANNOUNCE) &&
		    s->log_interval != 0x7f) {
			double nominal = ldexp(1.0, s->log_interval);
			double med = median_of(s->iv, s->niv);
			if (med < 0.8 * nominal || med > 1.25 * nominal)
				findings_add(out, SEV_WARN, "interval-mismatch",
					     "%s: median interval %.4g s, logMessageInterval %d "
					     "says %.4g s", name, med, s->log_interval, nominal);
			else
				findings_add(out, SEV_OK, "interval",
					     "%s: median interval %.4g s as logMessageInterval %d "
					     "says", name, med, s->log_interval);
		}
		if (s->type == PTP_DELAY_REQ && s->niv >= 4 && h->have_delay_resp_log &&
		    h->delay_resp_log != 0x7f) {
			double nominal = ldexp(1.0, h->delay_resp_log);
			double mean = mean_of(s->iv, s->niv);
			/* linuxptp: uniform in [0, 2 * 2^L], mean 2^L (port_set_delay_tmo) */
			if (mean < 0.5 * nominal)
				findings_add(out, SEV_WARN, "delay-req-rate",
					     "%s: mean interval %.4g s, faster than the master's "
					     "logMinDelayReqInterval %d (%.4g s) allows", name, mean,
					     h->delay_resp_log, nominal);
			else
				findings_add(out, SEV_OK, "delay-req-rate",
					     "%s: mean interval %.4g s for logMinDelayReqInterval %d",
					     name, mean, h->delay_resp_log);
		}
		/* unanswered; the last one may still have been in flight when the capture ended */
		uint64_t in_flight = bit_get(s->pending, s->last_seq) ? 1 : 0;
		if (s->waited > s->answered + in_flight) {
			bool sync = s->type == PTP_SYNC;
			uint64_t miss = s->waited - s->answered - in_flight;
			double frac = (double)miss / (double)s->waited;
			findings_add(out, frac > 0.01 ? SEV_WARN : SEV_INFO,
				     sync ? "missing-follow-up" : "missing-delay-resp",
				     "%s: %llu of %llu without %s (%.2f %%)", name,
				     (unsigned long long)miss, (unsigned long long)s->waited,
				     sync ? "a Follow_Up" : "a Delay_Resp", 100 * frac);
		}
		if (s->corr_nonzero && (s->type == PTP_SYNC || s->type == PTP_FOLLOW_UP ||
					s->type == PTP_DELAY_RESP))
			findings_add(out, SEV_INFO, "correction-field",
				     "%s: correctionField non-zero in %llu of %llu%s (mean %.1f ns, "
				     "largest |%.1f| ns): a transparent clock on the path", name,
				     (unsigned long long)s->corr_nonzero,
				     (unsigned long long)s->corr_seen,
				     s->type == PTP_DELAY_RESP ? " answers to captured Delay_Reqs" : "",
				     s->corr_sum / (double)s->corr_nonzero, s->corr_max_abs);
	}
	if (h->dropped_streams)
		findings_add(out, SEV_INFO, "too-many-ports",
			     "more than %d message streams: %llu messages of further ports not "
			     "checked", MAX_STREAMS, (unsigned long long)h->dropped_streams);
}

void health_check_offset_37(const char *what, double offset_ns, const struct leapfile *ls,
			    int64_t unix_s, struct findings *out)
{
	int L;
	if (!ls || !leapfile_tai_utc(ls, unix_s, &L) || L == 0 || !isfinite(offset_ns))
		return;
	double s = offset_ns * 1e-9;
	if (fabs(fabs(s) - L) < 1.0)
		findings_add(out, SEV_ERROR, "offset-tai-utc",
			     "%s is %+.3f s: TAI - UTC is %d s -- one side runs on TAI, the other on "
			     "UTC (the 37-second mistake: a PHC or grandmaster set to UTC while PTP "
			     "carries TAI, or currentUtcOffset applied twice or not at all)",
			     what, s, L);
}

void health_check_phc(double phc_minus_sys_ns, const struct leapfile *ls, int64_t unix_s,
		      struct findings *out)
{
	int L;
	if (!ls || !leapfile_tai_utc(ls, unix_s, &L) || !isfinite(phc_minus_sys_ns)) {
		findings_add(out, SEV_INFO, "phc-unchecked",
			     "PHC - system clock %+.3f s: TAI - UTC unknown (no leap-seconds table), "
			     "timescale not checked", phc_minus_sys_ns * 1e-9);
		return;
	}
	double d = phc_minus_sys_ns * 1e-9;
	if (fabs(d - L) < 1.0)
		findings_add(out, SEV_OK, "phc-tai",
			     "the PHC runs on TAI: %+.3f s ahead of the system clock's UTC (TAI - "
			     "UTC %d s), as a clock carrying the PTP timescale should", d, L);
	else if (fabs(d) < 1.0)
		findings_add(out, SEV_WARN, "phc-utc",
			     "the PHC holds UTC (%+.3f s from the system clock; TAI would be %+d s): a "
			     "grandmaster announcing the PTP timescale from it sends UTC as TAI and "
			     "every client ends %d s off (the 37-second error; phc2sys without -w/-O, "
			     "docs/errata.md item 8); fine only for an ARB timescale", d, L, L);
	else if (fabs(d + L) < 1.0 || fabs(d - 2 * L) < 1.0)
		findings_add(out, SEV_ERROR, "phc-offset-twice",
			     "the PHC is %+.3f s from the system clock's UTC: TAI - UTC (%d s) "
			     "applied backwards or twice", d, L);
	else
		findings_add(out, SEV_INFO, "phc-unrelated",
			     "the PHC is %+.3f s from the system clock: neither UTC nor TAI (not "
			     "synchronised, or an ARB epoch)", d);
}

/* The origin timestamps of a master against the capture clock (UTC). */
static void judge_timescale(struct health *h, const struct leapfile *ls, struct findings *out)
{
	int64_t t_unix = h->first_t / 1000000000;
	int L = 0;
	bool have_L = ls && leapfile_tai_utc(ls, t_unix, &L);
	if (!ls)
		findings_add(out, SEV_INFO, "leap-seconds-unavailable",
			     "%s not readable: TAI - UTC taken from the Announce messages",
			     LEAPFILE_DEFAULT);
	else if (leapfile_expired(ls, t_unix))
		findings_add(out, SEV_INFO, "leap-seconds-expired",
			     "leap-seconds.list expired before this capture: TAI - UTC %d s assumed "
			     "still valid (update tzdata)", L);
	for (int i = 0; i < h->ngm; i++) {
		struct gm *g = &h->gm[i];
		char gid[20];
		ptp_clock_id_str(g->id, gid);
		if (g->class_changes)
			findings_add(out, SEV_WARN, "clock-class-change",
				     "grandmaster %s: clockClass changed %u time(s) (%u -> %u)", gid,
				     g->class_changes, g->class_first, g->class_last);
		if (g->utc_changes)
			findings_add(out, SEV_INFO, "utc-offset-change",
				     "grandmaster %s: currentUtcOffset changed %u time(s) (%d -> %d)",
				     gid, g->utc_changes, g->utc_first, g->utc_last);
		bool valid = g->flags_last & HEALTH_UTC_OFF_VALID;
		bool ptpts = g->flags_last & HEALTH_PTP_TIMESCALE;
		int ref = have_L ? L : g->utc_last;
		if (have_L && g->utc_last != L)
			findings_add(out, valid ? SEV_ERROR : SEV_WARN, "utc-offset-wrong",
				     "grandmaster %s: currentUtcOffset %d %s, but TAI - UTC is %d s "
				     "(leap-seconds.list)%s", gid, g->utc_last,
				     valid ? "marked valid" : "(not marked valid)", L,
				     valid ? ": clients will be off by the difference" : "");
		else if (have_L && valid)
			findings_add(out, SEV_OK, "utc-offset",
				     "grandmaster %s: currentUtcOffset %d valid, as leap-seconds.list "
				     "says", gid, g->utc_last);
		if (!valid)
			findings_add(out, SEV_INFO, "utc-offset-not-valid",
				     "grandmaster %s: currentUtcOffsetValid is 0 (currentUtcOffset %d "
				     "must not be used; linuxptp sends this with software time "
				     "stamping)", gid, g->utc_last);
		/* Origin timestamps of this grandmaster's masters: the Sync/Follow_Up streams in
		 * its domain (with one grandmaster per domain, as in a capture at one slave). */
		double *all = NULL;
		size_t nall = 0, cap = 0;
		for (int k = 0; k < h->nst; k++) {
			struct stream *s = &h->st[k];
			if (s->domain != g->domain || !s->ndt)
				continue;
			for (size_t j = 0; j < s->ndt; j++)
				push_d(&all, &nall, &cap, s->dt[j]);
		}
		if (nall == 0 || ref == 0) {
			free(all);
			continue;
		}
		double d = median_of(all, nall); /* master time - capture time (UTC), s */
		free(all);
		if (fabs(d) < 1.0) {
			if (ptpts)
				findings_add(out, SEV_ERROR, "timescale-utc-as-tai",
					     "grandmaster %s says ptpTimescale (TAI) but its origin "
					     "timestamps are UTC-valued (%+.3f s from the capture's UTC; TAI "
					     "would be %+d s): every client will be %d s off after applying "
					     "currentUtcOffset -- the 37-second error. Likely cause: the "
					     "grandmaster's PHC was set to UTC (phc2sys/ts2phc without the "
					     "UTC offset) or it uses software time stamping with "
					     "ptpTimescale forced on", gid, d, ref, ref);
			else
				findings_add(out, SEV_INFO, "timescale-arb-utc",
					     "grandmaster %s: ARB timescale (ptpTimescale 0) with "
					     "UTC-valued time (%+.3f s from the capture's UTC): consistent; "
					     "clients must not treat it as TAI", gid, d);
		} else if (fabs(d - ref) < 1.0) {
			findings_add(out, ptpts ? SEV_OK : SEV_WARN,
				     ptpts ? "timescale-tai" : "timescale-arb-tai",
				     "grandmaster %s: origin timestamps are TAI (%+.3f s ahead of the "
				     "capture's UTC)%s", gid, d,
				     ptpts ? ", as ptpTimescale says"
					   : " but ptpTimescale is 0 (ARB): clients may take it as UTC");
		} else if (fabs(d + ref) < 1.0 || fabs(d - 2 * ref) < 1.0) {
			findings_add(out, SEV_ERROR, "timescale-offset-twice",
				     "grandmaster %s: origin timestamps are %+.3f s from the capture's "
				     "UTC: the UTC offset (%d s) was applied twice or in the wrong "
				     "direction", gid, d, ref);
		} else {
			findings_add(out, SEV_INFO, "timescale-unrelated",
				     "grandmaster %s: origin timestamps are %+.3f s from the capture "
				     "clock: neither UTC nor TAI (an ARB epoch, or the capture host is "
				     "not synchronised)", gid, d);
		}
	}
	if (h->gm_switches)
		findings_add(out, SEV_WARN, "grandmaster-change",
			     "the Announces switched grandmaster %u time(s) (%d grandmasters seen)",
			     h->gm_switches, h->ngm);
}

void health_judge(struct health *h, const struct leapfile *ls, struct findings *out)
{
	if (h->messages == 0) {
		findings_add(out, SEV_WARN, "no-messages", "no PTP messages to check");
		return;
	}
	judge_streams(h, out);
	judge_timescale(h, ls, out);
}
