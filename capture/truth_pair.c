#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capture/truth_pair.h"
#include "common/log.h"

#define NREAD 32
#define NPEND 64

typedef __int128 i128;

struct truth_pairer {
	struct truth_opts o;
	truth_fn fn;
	void *ctx;
	struct clk_event rd[NREAD]; /* ring of the latest readings, in time order */
	int nrd, rd_head;           /* rd_head: index of the oldest */
	struct clk_event pend[NPEND];
	int npend;
	struct truth_counts c;
	bool have_last;
	uint32_t last_seq;
	enum clk_event_kind last_kind;
	i128 last_t;
};

static i128 sns(struct ptime t)
{
	return (i128)t.ns * SNS_PER_NS + t.frac;
}

static struct ptime from_sns(i128 v)
{
	/* floor division so that frac stays in 0..65535 */
	i128 ns = v / SNS_PER_NS, fr = v % SNS_PER_NS;
	if (fr < 0)
		fr += SNS_PER_NS, ns -= 1;
	struct ptime t = { (int64_t)ns, (uint16_t)fr };
	return t;
}

/* a / b rounded to the nearest, halves away from zero; b > 0. */
static i128 div_round(i128 a, i128 b)
{
	return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

bool truth_needs_readings(enum truth_clock clock, enum clk_event_kind k)
{
	bool pps = k == CLK_PPS_ASSERT || k == CLK_PPS_CLEAR;
	return clock == TRUTH_CLOCK_PHC ? pps : !pps;
}

struct truth_pairer *truth_pairer_new(const struct truth_opts *o, truth_fn fn, void *ctx)
{
	struct truth_pairer *p = xcalloc(1, sizeof(*p));
	p->o = *o;
	if (p->o.max_gap_ns <= 0)
		p->o.max_gap_ns = 2 * NS_PER_SEC;
	p->fn = fn;
	p->ctx = ctx;
	return p;
}

/* The coordinate an edge is placed by among the readings: the clock that stamped it. */
static struct ptime edge_key(const struct clk_event *e)
{
	return e->kind == CLK_EXTTS ? e->phc : e->sys;
}

static struct ptime reading_key(const struct clk_event *r, enum clk_event_kind edge_kind)
{
	return edge_kind == CLK_EXTTS ? r->phc : r->sys;
}

static void emit(struct truth_pairer *p, const struct clk_event *e, struct ptime t, double unc)
{
	i128 v = sns(t), sec = (i128)NS_PER_SEC * SNS_PER_NS;
	/* nearest whole second, ties (exactly half a second) to the later one: [-0.5, 0.5) */
	i128 q = v + sec / 2;
	i128 second = q / sec - (q % sec < 0 ? 1 : 0);
	i128 off = v - second * sec;
	struct truth_sample s = {
		.t = t, .ref_edge = edge_key(e), .second = (int64_t)second,
		.offset_ns = (double)off / SNS_PER_NS, .uncertainty_ns = unc, .seq = e->seq,
	};
	p->c.paired++;
	p->fn(p->ctx, &s);
}

/* 1 paired, 0 wait for a later reading, -1 cannot be paired. */
static int try_pair(struct truth_pairer *p, const struct clk_event *e)
{
	i128 x = sns(edge_key(e));
	const struct clk_event *prev = NULL;
	for (int k = 0; k < p->nrd; k++) {
		const struct clk_event *r = &p->rd[(p->rd_head + k) % NREAD];
		i128 xr = sns(reading_key(r, e->kind));
		if (xr < x) {
			prev = r;
			continue;
		}
		if (!prev && xr != x)
			return -1; /* older than every reading we still have */
		const struct clk_event *a = prev ? prev : r, *b = r;
		i128 x0 = sns(reading_key(a, e->kind)), x1 = xr;
		if (x1 - x0 > (i128)p->o.max_gap_ns * SNS_PER_NS)
			return -1;
		i128 d0 = sns(a->phc) - sns(a->sys), d1 = sns(b->phc) - sns(b->sys);
		/* Keep the product below 2^127: a PHC - sys that moves by more than 2^62 sns
		 * (19 h) between two readings is no clock to interpolate. */
		i128 lim = (i128)1 << 62;
		if (d1 - d0 > lim || d0 - d1 > lim || x1 - x0 > lim)
			return -1;
		i128 d = x1 == x0 ? d1 : d0 + div_round((d1 - d0) * (x - x0), x1 - x0);
		/* PPS: phc = sys + d; EXTTS to the system clock: sys = phc - d. */
		i128 tv = e->kind == CLK_EXTTS ? x - d : x + d;
		if (tv / SNS_PER_NS > INT64_MAX / 2 || tv / SNS_PER_NS < INT64_MIN / 2)
			return -1;
		struct ptime t = from_sns(tv);
		int64_t br = a->bracket_ns > b->bracket_ns ? a->bracket_ns : b->bracket_ns;
		emit(p, e, t, br / 2.0);
		return 1;
	}
	return 0;
}

/* False for an edge less than half a second after the last one taken: a 1 PPS has one
 * edge of a kind per second, so that is the other edge (drivers that stamp both edges
 * whatever was asked, as ts2phc expects: ts2phc_pps_sink.c) or a glitch. */
static bool track_edges(struct truth_pairer *p, const struct clk_event *e)
{
	i128 t = sns(edge_key(e));
	if (p->have_last && p->last_kind == e->kind) {
		i128 sec = (i128)NS_PER_SEC * SNS_PER_NS, d = t - p->last_t;
		if (d < sec / 2) {
			p->c.interval_anomalies++;
			return false;
		}
		/* PPS: the kernel's per-edge sequence numbers (RFC 2783); EXTTS events carry
		 * none of their own (ours count every event), so whole seconds between them. */
		if (e->kind != CLK_EXTTS && e->seq > p->last_seq + 1)
			p->c.missed_pulses += e->seq - p->last_seq - 1;
		i128 k = (d + sec / 2) / sec;
		if (e->kind == CLK_EXTTS && k > 1)
			p->c.missed_pulses += (uint64_t)(k - 1);
		i128 r = d % sec;
		if (r > sec / 2)
			r -= sec;
		if (r > (i128)1000000 * SNS_PER_NS || r < -(i128)1000000 * SNS_PER_NS)
			p->c.interval_anomalies++;
	}
	p->have_last = true;
	p->last_kind = e->kind;
	p->last_seq = e->seq;
	p->last_t = t;
	return true;
}

void truth_pairer_edge(struct truth_pairer *p, const struct clk_event *e)
{
	p->c.edges++;
	if (!track_edges(p, e))
		return;
	if (!truth_needs_readings(p->o.clock, e->kind)) {
		emit(p, e, edge_key(e), NAN);
		return;
	}
	int rc = try_pair(p, e);
	if (rc < 0) {
		p->c.no_readings++;
	} else if (rc == 0) {
		if (p->npend == NPEND) {
			p->c.no_readings++;
			memmove(p->pend, p->pend + 1, sizeof(p->pend[0]) * (NPEND - 1));
			p->npend--;
		}
		p->pend[p->npend++] = *e;
	}
}

void truth_pairer_reading(struct truth_pairer *p, const struct clk_event *r)
{
	p->c.readings++;
	if (p->nrd == NREAD) {
		p->rd_head = (p->rd_head + 1) % NREAD;
		p->nrd--;
	}
	p->rd[(p->rd_head + p->nrd) % NREAD] = *r;
	p->nrd++;
	int k = 0;
	for (int i = 0; i < p->npend; i++) {
		int rc = try_pair(p, &p->pend[i]);
		if (rc < 0)
			p->c.no_readings++;
		else if (rc == 0)
			p->pend[k++] = p->pend[i];
	}
	p->npend = k;
}

void truth_pairer_finish(struct truth_pairer *p)
{
	p->c.no_readings += (uint64_t)p->npend;
	p->npend = 0;
}

const struct truth_counts *truth_pairer_counts(const struct truth_pairer *p)
{
	return &p->c;
}

void truth_pairer_free(struct truth_pairer *p)
{
	free(p);
}
