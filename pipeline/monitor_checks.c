/* See monitor_checks.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/distribution.h"
#include "common/log.h"
#include "pipeline/monitor_checks.h"
#include "pipeline/verify_checks.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* analyze's protocol-health codes (analyze/health.c, docs/analyze-json.md) grouped into the
 * monitor's capture checks. A "positive" check needs one of its codes to be judged (e.g. a
 * timescale needs origin timestamps); the others pass when none of their codes is found. */
static const struct {
	const char *id, *title;
	bool positive;
	const char *codes[7];
} health_groups[] = {
	{ "capture-utc-offset", "Announce currentUtcOffset = TAI-UTC of leap-seconds.list", true,
	  { "utc-offset", "utc-offset-wrong" } },
	{ "capture-timescale", "origin timestamps on the timescale ptpTimescale says", true,
	  { "timescale-tai", "timescale-utc-as-tai", "timescale-offset-twice", "timescale-arb-utc",
	    "timescale-arb-tai", "timescale-unrelated" } },
	{ "capture-message-rates", "Sync/Announce/Delay_Req rates as their log intervals say", true,
	  { "interval", "interval-mismatch", "delay-req-rate" } },
	{ "capture-loss", "no messages lost (sequence gaps, Follow_Up, Delay_Resp)", false,
	  { "sequence-gaps", "missing-follow-up", "missing-delay-resp" } },
	{ "capture-duplicates", "no duplicate sequenceIds", false, { "duplicates" } },
	{ "capture-clock-class", "the grandmaster's clockClass stayed the same", false,
	  { "clock-class-change" } },
	{ "capture-grandmaster", "the Announces kept one grandmaster", false,
	  { "grandmaster-change" } },
};

const char *monitor_check_origin(const char *id)
{
	return strstr(id, "capture-") == id || strstr(id, "offset-tai-utc") ? "analyze" : "verify";
}

static void judge_health_group(struct checks *cs, const struct findings *fl, size_t g)
{
	struct check *c = NULL;
	bool judged = false;
	for (size_t i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->f[i];
		for (size_t k = 0; k < ARRAY_LEN(health_groups[g].codes) && health_groups[g].codes[k];
		     k++) {
			if (strcmp(f->code, health_groups[g].codes[k]) != 0)
				continue;
			if (!c)
				c = check_new(cs, health_groups[g].id, health_groups[g].title);
			judged = true;
			if (f->sev == SEV_ERROR)
				check_fail(c, f->code, NULL, "%s", f->msg);
			else if (f->sev == SEV_WARN)
				check_warn(c, f->code, NULL, "%s", f->msg);
			else if (c->nf == 0)
				check_detail(c, "%s", f->msg);
		}
	}
	if (!judged && !health_groups[g].positive)
		check_detail(check_new(cs, health_groups[g].id, health_groups[g].title),
			     "none found in the captured messages");
}

/* The capture's messages judged as `analyze` judges a capture: the older epoch. */
static void judge_capture_health(struct monitor *m, int64_t now_mono)
{
	struct mon_capture *c = &m->cap;
	struct mon_checks *k = &m->checks;
	if (k->health_judged_mono && now_mono - k->health_judged_mono < 5000000000LL)
		return;
	k->health_judged_mono = now_mono;
	findings_free(&k->health);
	int old = !c->epoch[1] || (c->epoch[0] && c->epoch_start[0] <= c->epoch_start[1]) ? 0 : 1;
	struct health *h = c->epoch[old];
	k->health_span_ns = h ? now_mono - c->epoch_start[old] : 0;
	if (h && health_messages(h) > 0)
		health_judge(h, m->leap.loaded ? &m->leap.lf : NULL, &k->health);
}

/* analyze's 37-second test on a window's median offset. */
static void check_offset_37(struct monitor *m, const char *id, const char *what,
			    const struct mon_series *s, int64_t now_real_s)
{
	if (s->n == 0 || !m->leap.loaded)
		return;
	struct mon_window w;
	mon_series_window(s, m->scratch, 0, &w);
	struct findings fl = { 0 };
	health_check_offset_37(what, w.d.pct[3], &m->leap.lf, now_real_s, &fl);
	struct check *c = check_new(&m->checks.cs, id, "offset not TAI-UTC off (the 37-second trap)");
	for (size_t i = 0; i < fl.n; i++)
		check_fail(c, fl.f[i].code, NULL, "%s", fl.f[i].msg);
	if (fl.n == 0)
		check_detail(c, "%s: window median %+.0f ns", what, w.d.pct[3]);
	findings_free(&fl);
}

static void verify_ones(struct monitor *m, int64_t now_mono)
{
	struct checks *cs = &m->checks.cs;
	const struct mon_ptp *p = &m->ptp;
	if (m->src[MON_PTP4L].enabled && m->src[MON_PTP4L].up) {
		if (p->have_props) {
			struct check *c = check_new(cs, "utc-offset",
						    "currentUtcOffset = TAI-UTC, PTP timescale");
			verify_judge_utc_offset(c, &p->props, m->leap.loaded ? m->leap.tai_utc : -1,
						m->leap.expired, m->leap.path ? m->leap.path : "",
						m->leap.err, m->server);
		}
		if (p->have_parent) {
			struct check *c = check_new(cs, "grandmaster",
						    m->server ? "this node is the clockClass 6 grandmaster"
							      : "a port is SLAVE to a clockClass 6 "
								"grandmaster");
			struct verify_gm g = { .server = m->server, .parent = &p->parent,
					       .dflt = p->have_default ? &p->dflt : NULL,
					       .ports = &p->port, .nports = p->have_port,
					       .free_running = m->free_running,
					       .fr_where = m->fr_where };
			verify_judge_grandmaster(c, &g);
		}
	}
	if (m->watch_daemons && m->daemons.read_mono) {
		struct check *c = check_new(cs, "daemons", "one ptp4l, one phc2sys in the right "
							   "direction");
		if (!m->daemons.have)
			check_skip(c, "%s", m->daemons.why);
		else
			verify_judge_daemons(c, &m->daemons.d, m->iface, m->server);
	}
	if (m->watch_daemons && (!m->phc.found || m->phc.have)) {
		struct check *c = check_new(cs, "phc-tai", "PHC - UTC = TAI-UTC");
		if (!m->phc.found) /* as verify: no PHC (nothing holds TAI), or no more readings */
			check_skip(c, "%s", m->phc.why);
		else
			verify_judge_phc_tai(c, m->phc.dev, m->phc.got, &m->phc.ev,
					     m->leap.loaded ? m->leap.tai_utc : -1, m->leap.err,
					     m->server);
	}
	if (m->src[MON_SHM].enabled && m->src[MON_SHM].polls) {
		const struct mon_shm *s = &m->shm;
		struct check *c = check_new(cs, "shm", "SHM samples ticking, offset < 1 s");
		/* as verify's 4.5 s look: a new sample within 4.5 s, two seen */
		bool ticked = s->have_sample && s->offset.count >= 2 &&
			      now_mono - s->last_change_mono <= 4500000000LL;
		if (!ticked && now_mono - m->start_mono < 4500000000LL)
			check_skip(c, "watched for less than 4.5 s");
		else
			verify_judge_shm(c, s->unit, s->have_sample, 0, ticked,
					 s->have_sample ? ntpshm_offset_ns(&s->last) : 0);
	}
	if (m->src[MON_NTPSEC].enabled && m->src[MON_NTPSEC].polls) {
		struct check *c = check_new(cs, "ntpsec-peer", "ntpsec's system peer is the PTP refclock");
		verify_judge_ntpsec_peer(c, m->ntp.status, m->ntp.any_peer, m->ntp.peer_is_ptp,
					 m->ntp.line);
	}
}

/* One line when a check's status changes (and its first status unless PASS). */
static void log_changes(struct mon_checks *k)
{
	const char **ids = k->ids;
	enum check_status *was = k->was;
	for (size_t i = 0; i < k->cs.n; i++) {
		const struct check *c = k->cs.v[i];
		size_t j;
		for (j = 0; j < k->nids && strcmp(ids[j], c->id) != 0; j++)
			;
		bool first = j == k->nids;
		if (first) {
			if (k->nids == ARRAY_LEN(k->ids))
				continue;
			ids[k->nids] = c->id; /* static strings */
			was[k->nids++] = CHECK_PASS;
		}
		if ((first && c->status == CHECK_PASS) || (!first && was[j] == c->status))
			continue;
		was[j] = c->status;
		const char *why = c->nf ? c->f[0].message : c->detail ? c->detail : "";
		if (c->status == CHECK_FAIL || c->status == CHECK_WARN)
			log_warn("check %s: %s: %s", c->id, check_status_name(c->status), why);
		else
			log_note("check %s: %s%s%s", c->id, check_status_name(c->status), *why ? ": " : "",
				 why);
	}
}

void monitor_checks_run(struct monitor *m, int64_t now_mono, int64_t now_real_s)
{
	/* at most once a second: the 37-second test sorts each window, as a scrape does */
	if (m->checks.run_mono && now_mono - m->checks.run_mono < 1000000000LL)
		return;
	m->checks.run_mono = now_mono;
	checks_free(&m->checks.cs);
	verify_ones(m, now_mono);
	check_offset_37(m, "ptp-offset-tai-utc", "ptp4l's offset from master", &m->ptp.offset,
			now_real_s);
	if (m->src[MON_SHM].enabled)
		check_offset_37(m, "shm-offset-tai-utc", "the SHM refclock's offset", &m->shm.offset,
				now_real_s);
	if (m->src[MON_CAPTURE].enabled) {
		check_offset_37(m, "capture-offset-tai-utc", "the captured exchanges' offset",
				&m->cap.offset, now_real_s);
		judge_capture_health(m, now_mono);
		if (m->checks.health.n > 0)
			for (size_t g = 0; g < ARRAY_LEN(health_groups); g++)
				judge_health_group(&m->checks.cs, &m->checks.health, g);
	}
	log_changes(&m->checks);
}
