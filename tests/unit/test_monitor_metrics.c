/* The Prometheus text of `ptpcal monitor`: the format rules (HELP/TYPE before samples,
 * escaping, NaN/Inf, seconds from ns), a filled-in state rendered to known lines, the window
 * statistics and the ring's bound. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/monitor.h"
#include "pipeline/monitor_metrics.h"
#include "pipeline/monitor_sources.h"
#include "pipeline/prom_text.h"
#include "tests/unit/testutil.h"

START_TEST(format_rules)
{
	struct prom_buf b = { 0 };
	prom_family(&b, "x_seconds", "gauge", "a \\ help\nline");
	const char *l[] = { "a", "q\"u\\o\nte", "b", "2", NULL };
	prom_sample(&b, "", l, 1.5e-6);
	prom_sample(&b, "_sum", NULL, NAN);
	prom_sample(&b, "", NULL, INFINITY);
	prom_sample(&b, "", NULL, -INFINITY);
	prom_sample(&b, "", NULL, 0.1);
	ck_assert_str_eq(b.s, "# HELP x_seconds a \\\\ help\\nline\n"
			      "# TYPE x_seconds gauge\n"
			      "x_seconds{a=\"q\\\"u\\\\o\\nte\",b=\"2\"} 1.5e-06\n"
			      "x_seconds_sum NaN\n"
			      "x_seconds +Inf\n"
			      "x_seconds -Inf\n"
			      "x_seconds 0.1\n");
	prom_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert(prom_valid_name("ptpcal_ptp_offset_seconds", false));
	ck_assert(prom_valid_name("job:x:rate5m", false));
	ck_assert(!prom_valid_name("job:x", true));
	ck_assert(!prom_valid_name("1x", false));
	ck_assert(!prom_valid_name("a-b", false));
	ck_assert(!prom_valid_name("", false));
	prom_free(&b);
}
END_TEST

static const char *line_of(const char *text, const char *prefix)
{
	static char buf[256];
	size_t pl = strlen(prefix);
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (n >= pl && memcmp(l, prefix, pl) == 0 && (l[pl] == ' ' || l[pl] == '{')) {
			snprintf(buf, sizeof(buf), "%.*s", (int)n, l);
			return buf;
		}
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static double value_of(const char *text, const char *sample)
{
	char want[256];
	snprintf(want, sizeof(want), "\n%s", sample); /* a sample line, not its HELP */
	const char *p = strstr(text, want);
	ck_assert_msg(p != NULL, "no %s", sample);
	return strtod(p + strlen(want), NULL);
}

/* Every family: its HELP, then its TYPE, then only its own samples. */
static void check_structure(const char *text)
{
	char family[128] = "";
	int state = 0; /* 0 expect HELP, 1 expect TYPE, 2 samples */
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		ck_assert_ptr_nonnull(nl);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)(nl - l), l);
		if (strncmp(line, "# HELP ", 7) == 0) {
			sscanf(line + 7, "%127s", family);
			state = 1;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			ck_assert_int_eq(state, 1);
			char f[128];
			sscanf(line + 7, "%127s", f);
			ck_assert_str_eq(f, family);
			state = 2;
		} else {
			ck_assert_int_eq(state, 2);
			ck_assert_msg(strncmp(line, family, strlen(family)) == 0, "%s outside %s", line,
				      family);
		}
		l = nl + 1;
	}
}

START_TEST(render_state)
{
	struct monitor m;
	monitor_init(&m, 0.25, 60, 2);
	for (int s = 0; s < MON_NSOURCES; s++)
		m.src[s].enabled = true;
	m.src[MON_NTPSEC].enabled = false;
	m.start_mono = 0;
	monitor_mark(&m, MON_PTP4L, true, NULL);
	monitor_mark(&m, MON_PTP4L, false, "gone");
	monitor_mark(&m, MON_PTP4L, true, NULL);
	monitor_mark(&m, MON_SHM, false, "no segment");
	struct mon_ptp *p = &m.ptp;
	p->have_port = p->have_current = p->have_status = p->have_parent = p->have_props = true;
	p->port.state = 8;
	p->status.master_offset_ns = 100250;
	p->status.gm_present = 1;
	p->current.delay_scaled = (int64_t)402000 << 16;
	p->current.steps_removed = 1;
	static const uint8_t gm[8] = { 0x02, 0x42, 0xac, 0xff, 0xfe, 0x11, 0x00, 0x02 };
	memcpy(p->parent.gm_identity, gm, 8);
	memcpy(p->parent.parent.clock, gm, 8);
	p->parent.parent.port = 1;
	p->parent.gm_quality.clock_class = 6;
	p->parent.gm_quality.clock_accuracy = 0x21;
	p->props.utc_offset = 37;
	p->props.flags = PMC_PTP_TIMESCALE | PMC_UTC_OFF_VALID;
	p->props.time_source = 0x20;
	m.leap.loaded = true;
	m.leap.expires = 1782777600;
	m.leap.tai_utc = 37;
	/* offsets 100 us +- 1 us, alternating, four per second for 40 s */
	for (int i = 0; i < 160; i++)
		mon_series_add(&p->offset, (int64_t)i * 250000000, 100000.0 + (i % 2 ? 1000 : -1000));
	m.have_truth = true;
	m.truth_offset_ns = 0;
	struct prom_buf b = { 0 };
	struct monitor_self self = { .rss_bytes = 123456789, .heap_bytes = 2345678 };
	monitor_render(&m, 40LL * 1000000000, &self, &b);
	check_structure(b.s);
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_offset_seconds"), "ptpcal_ptp_offset_seconds 0.00010025");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_port_state"),
			 "ptpcal_ptp_port_state{state=\"UNCALIBRATED\"} 8");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_mean_path_delay_seconds"),
			 "ptpcal_ptp_mean_path_delay_seconds 0.000402");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_grandmaster_info"),
			 "ptpcal_ptp_grandmaster_info{gm_identity=\"0242ac.fffe.110002\","
			 "parent_port_identity=\"0242ac.fffe.110002-1\"} 1");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_gm_clock_class"), "ptpcal_ptp_gm_clock_class 6");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_timescale_ptp"), "ptpcal_ptp_timescale_ptp 1");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_time_traceable"), "ptpcal_ptp_time_traceable 0");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_utc_offset_matches_leapfile"),
			 "ptpcal_ptp_utc_offset_matches_leapfile 1");
	ck_assert_str_eq(line_of(b.s, "ptpcal_source_up"), "ptpcal_source_up{source=\"ptp4l\"} 1");
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_source_up{source=\"shm\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_source_recoveries_total{source=\"ptp4l\"} 1\n"));
	ck_assert_ptr_null(strstr(b.s, "source=\"ntpsec\""));
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_offset_window_mean_seconds"),
			 "ptpcal_ptp_offset_window_mean_seconds 0.0001");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_offset_bias_seconds"),
			 "ptpcal_ptp_offset_bias_seconds 0.0001");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_offset_window_samples"),
			 "ptpcal_ptp_offset_window_samples 160");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_offset_window_seconds_count"),
			 "ptpcal_ptp_offset_window_seconds_count 160");
	ck_assert_str_eq(line_of(b.s, "ptpcal_ptp_offset_window_max_abs_seconds"),
			 "ptpcal_ptp_offset_window_max_abs_seconds 0.000101");
	/* alternating +-1 us: MTIE over any interval is 2 us, TDEV at tau 1 s (m = 4, even)
	 * is 0 */
	ck_assert_double_eq_tol(value_of(b.s, "ptpcal_ptp_offset_mtie_seconds{tau_seconds=\"1\"} "),
				2e-6, 1e-15);
	ck_assert_double_eq_tol(value_of(b.s, "ptpcal_ptp_offset_tdev_seconds{tau_seconds=\"1\"} "),
				0, 1e-15);
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_ptp_offset_tdev_seconds{tau_seconds=\"10\"}"));
	ck_assert_ptr_null(strstr(b.s, "tau_seconds=\"100\"")); /* 40 s cannot hold it */
	/* "1.7827776e+09": the shortest exact text, which Prometheus reads as well */
	ck_assert_double_eq(value_of(b.s, "ptpcal_leapfile_expiry_timestamp_seconds "), 1782777600);
	ck_assert_double_eq(value_of(b.s, "process_resident_memory_bytes "), 123456789);
	ck_assert_double_eq(value_of(b.s, "ptpcal_monitor_heap_in_use_bytes "), 2345678);
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_gnss_fix_ok 0\n"));
	prom_free(&b);
	monitor_free(&m);
}
END_TEST

/* The ring keeps its size and drops what is older than the window; a gap empties it. */
START_TEST(series_bound)
{
	struct mon_series s;
	mon_series_init(&s, 100, 10000000000LL, 5000000000LL);
	for (int i = 0; i < 10000; i++)
		mon_series_add(&s, (int64_t)i * 100000000, i);
	ck_assert_uint_eq(s.n, 100); /* 10 s at 10 Hz = 101 samples: bounded by the ring */
	ck_assert_uint_eq(s.count, 10000);
	double scratch[100];
	struct mon_window w;
	mon_series_window(&s, scratch, 0, &w);
	ck_assert_uint_eq(w.d.n, 100);
	ck_assert_double_eq_tol(w.d.mean, 9949.5, 1e-9);
	ck_assert_double_eq(w.d.min, 9900);
	ck_assert_double_eq_tol(w.tau0_s, 0.1, 1e-9);
	mon_series_add(&s, 10000LL * 100000000 + 6000000000LL, 5); /* after a 6 s gap */
	ck_assert_uint_eq(s.n, 1);
	mon_series_window(&s, scratch, 1, &w);
	ck_assert_uint_eq(w.ntau, 0);
	mon_series_expire(&s, 10000LL * 100000000 + 20000000000LL);
	ck_assert_uint_eq(s.n, 0);
	mon_series_window(&s, scratch, 1, &w);
	ck_assert_uint_eq(w.d.n, 0);
	mon_series_add(&s, 0, NAN); /* non-finite: ignored */
	ck_assert_uint_eq(s.count, 10001);
	mon_series_free(&s);
}
END_TEST

/* Its own memory: the resident set and the heap in use follow a megabyte held, then freed */
START_TEST(self_memory)
{
	struct monitor_self a = monitor_self_now();
	ck_assert_int_gt(a.rss_bytes, 0);
	bool heap = a.heap_bytes >= 0; /* unknown under ASan (its own malloc) */
	if (heap)
		ck_assert_int_gt(a.heap_bytes, 0);
	size_t n = 4u << 20;
	unsigned char *p = malloc(n);
	ck_assert_ptr_nonnull(p);
	volatile unsigned char *vp = p; /* every page written: a memset before free may be elided */
	for (size_t i = 0; i < n; i += 512)
		vp[i] = 0x5a;
	struct monitor_self b = monitor_self_now();
	if (heap)
		ck_assert_int_ge(b.heap_bytes - a.heap_bytes, (long)n);
	ck_assert_int_ge(b.rss_bytes - a.rss_bytes, (long)n / 2); /* ASan's shadow aside */
	free(p);
	struct monitor_self c = monitor_self_now();
	if (heap)
		ck_assert_int_lt(c.heap_bytes, b.heap_bytes - (long)n / 2);
	else
		ck_assert_int_eq(c.heap_bytes, -1);
}
END_TEST

Suite *monitor_metrics_suite(void)
{
	Suite *s = suite_create("monitor_metrics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, format_rules);
	tcase_add_test(tc, render_state);
	tcase_add_test(tc, series_bound);
	tcase_add_test(tc, self_memory);
	suite_add_tcase(s, tc);
	return s;
}
