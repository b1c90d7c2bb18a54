/* See monitor_sources.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/leapfile.h"
#include "common/log.h"
#include "pipeline/monitor_sources.h"
#include "pipeline/pmc_client.h"
#include "pipeline/run_cmd.h"
#include "pipeline/sync_host.h"

static const char *const source_names[MON_NSOURCES] = { "ptp4l", "shm", "gpsd", "ntpsec",
							 "capture" };

const char *mon_source_name(enum mon_source s)
{
	return (unsigned)s < MON_NSOURCES ? source_names[s] : "?";
}

void monitor_init(struct monitor *m, double interval_s, double window_s, int shm_unit)
{
	memset(m, 0, sizeof(*m));
	m->interval_s = interval_s;
	m->window_s = window_s;
	double want = 2 * window_s / interval_s;
	size_t cap = want < 16 ? 16 : want > (double)(1 << 20) ? (size_t)1 << 20 : (size_t)want;
	int64_t win = (int64_t)(window_s * 1e9);
	/* a gap of ten polls (at least 10 s) is an outage, not jitter */
	int64_t gap = (int64_t)(fmax(10 * interval_s, 10) * 1e9);
	mon_series_init(&m->ptp.offset, cap, win, gap);
	mon_series_init(&m->ptp.delay, cap, win, gap);
	mon_series_init(&m->shm.offset, cap, win, gap);
	m->scratch = xmalloc(cap * sizeof(*m->scratch));
	memset(m->scratch, 0, cap * sizeof(*m->scratch)); /* resident now (monitor_series.c) */
	m->shm.unit = shm_unit;
	m->ntp.offset_s = NAN;
	m->ntp.status = -1;
	m->leap.tai_utc = -1;
}

void monitor_init_capture(struct monitor *m)
{
	/* one exchange per Delay_Req: up to 16 a second (logMinDelayReqInterval -4) */
	double want = m->window_s * 16;
	size_t cap = want < 16 ? 16 : want > (double)(1 << 20) ? (size_t)1 << 20 : (size_t)want;
	if (cap < m->ptp.offset.cap)
		cap = m->ptp.offset.cap;
	int64_t win = (int64_t)(m->window_s * 1e9);
	int64_t gap = (int64_t)(fmax(10 * m->interval_s, 10) * 1e9);
	mon_series_init(&m->cap.offset, cap, win, gap);
	mon_series_init(&m->cap.delay, cap, win, gap);
	if (cap > m->ptp.offset.cap) {
		free(m->scratch);
		m->scratch = xmalloc(cap * sizeof(*m->scratch));
		memset(m->scratch, 0, cap * sizeof(*m->scratch));
	}
}

void monitor_free(struct monitor *m)
{
	mon_series_free(&m->ptp.offset);
	mon_series_free(&m->ptp.delay);
	mon_series_free(&m->shm.offset);
	mon_series_free(&m->cap.offset);
	mon_series_free(&m->cap.delay);
	health_free(m->cap.epoch[0]);
	health_free(m->cap.epoch[1]);
	checks_free(&m->checks.cs);
	findings_free(&m->checks.health);
	if (m->phc.src)
		clocksrc_close(m->phc.src);
	m->phc.src = NULL;
	if (m->leap.loaded)
		leapfile_free(&m->leap.lf);
	m->leap.loaded = false;
	free(m->scratch);
	m->scratch = NULL;
}

void monitor_mark(struct monitor *m, enum mon_source s, bool ok, const char *err)
{
	struct mon_counters *c = &m->src[s];
	c->polls++;
	if (ok) {
		if (!c->up) {
			if (c->ever_up) {
				c->recoveries++;
				log_note("%s is back", mon_source_name(s));
			} else {
				log_note("%s answers", mon_source_name(s));
			}
		}
		c->up = c->ever_up = true;
		c->last_error[0] = '\0';
		return;
	}
	c->errors++;
	/* one line per outage (and per new reason), not one per poll */
	if (c->up || strcmp(c->last_error, err ? err : "") != 0)
		log_warn("%s: %s", mon_source_name(s), err && *err ? err : "no answer");
	c->up = false;
	snprintf(c->last_error, sizeof(c->last_error), "%s", err ? err : "");
}

/* ---- ptp4l -------------------------------------------------------------------------------- */

void mon_ptp_link_close(struct mon_ptp_link *l)
{
	if (l->open)
		pmc_uds_close(&l->u);
	l->open = false;
}

void mon_poll_ptp(struct monitor *m, struct mon_ptp_link *l, int64_t now_mono)
{
	struct mon_ptp *p = &m->ptp;
	char err[512];
	if (!l->open) {
		/* ptp4l not (yet) there: its socket file is made when it starts */
		if (pmc_uds_open(&l->u, l->uds, 0, err, sizeof(err)) != 0) {
			p->have_port = p->have_current = p->have_status = false;
			monitor_mark(m, MON_PTP4L, false, err);
			return;
		}
		l->open = true;
	}
	/* Our socket stays bound across ptp4l restarts: each request is sent to the path, which
	 * a restarted ptp4l binds again. */
	struct pmc_answer a;
	enum pmc_result r = pmc_get(&l->u, PMC_ID_PORT_DATA_SET, &a, l->timeout_ms, err, sizeof(err));
	if (r != PMC_OK) {
		p->have_port = p->have_current = p->have_status = false;
		monitor_mark(m, MON_PTP4L, false, err);
		return;
	}
	p->have_port = pmc_get_port_ds(a.r.data, a.r.data_len, &p->port);
	p->have_current = pmc_get(&l->u, PMC_ID_CURRENT_DATA_SET, &a, l->timeout_ms, err,
				  sizeof(err)) == PMC_OK &&
			  pmc_get_current_ds(a.r.data, a.r.data_len, &p->current);
	if (p->have_current)
		mon_series_add(&p->delay, now_mono, (double)p->current.delay_scaled / 65536.0);
	struct pmc_time_status ts;
	if (pmc_get(&l->u, PMC_ID_TIME_STATUS_NP, &a, l->timeout_ms, err, sizeof(err)) == PMC_OK &&
	    pmc_get_time_status(a.r.data, a.r.data_len, &ts)) {
		p->status = ts;
		p->have_status = true;
		/* one sample per Sync seen: polls faster than the Sync rate repeat the last one */
		if (ts.gm_present && ts.ingress_time_ns != 0 && ts.ingress_time_ns != p->last_ingress_ns)
			mon_series_add(&p->offset, now_mono, (double)ts.master_offset_ns);
		p->last_ingress_ns = ts.ingress_time_ns;
	} else {
		p->have_status = false;
	}
	struct pmc_parent_ds par;
	if (pmc_get_parent(&l->u, &par, l->timeout_ms, err, sizeof(err)) == PMC_OK) {
		if (p->have_parent && memcmp(par.gm_identity, p->parent.gm_identity, 8) != 0)
			p->gm_changes++;
		if (p->have_parent && par.gm_quality.clock_class != p->parent.gm_quality.clock_class)
			p->class_changes++;
		p->parent = par;
		p->have_parent = true;
	}
	p->have_default = pmc_get(&l->u, PMC_ID_DEFAULT_DATA_SET, &a, l->timeout_ms, err,
				  sizeof(err)) == PMC_OK &&
			  pmc_get_default_ds(a.r.data, a.r.data_len, &p->dflt);
	struct pmc_time_props tp;
	if (pmc_get_time_props_ds(&l->u, &tp, l->timeout_ms, err, sizeof(err)) == PMC_OK) {
		p->props = tp;
		p->have_props = true;
	}
	monitor_mark(m, MON_PTP4L, true, NULL);
}

/* ---- NTP SHM ------------------------------------------------------------------------------ */

void mon_shm_link_close(struct mon_shm_link *l)
{
	if (l->attached)
		ntpshm_detach(&l->seg);
	l->attached = false;
}

void mon_poll_shm(struct monitor *m, struct mon_shm_link *l, int64_t now_mono)
{
	struct mon_shm *s = &m->shm;
	char err[256];
	if (!l->attached) {
		/* never create it: the segment belongs to ntpd (or phc2sys) */
		if (!ntpshm_attach(s->unit, false, 0, &l->seg, err, sizeof(err), NULL)) {
			monitor_mark(m, MON_SHM, false, err);
			return;
		}
		l->attached = true;
		l->attach_mono = now_mono;
	}
	/* A writer that restarted may have made a new segment under the same key (the old one
	 * removed): after 5 s without a new sample, attach again. */
	if (s->have_sample && now_mono - s->last_change_mono > 5000000000LL &&
	    now_mono - l->attach_mono > 5000000000LL) {
		mon_shm_link_close(l);
		if (!ntpshm_attach(s->unit, false, 0, &l->seg, err, sizeof(err), NULL)) {
			monitor_mark(m, MON_SHM, false, err);
			return;
		}
		l->attached = true;
		l->attach_mono = now_mono;
	}
	struct ntpshm_sample x;
	enum ntpshm_status st = ntpshm_read(l->seg.t, false, &x);
	if (st == NTPSHM_OK && (!s->have_sample || x.count != s->last_count)) {
		s->last = x;
		s->last_count = x.count;
		s->last_change_mono = now_mono;
		s->have_sample = true;
		mon_series_add(&s->offset, now_mono, (double)ntpshm_offset_ns(&x));
	}
	/* a segment that stopped ticking is stale, not down: its age says so (the attach
	 * itself keeps working after the writer is gone) */
	monitor_mark(m, MON_SHM, st == NTPSHM_OK || st == NTPSHM_NOT_READY,
		     st == NTPSHM_BAD_MODE ? "segment has a bad mode" : NULL);
}

/* ---- gpsd --------------------------------------------------------------------------------- */

void mon_gnss_event(void *ctx, const struct gnss_event *ev)
{
	struct monitor *m = ctx;
	gnss_state_feed(&m->gnss.state, ev);
	if (ev->kind == GNSS_PPS) {
		m->gnss.pps_offset_ns = gnss_event_offset_ns(ev);
		m->gnss.have_pps = true;
	}
}

void mon_gnss_tick(struct monitor *m, bool connected, const char *err, int64_t now_mono)
{
	gnss_state_tick(&m->gnss.state, now_mono);
	monitor_mark(m, MON_GPSD, connected, err && *err ? err : "not connected");
}

/* ---- ntpsec ------------------------------------------------------------------------------- */

void mon_poll_ntpsec(struct monitor *m, int shm_unit)
{
	const char *argv[] = { "ntpq", "-pn", NULL };
	char *out = NULL;
	int st = run_capture(argv, &out, 5000);
	/* ntpsec 1.2.2's ntpq exits 0 after "***Socket error; probably ntpd is not running":
	 * only its table header means ntpd answered */
	if (st == 0 && (!strstr(out, "remote") || strstr(out, "***")))
		st = 1;
	m->ntp.status = st;
	m->ntp.any_peer = false;
	if (st != 0) {
		m->ntp.peer_is_ptp = false;
		m->ntp.offset_s = NAN;
		monitor_mark(m, MON_NTPSEC, false,
			     st < 0 ? "ntpq: not installed or did not finish" : "ntpq failed: is ntpd running?");
		free(out);
		return;
	}
	double off_ms;
	char line[256];
	/* any system peer (unit -1), then whether it is ours */
	m->ntp.any_peer = ntpq_system_peer(out, -1, &off_ms, line, sizeof(line));
	m->ntp.peer_is_ptp = ntpq_system_peer(out, shm_unit, &off_ms, m->ntp.line,
					      sizeof(m->ntp.line));
	/* ntpq's offset is reference - system; ptpcal's sign is system - reference */
	m->ntp.offset_s = isfinite(off_ms) ? -off_ms / 1e3 : NAN;
	free(out);
	monitor_mark(m, MON_NTPSEC, true, NULL);
}

/* ---- leap file ---------------------------------------------------------------------------- */

void mon_load_leap(struct monitor *m, const char *path, int64_t now_real_s)
{
	struct leapfile lf;
	char err[512];
	m->leap.path = path;
	if (!leapfile_load(path, &lf, err, sizeof(err))) {
		if (!m->leap.warned)
			log_warn("%s", err);
		snprintf(m->leap.err, sizeof(m->leap.err), "%s", err);
		m->leap.warned = true;
		if (m->leap.loaded)
			leapfile_free(&m->leap.lf);
		m->leap.loaded = false;
		m->leap.tai_utc = -1;
		return;
	}
	if (m->leap.loaded)
		leapfile_free(&m->leap.lf);
	m->leap.lf = lf;
	m->leap.loaded = true;
	m->leap.warned = false;
	m->leap.expires = lf.expires;
	m->leap.expired = leapfile_expired(&lf, now_real_s);
	int tai;
	m->leap.tai_utc = leapfile_tai_utc(&lf, now_real_s, &tai) ? tai : -1;
}

void mon_poll_daemons(struct monitor *m, const struct sysview *sv, int64_t now_mono)
{
	struct mon_daemons *d = &m->daemons;
	if (d->read_mono && now_mono - d->read_mono < MON_DAEMONS_EVERY_NS)
		return;
	d->read_mono = now_mono;
	struct proc_entry *p;
	int n = sv_processes(sv, &p, d->why, sizeof(d->why));
	d->have = n >= 0;
	if (n < 0)
		return;
	verify_count_daemons(p, n, &d->d);
	sv_free_processes(p, n);
}

void mon_find_phc(struct monitor *m, const struct sysview *sv, const char *iface,
		  const char *given)
{
	struct mon_phc *h = &m->phc;
	if (h->src)
		clocksrc_close(h->src);
	memset(h, 0, sizeof(*h));
	h->found = verify_find_phc(sv, iface, given, h->dev, sizeof(h->dev), h->why,
				   sizeof(h->why));
}

void mon_poll_phc(struct monitor *m, int64_t now_mono)
{
	struct mon_phc *h = &m->phc;
	if (!h->found || (h->read_mono && now_mono - h->read_mono < 1000000000LL))
		return;
	h->read_mono = now_mono;
	if (!h->src) {
		/* a missing device prints a line when opened: once a minute, not every second */
		if (h->open_mono && now_mono - h->open_mono < 60000000000LL)
			return;
		h->open_mono = now_mono;
		h->src = verify_open_phc(h->dev);
		if (!h->src) {
			h->have = true;
			h->got = VERIFY_PHC_NO_DEVICE;
			return;
		}
	}
	int r = clocksrc_next(h->src, 1000, &h->ev);
	if (r == 2) {
		/* a recording has no more readings: no data, so no check (not a failure) */
		snprintf(h->why, sizeof(h->why), "%s: the recorded readings have ended", h->dev);
		h->found = h->have = false;
	} else {
		h->have = true;
		h->got = r == 1 ? VERIFY_PHC_READ_OK : VERIFY_PHC_NO_READING;
	}
	if (r != 1) {
		/* a device that stopped answering is opened again a minute later */
		clocksrc_close(h->src);
		h->src = NULL;
	}
}
