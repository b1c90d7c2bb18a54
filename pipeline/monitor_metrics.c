/* See monitor_metrics.h. */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture_report.h"
#include "pipeline/monitor_checks.h"
#include "pipeline/monitor_metrics.h"
#include "pipeline/pmc_wire.h"

static void by_source(struct prom_buf *b, const struct monitor *m, const char *name,
		      const char *type, const char *help, int which)
{
	prom_family(b, name, type, help);
	for (int s = 0; s < MON_NSOURCES; s++) {
		const struct mon_counters *c = &m->src[s];
		if (!c->enabled)
			continue;
		const char *l[] = { "source", mon_source_name((enum mon_source)s), NULL };
		double v = which == 0 ? c->up : which == 1 ? (double)c->polls
			 : which == 2 ? (double)c->errors : (double)c->recoveries;
		prom_sample(b, "", l, v);
	}
}

/* The window statistics of one series under the name prefix (e.g. "ptpcal_ptp_offset"):
 * a summary of the window (quantiles) with _sum/_count over the whole run, as Prometheus
 * client summaries are, and the window's mean, std, max |x|, sample count; TDEV and MTIE by
 * tau when asked. */
static void window(struct prom_buf *b, struct monitor *m, const struct mon_series *s,
		   const char *prefix, const char *what, int with_stability)
{
	struct mon_window w;
	mon_series_window(s, m->scratch, with_stability, &w);
	char name[128], help[256];
	snprintf(name, sizeof(name), "%s_window_seconds", prefix);
	snprintf(help, sizeof(help),
		 "%s: quantiles over the last window (ptpcal_monitor_window_seconds); _sum and "
		 "_count since the monitor started",
		 what);
	prom_family(b, name, "summary", help);
	static const struct { const char *q; int i; } qs[] = {
		{ "0.01", 0 }, { "0.05", 1 }, { "0.5", 3 }, { "0.95", 5 }, { "0.99", 6 },
	};
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		const char *l[] = { "quantile", qs[i].q, NULL };
		prom_sample(b, "", l, w.d.n ? w.d.pct[qs[i].i] / 1e9 : NAN);
	}
	prom_sample(b, "_sum", NULL, s->sum / 1e9);
	prom_sample(b, "_count", NULL, (double)s->count);
	struct { const char *suffix, *help; double v; } g[] = {
		{ "window_mean_seconds", "mean over the window", w.d.n ? w.d.mean / 1e9 : NAN },
		{ "window_stddev_seconds", "standard deviation over the window",
		  w.d.n > 1 ? w.d.std / 1e9 : NAN },
		{ "window_max_abs_seconds", "largest absolute value in the window",
		  w.d.n ? w.max_abs / 1e9 : NAN },
		{ "window_samples", "samples in the window", (double)w.d.n },
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		snprintf(name, sizeof(name), "%s_%s", prefix, g[i].suffix);
		snprintf(help, sizeof(help), "%s: %s", what, g[i].help);
		prom_gauge(b, name, help, g[i].v);
	}
	if (!with_stability || w.ntau == 0)
		return;
	for (int k = 0; k < 2; k++) {
		snprintf(name, sizeof(name), "%s_%s_seconds", prefix, k ? "mtie" : "tdev");
		snprintf(help, sizeof(help), "%s: %s over the window at observation interval tau",
			 what, k ? "MTIE (max time-interval error)" : "TDEV (time deviation, NIST SP 1065)");
		prom_family(b, name, "gauge", help);
		for (size_t i = 0; i < w.ntau; i++) {
			char tau[32];
			snprintf(tau, sizeof(tau), "%g", w.tau_s[i]);
			const char *l[] = { "tau_seconds", tau, NULL };
			prom_sample(b, "", l, (k ? w.mtie[i] : w.tdev[i]) / 1e9);
		}
	}
	if (m->have_truth && strcmp(prefix, "ptpcal_ptp_offset") == 0) {
		snprintf(help, sizeof(help),
			 "%s: window mean minus the known true offset (--truth-offset)", what);
		prom_gauge(b, "ptpcal_ptp_offset_bias_seconds", help,
			   w.d.n ? (w.d.mean - m->truth_offset_ns) / 1e9 : NAN);
	}
}

static void hexid(const uint8_t id[8], char *out, size_t len)
{
	snprintf(out, len, "%02x%02x%02x.%02x%02x.%02x%02x%02x", id[0], id[1], id[2], id[3], id[4],
		 id[5], id[6], id[7]);
}

static void render_ptp(struct prom_buf *b, struct monitor *m)
{
	struct mon_ptp *p = &m->ptp;
	if (p->have_port) {
		prom_family(b, "ptpcal_ptp_port_state", "gauge",
			    "portState of ptp4l's first port (IEEE 1588: 1 INITIALIZING, 2 FAULTY, "
			    "3 DISABLED, 4 LISTENING, 5 PRE_MASTER, 6 MASTER, 7 PASSIVE, "
			    "8 UNCALIBRATED, 9 SLAVE)");
		const char *l[] = { "state", pmc_port_state_name(p->port.state), NULL };
		prom_sample(b, "", l, p->port.state);
	}
	if (p->have_status) {
		prom_gauge(b, "ptpcal_ptp_offset_seconds",
			   "ptp4l's offset from master of the last Sync (TIME_STATUS_NP master_offset, "
			   "slave - master)",
			   (double)p->status.master_offset_ns / 1e9);
		prom_gauge(b, "ptpcal_ptp_gm_present", "ptp4l has a grandmaster (TIME_STATUS_NP gmPresent)",
			   p->status.gm_present != 0);
	}
	if (p->have_current) {
		prom_gauge(b, "ptpcal_ptp_mean_path_delay_seconds",
			   "ptp4l's mean path delay (CURRENT_DATA_SET meanPathDelay)",
			   (double)p->current.delay_scaled / 65536.0 / 1e9);
		prom_gauge(b, "ptpcal_ptp_steps_removed", "CURRENT_DATA_SET stepsRemoved",
			   p->current.steps_removed);
	}
	if (p->have_parent) {
		char gm[32], parent[48];
		hexid(p->parent.gm_identity, gm, sizeof(gm));
		hexid(p->parent.parent.clock, parent, sizeof(parent));
		snprintf(parent + strlen(parent), sizeof(parent) - strlen(parent), "-%u",
			 p->parent.parent.port);
		prom_family(b, "ptpcal_ptp_grandmaster_info", "gauge",
			    "the grandmaster and parent port ptp4l follows (PARENT_DATA_SET), always 1");
		const char *l[] = { "gm_identity", gm, "parent_port_identity", parent, NULL };
		prom_sample(b, "", l, 1);
		prom_gauge(b, "ptpcal_ptp_gm_clock_class", "the grandmaster's clockClass (6 locked to "
			   "GNSS, 7 holdover, 52/187 degraded, 248 default, 255 client-only)",
			   p->parent.gm_quality.clock_class);
		prom_gauge(b, "ptpcal_ptp_gm_clock_accuracy",
			   "the grandmaster's clockAccuracy (IEEE 1588 table 6 code, 0xFE unknown)",
			   p->parent.gm_quality.clock_accuracy);
		prom_gauge(b, "ptpcal_ptp_gm_offset_scaled_log_variance",
			   "the grandmaster's offsetScaledLogVariance", p->parent.gm_quality.variance);
		prom_gauge(b, "ptpcal_ptp_gm_priority1", "the grandmaster's priority1",
			   p->parent.gm_priority1);
		prom_gauge(b, "ptpcal_ptp_gm_priority2", "the grandmaster's priority2",
			   p->parent.gm_priority2);
	}
	if (p->have_props) {
		const struct pmc_time_props *t = &p->props;
		prom_gauge(b, "ptpcal_ptp_utc_offset_seconds",
			   "TIME_PROPERTIES_DATA_SET currentUtcOffset (TAI - UTC announced)", t->utc_offset);
		struct { const char *name, *help; int flag; } f[] = {
			{ "ptpcal_ptp_utc_offset_valid", "currentUtcOffsetValid", PMC_UTC_OFF_VALID },
			{ "ptpcal_ptp_timescale_ptp", "ptpTimescale (1: TAI-based PTP timescale)",
			  PMC_PTP_TIMESCALE },
			{ "ptpcal_ptp_time_traceable", "timeTraceable", PMC_TIME_TRACEABLE },
			{ "ptpcal_ptp_frequency_traceable", "frequencyTraceable", PMC_FREQ_TRACEABLE },
			{ "ptpcal_ptp_leap61", "leap61 (a leap second is inserted at the end of today)",
			  PMC_LEAP_61 },
			{ "ptpcal_ptp_leap59", "leap59 (the last minute of today has 59 s)", PMC_LEAP_59 },
		};
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			char help[160];
			snprintf(help, sizeof(help), "TIME_PROPERTIES_DATA_SET %s", f[i].help);
			prom_gauge(b, f[i].name, help, (t->flags & f[i].flag) != 0);
		}
		prom_gauge(b, "ptpcal_ptp_time_source",
			   "TIME_PROPERTIES_DATA_SET timeSource (0x20 GNSS, 0x40 PTP, 0xA0 internal "
			   "oscillator)",
			   t->time_source);
		if (m->leap.tai_utc >= 0)
			prom_gauge(b, "ptpcal_ptp_utc_offset_matches_leapfile",
				   "1 when currentUtcOffset equals TAI - UTC of the leap file now",
				   t->utc_offset == m->leap.tai_utc);
	}
	prom_family(b, "ptpcal_ptp_gm_changes_total", "counter",
		    "times the grandmaster identity changed while monitored");
	prom_sample(b, "", NULL, (double)p->gm_changes);
	prom_family(b, "ptpcal_ptp_clock_class_changes_total", "counter",
		    "times the grandmaster's clockClass changed while monitored");
	prom_sample(b, "", NULL, (double)p->class_changes);
	window(b, m, &p->offset, "ptpcal_ptp_offset", "ptp4l offset from master", 1);
	window(b, m, &p->delay, "ptpcal_ptp_mean_path_delay", "ptp4l mean path delay", 0);
}

static void render_shm(struct prom_buf *b, struct monitor *m, int64_t now_mono)
{
	struct mon_shm *s = &m->shm;
	char unit[16];
	snprintf(unit, sizeof(unit), "%d", s->unit);
	if (s->have_sample) {
		const char *l[] = { "unit", unit, NULL };
		prom_family(b, "ptpcal_shm_offset_seconds", "gauge",
			    "the NTP SHM segment's newest sample: receive - clock (system - reference)");
		prom_sample(b, "", l, (double)ntpshm_offset_ns(&s->last) / 1e9);
		prom_family(b, "ptpcal_shm_sample_age_seconds", "gauge",
			    "time since the SHM segment last got a new sample (stale when it grows)");
		prom_sample(b, "", l, (double)(now_mono - s->last_change_mono) / 1e9);
	}
	window(b, m, &s->offset, "ptpcal_shm_offset", "NTP SHM offset (system - reference)", 1);
}

static void render_gnss(struct prom_buf *b, struct monitor *m, int64_t now_mono)
{
	struct gnss_health h;
	gnss_state_health(&m->gnss.state, now_mono, &h);
	prom_gauge(b, "ptpcal_gnss_fix_mode", "gpsd TPV mode (0 unknown, 1 no fix, 2 2D, 3 3D)", h.mode);
	prom_gauge(b, "ptpcal_gnss_fix_ok", "1 while gpsd reports a 2D/3D fix (within 3 s)", h.fix_ok);
	prom_gauge(b, "ptpcal_gnss_pps_ok", "1 while gpsd reports PPS (within 3 s)", h.pps_ok);
	prom_gauge(b, "ptpcal_gnss_pps_seen", "1 once gpsd has reported a PPS", h.pps_seen);
	prom_gauge(b, "ptpcal_gnss_fix_lost_seconds", "how long the fix has been lost (0 while good)",
		   h.fix_lost_s);
	prom_gauge(b, "ptpcal_gnss_pps_lost_seconds", "how long PPS has been lost (0 while good)",
		   h.pps_lost_s);
	if (h.sats_used >= 0)
		prom_gauge(b, "ptpcal_gnss_satellites_used", "satellites used in the fix (SKY)",
			   h.sats_used);
	if (h.sats_visible >= 0)
		prom_gauge(b, "ptpcal_gnss_satellites_visible", "satellites visible (SKY)",
			   h.sats_visible);
	if (m->gnss.have_pps)
		prom_gauge(b, "ptpcal_gnss_pps_offset_seconds",
			   "the newest PPS report: system clock - GNSS time of the pulse",
			   (double)m->gnss.pps_offset_ns / 1e9);
}

static void counter(struct prom_buf *b, const char *name, const char *help, uint64_t v)
{
	prom_family(b, name, "counter", help);
	prom_sample(b, "", NULL, (double)v);
}

static void render_capture(struct prom_buf *b, struct monitor *m, int64_t now_mono)
{
	const struct mon_capture *c = &m->cap;
	prom_family(b, "ptpcal_capture_info", "gauge",
		    "the live capture (--capture): interface and libpcap timestamp type, always 1");
	const char *il[] = { "interface", c->ifname, "tstamp", c->tstamp, NULL };
	prom_sample(b, "", il, 1);
	counter(b, "ptpcal_capture_packets_total", "frames captured", c->packets);
	counter(b, "ptpcal_capture_ptp_messages_total", "PTP messages decoded", c->ptp);
	counter(b, "ptpcal_capture_malformed_total", "frames skipped as malformed", c->malformed);
	counter(b, "ptpcal_capture_exchanges_total",
		"Delay_Req/Delay_Resp exchanges paired with their Sync (t1..t4 complete)",
		c->exchanges);
	counter(b, "ptpcal_capture_kernel_drops_total",
		"frames the kernel dropped before the capture read them (pcap_stats ps_drop)",
		c->kernel_drops);
	counter(b, "ptpcal_capture_interface_drops_total",
		"frames the interface dropped (pcap_stats ps_ifdrop)", c->if_drops);
	prom_family(b, "ptpcal_capture_pairing_failures_total", "counter",
		    "messages the pairer could not use, by reason (as `ptpcal capture` counts them)");
	struct count_name cn[32];
	int k = capture_pairing_counts(&c->pairs, cn);
	for (int i = 0; i < k; i++) {
		const char *l[] = { "reason", cn[i].name, NULL };
		prom_sample(b, "", l, (double)cn[i].v);
	}
	if (c->exchanges) {
		prom_gauge(b, "ptpcal_capture_offset_seconds",
			   "the newest exchange's offset from master, (t2 - t1 - (t4 - t3)) / 2 from the "
			   "wire timestamps (slave - master)",
			   c->offset.last / 1e9);
		prom_gauge(b, "ptpcal_capture_mean_path_delay_seconds",
			   "the newest exchange's mean path delay, (t2 - t1 + t4 - t3) / 2",
			   c->delay.last / 1e9);
		prom_gauge(b, "ptpcal_capture_last_exchange_age_seconds",
			   "since the newest exchange was paired (stale when it grows)",
			   (double)(now_mono - c->last_exchange_mono) / 1e9);
	}
	window(b, m, &c->offset, "ptpcal_capture_offset", "captured exchanges' offset from master", 1);
	window(b, m, &c->delay, "ptpcal_capture_mean_path_delay", "captured exchanges' mean path delay",
	       0);
	if (m->checks.health.n)
		prom_gauge(b, "ptpcal_capture_health_span_seconds",
			   "capture time the capture-* checks judged (one window at most)",
			   (double)m->checks.health_span_ns / 1e9);
}

static void render_checks(struct prom_buf *b, const struct monitor *m)
{
	const struct checks *cs = &m->checks.cs;
	size_t judged = 0;
	for (size_t i = 0; i < cs->n; i++)
		judged += cs->v[i]->status != CHECK_SKIP;
	if (judged == 0)
		return;
	for (int k = 0; k < 2; k++) {
		if (k == 0)
			prom_family(b, "ptpcal_check_ok", "gauge",
				    "1 when the check passes on the live data, 0 when it warns or fails "
				    "(the checks of ptpcal verify and analyze; docs/monitor.md lists them)");
		else
			prom_family(b, "ptpcal_check_status", "gauge",
				    "the check's status: 0 pass, 1 warn, 2 fail");
		for (size_t i = 0; i < cs->n; i++) {
			const struct check *c = cs->v[i];
			if (c->status == CHECK_SKIP)
				continue;
			const char *l[] = { "check", c->id, "from", monitor_check_origin(c->id), NULL };
			prom_sample(b, "", l, k == 0 ? c->status == CHECK_PASS
					      : c->status == CHECK_FAIL ? 2 : c->status == CHECK_WARN);
		}
	}
}

void monitor_render(struct monitor *m, int64_t now_mono, const struct monitor_self *self,
		    struct prom_buf *b)
{
	prom_reset(b);
	prom_family(b, "ptpcal_build_info", "gauge", "the ptpcal version, always 1");
	const char *vl[] = { "version", PTPCAL_VERSION, NULL };
	prom_sample(b, "", vl, 1);
	by_source(b, m, "ptpcal_source_up", "gauge", "1 when the source answered its last poll", 0);
	by_source(b, m, "ptpcal_source_polls_total", "counter", "polls of the source", 1);
	by_source(b, m, "ptpcal_source_errors_total", "counter", "polls that got no answer", 2);
	by_source(b, m, "ptpcal_source_recoveries_total", "counter",
		  "times the source came back after an outage (a daemon restart survived)", 3);
	prom_gauge(b, "ptpcal_monitor_poll_interval_seconds", "how often the sources are polled",
		   m->interval_s);
	prom_gauge(b, "ptpcal_monitor_window_seconds", "the width of the rolling windows",
		   m->window_s);
	if (m->src[MON_PTP4L].enabled)
		render_ptp(b, m);
	if (m->src[MON_SHM].enabled)
		render_shm(b, m, now_mono);
	if (m->src[MON_GPSD].enabled)
		render_gnss(b, m, now_mono);
	if (m->src[MON_NTPSEC].enabled && m->src[MON_NTPSEC].polls) {
		prom_gauge(b, "ptpcal_ntpsec_system_peer_is_ptp",
			   "1 when ntpsec's system peer is the PTP SHM refclock (ntpq -pn)",
			   m->ntp.peer_is_ptp);
		if (isfinite(m->ntp.offset_s))
			prom_gauge(b, "ptpcal_ntpsec_offset_seconds",
				   "ntpsec's system peer offset, system - reference (ntpq's sign flipped)",
				   m->ntp.offset_s);
	}
	if (m->src[MON_CAPTURE].enabled)
		render_capture(b, m, now_mono);
	render_checks(b, m);
	if (m->leap.loaded) {
		prom_gauge(b, "ptpcal_leapfile_expiry_timestamp_seconds",
			   "when leap-seconds.list expires (POSIX seconds; 0 if it says nothing)",
			   (double)m->leap.expires);
		if (m->leap.tai_utc >= 0)
			prom_gauge(b, "ptpcal_leapfile_tai_utc_seconds", "TAI - UTC now per the leap file",
				   m->leap.tai_utc);
	}
	prom_family(b, "ptpcal_monitor_scrapes_total", "counter", "GET /metrics answered");
	prom_sample(b, "", NULL, (double)m->scrapes);
	prom_family(b, "ptpcal_monitor_http_errors_total", "counter",
		    "HTTP requests refused (bad request line, wrong path, too large, timeout)");
	prom_sample(b, "", NULL, (double)m->http_errors);
	prom_gauge(b, "ptpcal_monitor_uptime_seconds", "since the monitor started",
		   (double)(now_mono - m->start_mono) / 1e9);
	if (self && self->rss_bytes >= 0)
		prom_gauge(b, "process_resident_memory_bytes", "resident memory of ptpcal monitor",
			   (double)self->rss_bytes);
	/* A leak shows here; the resident set also grows by heap fragmentation and by code
	 * paged in the first time a path runs (tests/long/monitor_rss.sh) */
	if (self && self->heap_bytes >= 0)
		prom_gauge(b, "ptpcal_monitor_heap_in_use_bytes",
			   "heap the monitor holds (malloc's bytes handed out and not freed)",
			   (double)self->heap_bytes);
	prom_gauge(b, "process_start_time_seconds", "start of ptpcal monitor (POSIX seconds)",
		   (double)(m->start_real_ns / 1000000000));
}

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	long size, rss;
	int n = fscanf(f, "%ld %ld", &size, &rss);
	fclose(f);
	return n == 2 ? rss * sysconf(_SC_PAGESIZE) : -1;
}

struct monitor_self monitor_self_now(void)
{
	struct monitor_self s = { .rss_bytes = rss_bytes(), .heap_bytes = -1 };
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PTPCAL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PTPCAL_ASAN 1
#endif
	/* glibc 2.33+: in-use arena chunks plus mmap'd blocks; under ASan malloc is not glibc's
	 * and mallinfo2 says 0: unknown */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33)) && \
	!defined(PTPCAL_ASAN)
	struct mallinfo2 mi = mallinfo2();
	s.heap_bytes = (long)(mi.uordblks + mi.hblkhd);
#endif
	return s;
}
