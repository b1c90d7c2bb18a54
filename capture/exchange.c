#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capture/exchange.h"
#include "capture/port_table.h"
#include "common/log.h"

#define SYNC_RING 16 /* Syncs remembered per master (power of two) */
#define REQ_RING 64  /* Delay_Reqs remembered per slave (power of two) */
#define PD_RING 16   /* Pdelay_Reqs remembered per requester (power of two) */
#define CORR_LIMIT (INT64_C(1) << 62) /* |correctionField| ptpcal accepts as meaningful */

enum { SY_SYNC = 1, SY_FUP = 2 };

struct sync_slot {
	uint8_t state;
	bool two_step;
	uint16_t seq;
	struct ptime t2;
	struct ptime origin;     /* one-step origin, or the Follow_Up's precise origin */
	int64_t corr_sync, corr_fup;
};

struct master {
	struct sync_slot s[SYNC_RING];
	int latest; /* slot of the newest complete Sync (checked before use: the slot may have
		     * been reused, and a new master starts at an empty slot 0) */
};

enum { RQ_EMPTY = 0, RQ_PENDING, RQ_ANSWERED };

struct req_slot {
	uint8_t state;
	uint16_t seq;
	enum frame_encap encap;
	struct ptime t3;
	int64_t corr;
};

struct slave {
	struct req_slot r[REQ_RING];
	int *sessions; /* session indices of this slave (one per master answering it) */
	int nsessions;
};

enum { PD_REQ = 1, PD_RESP = 2, PD_FUP = 4 };

struct pd_slot {
	uint8_t state;
	bool two_step;
	uint16_t seq;
	enum frame_encap encap;
	struct ptp_port_id responder;
	struct ptime t1, t2, t3, t4;
	int64_t corr_req, corr_resp, corr_fup;
};

struct requester {
	struct pd_slot p[PD_RING];
};

struct pairer {
	struct pairer_opts opts;
	exchange_fn on_ex;
	pdelay_fn on_pd;
	void *ctx;
	struct port_table mtab, stab, rtab;
	struct master *masters;
	struct slave *slaves;
	struct requester *reqs;
	size_t mcap, scap, rcap;
	struct session_stats *sessions;
	int *session_master; /* master index of each session */
	int nsessions, session_cap;
	struct pair_counts c;
	uint64_t nex, npd;
	struct ptime last_ts;
};

struct pairer *pairer_new(const struct pairer_opts *opts, exchange_fn on_ex, pdelay_fn on_pd,
			  void *ctx)
{
	struct pairer *p = xcalloc(1, sizeof(*p));
	if (opts)
		p->opts = *opts;
	p->on_ex = on_ex;
	p->on_pd = on_pd;
	p->ctx = ctx;
	port_table_init(&p->mtab);
	port_table_init(&p->stab);
	port_table_init(&p->rtab);
	return p;
}

void pairer_free(struct pairer *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < p->stab.n; i++)
		free(p->slaves[i].sessions);
	port_table_free(&p->mtab);
	port_table_free(&p->stab);
	port_table_free(&p->rtab);
	free(p->masters);
	free(p->slaves);
	free(p->reqs);
	free(p->sessions);
	free(p->session_master);
	free(p);
}

/* Index of the per-port state for (domain, id) in table t, growing the parallel array.
 * Forced inline: once per message, and usually just the table's last-hit check. */
static inline __attribute__((always_inline)) int
lookup(struct pairer *p, struct port_table *t, void **arr, size_t *cap, size_t elem,
       uint8_t domain, const struct ptp_port_id *id)
{
	int created;
	int32_t i = port_table_get(t, domain, id, &created);
	if (i < 0) {
		p->c.table_full++;
		return -1;
	}
	if ((size_t)i >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		*arr = xrealloc(*arr, ncap * elem);
		memset((char *)*arr + *cap * elem, 0, (ncap - *cap) * elem);
		*cap = ncap;
	}
	return i;
}

static bool corr_ok(int64_t c)
{
	return c > -CORR_LIMIT && c < CORR_LIMIT;
}

bool exchange_derive(struct exchange *ex)
{
	int64_t d21, d43;
	if (!ptime_diff_sns(ex->t2, ex->t1, &d21) || !ptime_diff_sns(ex->t4, ex->t3, &d43) ||
	    !corr_ok(ex->corr_req))
		return false;
	int64_t fwd; /* t2 - t1 - A, with A = -corr_req; beyond int64 sns: no exchange (UBSan,
		      * fuzz_pcap: a t2 - t1 of 1.5 days plus a large correction) */
	if (__builtin_add_overflow(d21, ex->corr_req, &fwd))
		return false;
	ex->asym_ns = sns_to_ns(-ex->corr_req);
	ex->fwd_ns = sns_to_ns(fwd);
	ex->rev_ns = sns_to_ns(d43);
	/* Halve the exact integer sums: (fwd -/+ rev) / 2 in scaled ns, then to ns. */
	ex->offset_ns = ((double)fwd - (double)d43) / (2.0 * SNS_PER_NS);
	ex->delay_ns = ((double)fwd + (double)d43) / (2.0 * SNS_PER_NS);
	return true;
}

/* ------------------------------------------------------------------ Sync / Follow_Up */

static void evict_sync(struct pairer *p, struct sync_slot *s)
{
	if (s->state == SY_SYNC && s->two_step)
		p->c.sync_without_fup++;
	else if (s->state == SY_FUP)
		p->c.fup_without_sync++;
	memset(s, 0, sizeof(*s));
}

static bool sync_complete(const struct sync_slot *s);

/* Remember the newest complete Sync so that pairing usually needs no search. */
static void note_complete(struct master *ms, const struct sync_slot *s)
{
	if (!sync_complete(s))
		return;
	if (ptime_cmp(s->t2, ms->s[ms->latest].t2) >= 0 ||
	    !sync_complete(&ms->s[ms->latest]))
		ms->latest = (int)(s - ms->s);
}

static void on_sync(struct pairer *p, const struct ptp_packet *pkt)
{
	const struct ptp_msg *m = &pkt->msg;
	if (pkt->fi.dir == DIR_OUT && !p->opts.any_direction)
		return; /* we are the master's side: this is not a received Sync */
	int mi = lookup(p, &p->mtab, (void **)&p->masters, &p->mcap, sizeof(struct master),
			m->hdr.domain, &m->hdr.source);
	if (mi < 0)
		return;
	struct sync_slot *s = &p->masters[mi].s[m->hdr.seq & (SYNC_RING - 1)];
	bool two_step = m->hdr.flags & PTP_FLAG_TWO_STEP;
	if (s->state && s->seq == m->hdr.seq) {
		if (s->state & SY_SYNC) {
			p->c.sync_duplicate++;
			return;
		}
		/* The Follow_Up came first: complete the slot. */
	} else if (s->state) {
		evict_sync(p, s);
	}
	if (!corr_ok(m->hdr.correction)) {
		p->c.out_of_range++;
		memset(s, 0, sizeof(*s));
		return;
	}
	if (!two_step && !ptime_from_wire(m->ts.sec, m->ts.nsec, &s->origin)) {
		p->c.out_of_range++;
		memset(s, 0, sizeof(*s));
		return;
	}
	s->seq = m->hdr.seq;
	s->state |= SY_SYNC;
	s->two_step = two_step;
	s->t2 = pkt->ts;
	s->corr_sync = m->hdr.correction;
	note_complete(&p->masters[mi], s);
}

static void on_follow_up(struct pairer *p, const struct ptp_packet *pkt)
{
	const struct ptp_msg *m = &pkt->msg;
	if (pkt->fi.dir == DIR_OUT && !p->opts.any_direction)
		return;
	int mi = lookup(p, &p->mtab, (void **)&p->masters, &p->mcap, sizeof(struct master),
			m->hdr.domain, &m->hdr.source);
	if (mi < 0)
		return;
	struct sync_slot *s = &p->masters[mi].s[m->hdr.seq & (SYNC_RING - 1)];
	struct ptime origin;
	if (!ptime_from_wire(m->ts.sec, m->ts.nsec, &origin) || !corr_ok(m->hdr.correction)) {
		p->c.out_of_range++;
		return;
	}
	if (s->state && s->seq == m->hdr.seq) {
		if (s->state & SY_FUP) {
			p->c.fup_duplicate++;
			return;
		}
		if (!s->two_step) {
			p->c.fup_without_sync++; /* a Follow_Up for a one-step Sync */
			return;
		}
	} else {
		if (s->state)
			evict_sync(p, s);
		s->seq = m->hdr.seq;
		s->two_step = true;
	}
	s->state |= SY_FUP;
	s->origin = origin;
	s->corr_fup = m->hdr.correction;
	note_complete(&p->masters[mi], s);
}

static bool sync_complete(const struct sync_slot *s)
{
	return (s->state & SY_SYNC) && (!s->two_step || (s->state & SY_FUP));
}

/* The most recent complete Sync of master mi received before t3. */
static const struct sync_slot *sync_before(const struct pairer *p, int mi, struct ptime t3)
{
	const struct master *ms = &p->masters[mi];
	{
		/* the common case: the newest complete Sync came before the request, and no
		 * other slot can be newer and complete, since `latest` tracks the newest one */
		const struct sync_slot *l = &ms->s[ms->latest];
		if (sync_complete(l) && ptime_cmp(l->t2, t3) < 0)
			return l;
	}
	const struct sync_slot *best = NULL;
	for (int i = 0; i < SYNC_RING; i++) {
		const struct sync_slot *s = &p->masters[mi].s[i];
		if (!sync_complete(s) || ptime_cmp(s->t2, t3) >= 0)
			continue;
		if (!best || ptime_cmp(s->t2, best->t2) > 0)
			best = s;
	}
	return best;
}

/* ------------------------------------------------------------------ Delay_Req / Delay_Resp */

static void on_delay_req(struct pairer *p, const struct ptp_packet *pkt)
{
	const struct ptp_msg *m = &pkt->msg;
	if (p->opts.have_slave && !ptp_port_id_eq(&m->hdr.source, &p->opts.slave))
		return;
	if (pkt->fi.dir == DIR_IN && !p->opts.any_direction) {
		p->c.req_inbound++;
		return;
	}
	int si = lookup(p, &p->stab, (void **)&p->slaves, &p->scap, sizeof(struct slave),
			m->hdr.domain, &m->hdr.source);
	if (si < 0)
		return;
	struct req_slot *r = &p->slaves[si].r[m->hdr.seq & (REQ_RING - 1)];
	if (r->state != RQ_EMPTY && r->seq == m->hdr.seq) {
		p->c.req_duplicate++;
		return;
	}
	if (r->state == RQ_PENDING)
		p->c.req_unanswered++;
	r->state = RQ_PENDING;
	r->seq = m->hdr.seq;
	r->t3 = pkt->ts;
	r->corr = m->hdr.correction;
	r->encap = pkt->fi.encap;
}

static int session_of(struct pairer *p, int si, int mi, uint8_t domain,
		      const struct ptp_port_id *slave, enum frame_encap encap)
{
	struct slave *s = &p->slaves[si];
	for (int i = 0; i < s->nsessions; i++)
		if (p->session_master[s->sessions[i]] == mi)
			return s->sessions[i];
	if (p->nsessions == p->session_cap) {
		p->session_cap = p->session_cap ? p->session_cap * 2 : 8;
		p->sessions = xrealloc(p->sessions, sizeof(*p->sessions) * (size_t)p->session_cap);
		p->session_master = xrealloc(p->session_master,
					     sizeof(int) * (size_t)p->session_cap);
	}
	int k = p->nsessions++;
	struct session_stats *st = &p->sessions[k];
	memset(st, 0, sizeof(*st));
	st->domain = domain;
	st->master = p->mtab.keys[mi].id;
	st->slave = *slave;
	st->encap = encap;
	st->offset_min = st->delay_min = INFINITY;
	st->offset_max = st->delay_max = -INFINITY;
	p->session_master[k] = mi;
	s->sessions = xrealloc(s->sessions, sizeof(int) * (size_t)(s->nsessions + 1));
	s->sessions[s->nsessions++] = k;
	return k;
}

/* Not inlined into pairer_feed: its locals (a struct exchange) would make every message pay
 * for saving registers and a large stack frame, not only the Delay_Resps. */
static __attribute__((noinline)) void on_delay_resp(struct pairer *p,
						    const struct ptp_packet *pkt)
{
	const struct ptp_msg *m = &pkt->msg;
	const struct ptp_port_id *slave_id = &m->port2;
	if (p->opts.have_slave && !ptp_port_id_eq(slave_id, &p->opts.slave))
		return;
	int32_t si = port_table_find(&p->stab, m->hdr.domain, slave_id);
	if (si < 0) {
		p->c.resp_unmatched++;
		return;
	}
	struct req_slot *r = &p->slaves[si].r[m->hdr.seq & (REQ_RING - 1)];
	if (r->state == RQ_EMPTY || r->seq != m->hdr.seq) {
		p->c.resp_unmatched++;
		return;
	}
	if (r->state == RQ_ANSWERED) {
		p->c.resp_duplicate++;
		return;
	}
	r->state = RQ_ANSWERED;
	int32_t mi = port_table_find(&p->mtab, m->hdr.domain, &m->hdr.source);
	const struct sync_slot *s = mi >= 0 ? sync_before(p, mi, r->t3) : NULL;
	if (!s) {
		p->c.resp_no_sync++;
		return;
	}
	struct exchange ex; /* every field is assigned below */
	struct ptime rx;
	if (!corr_ok(m->hdr.correction) || !corr_ok(r->corr) ||
	    !ptime_from_wire(m->ts.sec, m->ts.nsec, &rx)) {
		p->c.out_of_range++;
		return;
	}
	ex.domain = m->hdr.domain;
	ex.master = m->hdr.source;
	ex.slave = *slave_id;
	ex.encap = r->encap;
	ex.sync_seq = s->seq;
	ex.req_seq = r->seq;
	ex.two_step = s->two_step;
	ex.corr_sync = s->corr_sync + (s->two_step ? s->corr_fup : 0);
	ex.corr_req = r->corr;
	ex.corr_resp = m->hdr.correction;
	ex.t1 = ptime_add_sns(s->origin, ex.corr_sync);
	ex.t2 = s->t2;
	ex.t3 = r->t3;
	ex.t4 = ptime_add_sns(rx, -ex.corr_resp);
	if (!exchange_derive(&ex)) {
		p->c.out_of_range++;
		return;
	}
	int k = session_of(p, si, mi, ex.domain, slave_id, ex.encap);
	struct session_stats *st = &p->sessions[k];
	if (st->n == 0)
		st->first_t2 = ex.t2;
	st->last_t2 = ex.t2;
	st->n++;
	st->offset_sum += ex.offset_ns;
	st->delay_sum += ex.delay_ns;
	/* Comparisons, not fmin/fmax (library calls at -O2): both values are finite. */
	if (ex.offset_ns < st->offset_min)
		st->offset_min = ex.offset_ns;
	if (ex.offset_ns > st->offset_max)
		st->offset_max = ex.offset_ns;
	if (ex.delay_ns < st->delay_min)
		st->delay_min = ex.delay_ns;
	if (ex.delay_ns > st->delay_max)
		st->delay_max = ex.delay_ns;
	p->nex++;
	if (p->on_ex)
		p->on_ex(p->ctx, &ex);
}

/* ------------------------------------------------------------------ peer delay */

static struct pd_slot *pd_slot_for(struct pairer *p, uint8_t domain,
				   const struct ptp_port_id *requester, uint16_t seq, bool create)
{
	int32_t ri;
	if (create)
		ri = lookup(p, &p->rtab, (void **)&p->reqs, &p->rcap, sizeof(struct requester), domain,
			    requester);
	else
		ri = port_table_find(&p->rtab, domain, requester);
	if (ri < 0)
		return NULL;
	return &p->reqs[ri].p[seq & (PD_RING - 1)];
}

static void pd_try_emit(struct pairer *p, struct pd_slot *d, uint8_t domain,
			const struct ptp_port_id *requester)
{
	if (!(d->state & PD_REQ) || !(d->state & PD_RESP) || (d->two_step && !(d->state & PD_FUP)))
		return;
	struct pdelay pd;
	memset(&pd, 0, sizeof(pd));
	pd.domain = domain;
	pd.requester = *requester;
	pd.responder = d->responder;
	pd.encap = d->encap;
	pd.seq = d->seq;
	pd.two_step = d->two_step;
	pd.t1 = d->t1;
	pd.t2 = d->t2;
	pd.t3 = d->t3;
	pd.t4 = d->t4;
	pd.corr_req = d->corr_req;
	pd.corr_resp = d->corr_resp;
	pd.corr_fup = d->corr_fup;
	int64_t d41, d32 = 0;
	if (!ptime_diff_sns(pd.t4, pd.t1, &d41) ||
	    (d->two_step && !ptime_diff_sns(pd.t3, pd.t2, &d32))) {
		p->c.out_of_range++;
		memset(d, 0, sizeof(*d));
		return;
	}
	int64_t turn = d32 + pd.corr_resp + pd.corr_fup - pd.corr_req;
	pd.turnaround_ns = sns_to_ns(turn);
	pd.link_delay_ns = ((double)d41 - (double)turn) / (2.0 * SNS_PER_NS);
	memset(d, 0, sizeof(*d));
	p->npd++;
	if (p->on_pd)
		p->on_pd(p->ctx, &pd);
}

static void on_pdelay_req(struct pairer *p, const struct ptp_packet *pkt)
{
	const struct ptp_msg *m = &pkt->msg;
	if (pkt->fi.dir == DIR_IN && !p->opts.any_direction)
		return; /* the peer's request: our capture timestamps are not its t1/t4 */
	if (!corr_ok(m->hdr.correction)) {
		p->c.out_of_range++;
		return;
	}
	struct pd_slot *d = pd_slot_for(p, m->hdr.domain, &m->hdr.source, m->hdr.seq, true);
	if (!d)
		return;
	if (d->state)
		p->c.pdelay_incomplete++;
	memset(d, 0, sizeof(*d));
	d->state = PD_REQ;
	d->seq = m->hdr.seq;
	d->t1 = pkt->ts;
	d->corr_req = m->hdr.correction;
	d->encap = pkt->fi.encap;
}

static void on_pdelay_resp(struct pairer *p, const struct ptp_packet *pkt, bool fup)
{
	const struct ptp_msg *m = &pkt->msg;
	struct pd_slot *d = pd_slot_for(p, m->hdr.domain, &m->port2, m->hdr.seq, false);
	int bit = fup ? PD_FUP : PD_RESP;
	if (!d || !(d->state & PD_REQ) || d->seq != m->hdr.seq || (d->state & bit)) {
		p->c.pdelay_unmatched++;
		return;
	}
	struct ptime ts;
	if (!ptime_from_wire(m->ts.sec, m->ts.nsec, &ts) || !corr_ok(m->hdr.correction)) {
		p->c.out_of_range++;
		return;
	}
	if ((d->state & (PD_RESP | PD_FUP)) && !ptp_port_id_eq(&d->responder, &m->hdr.source)) {
		p->c.pdelay_unmatched++; /* a second responder: not a point-to-point link */
		return;
	}
	d->responder = m->hdr.source;
	d->state |= (uint8_t)bit;
	if (fup) {
		d->t3 = ts;
		d->corr_fup = m->hdr.correction;
	} else {
		d->two_step = m->hdr.flags & PTP_FLAG_TWO_STEP;
		d->t2 = ts;
		d->t4 = pkt->ts;
		d->corr_resp = m->hdr.correction;
	}
	pd_try_emit(p, d, m->hdr.domain, &m->port2);
}

/* ------------------------------------------------------------------ driver */

void pairer_feed(struct pairer *p, const struct ptp_packet *pkt)
{
	if (ptime_cmp(pkt->ts, p->last_ts) < 0)
		p->c.reordered++;
	p->last_ts = pkt->ts;
	/* Compare-and-branch in order of frequency, not a switch: with message types
	 * interleaved, the jump table's indirect branch was mispredicted far more often than
	 * these conditional branches, which the predictor correlates with the decoder's own
	 * tests of the type (measured: 6 % of the whole decode+pair time). */
	uint8_t t = pkt->msg.hdr.type;
	if (t == PTP_SYNC)
		on_sync(p, pkt);
	else if (t == PTP_FOLLOW_UP)
		on_follow_up(p, pkt);
	else if (t == PTP_DELAY_REQ)
		on_delay_req(p, pkt);
	else if (t == PTP_DELAY_RESP)
		on_delay_resp(p, pkt);
	else if (!(t == PTP_PDELAY_REQ || t == PTP_PDELAY_RESP || t == PTP_PDELAY_RESP_FUP))
		return; /* Announce, Signaling, Management */
	else if (t == PTP_PDELAY_REQ)
		on_pdelay_req(p, pkt);
	else
		on_pdelay_resp(p, pkt, t == PTP_PDELAY_RESP_FUP);
}

void pairer_finish(struct pairer *p)
{
	for (uint32_t mi = 0; mi < p->mtab.n; mi++)
		for (int i = 0; i < SYNC_RING; i++) {
			struct sync_slot *s = &p->masters[mi].s[i];
			/* The last Sync's Follow_Up may simply be after the end of the capture. */
			if (s->state)
				evict_sync(p, s);
		}
	for (uint32_t si = 0; si < p->stab.n; si++)
		for (int i = 0; i < REQ_RING; i++) {
			struct req_slot *r = &p->slaves[si].r[i];
			if (r->state == RQ_PENDING)
				p->c.req_pending_at_end++;
			r->state = RQ_EMPTY;
		}
	for (uint32_t ri = 0; ri < p->rtab.n; ri++)
		for (int i = 0; i < PD_RING; i++) {
			struct pd_slot *d = &p->reqs[ri].p[i];
			if (d->state)
				p->c.pdelay_incomplete++;
			memset(d, 0, sizeof(*d));
		}
}

const struct pair_counts *pairer_counts(const struct pairer *p) { return &p->c; }
uint64_t pairer_exchanges(const struct pairer *p) { return p->nex; }
uint64_t pairer_pdelays(const struct pairer *p) { return p->npd; }
int pairer_nsessions(const struct pairer *p) { return p->nsessions; }
const struct session_stats *pairer_session(const struct pairer *p, int i) { return &p->sessions[i]; }
