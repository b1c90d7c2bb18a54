#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/decimate.h"
#include "common/json_read.h"
#include "report/html.h"
#include "report/summary.h"
#include "report/units.h"
#include "tests/unit/testutil.h"

START_TEST(si_units)
{
	ck_assert_str_eq(units_for_ns(0).name, "ns");
	ck_assert_str_eq(units_for_ns(NAN).name, "ns");
	ck_assert_str_eq(units_for_ns(999.9).name, "ns");
	ck_assert_str_eq(units_for_ns(1000).name, "\xc2\xb5s");
	ck_assert_str_eq(units_for_ns(-250e3).name, "\xc2\xb5s");
	ck_assert_double_eq(units_for_ns(-250e3).div, 1e3);
	ck_assert_str_eq(units_for_ns(1.5e6).name, "ms");
	ck_assert_str_eq(units_for_ns(3e9).name, "s");
}
END_TEST

START_TEST(time_axes)
{
	const int64_t start = 1795584296894952376LL; /* 2026-11-25 05:24:56 UTC */
	struct time_axis a = units_time_axis(10, true, start);
	ck_assert_int_eq(a.kind, AXIS_SECONDS);
	a = units_time_axis(1800, true, start);
	ck_assert_int_eq(a.kind, AXIS_MINUTES);
	ck_assert_double_eq(a.div, 60);
	a = units_time_axis(2 * 3600, true, start); /* 05:24 .. 07:24, one day */
	ck_assert_int_eq(a.kind, AXIS_DATES);
	ck_assert_str_eq(a.timefmt, "%H:%M");
	a = units_time_axis(24 * 3600, true, start); /* crosses midnight */
	ck_assert_int_eq(a.kind, AXIS_DATES);
	ck_assert_ptr_nonnull(strstr(a.timefmt, "%d %b"));
	a = units_time_axis(24 * 3600, false, 0); /* no absolute start: hours */
	ck_assert_int_eq(a.kind, AXIS_HOURS);
	ck_assert_double_eq(a.div, 3600);
}
END_TEST

/* 10^5 samples of a slow ramp with two one-sample spikes: decimated to 100 buckets, the
 * spikes survive exactly, the output is bounded and in time order. */
START_TEST(decimation_keeps_extremes)
{
	size_t n = 100000;
	double *t = malloc(n * sizeof(double)), *v = malloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		t[i] = (double)i * 0.01;
		v[i] = (double)(i % 1000) * 0.001;
	}
	v[12345] = 500;
	v[67890] = -700;
	struct dec_point *out = malloc(decimate_max_out(n, 100) * sizeof(*out));
	size_t k = decimate_minmax(t, v, n, 100, out);
	ck_assert_uint_le(k, 200);
	ck_assert_uint_ge(k, 100);
	double mx = -INFINITY, mn = INFINITY;
	for (size_t i = 0; i < k; i++) {
		ck_assert(!isnan(out[i].v)); /* no gaps in this series */
		if (i)
			ck_assert(out[i].t >= out[i - 1].t);
		mx = fmax(mx, out[i].v);
		mn = fmin(mn, out[i].v);
	}
	ck_assert_double_eq(mx, 500);
	ck_assert_double_eq(mn, -700);
	/* the spike keeps its own time */
	bool found = false;
	for (size_t i = 0; i < k; i++)
		found |= out[i].v == 500 && out[i].t == t[12345];
	ck_assert(found);
	free(t);
	free(v);
	free(out);
}
END_TEST

START_TEST(decimation_gaps_and_small)
{
	/* short series: copied as they are, NaNs dropped */
	double t[] = { 0, 1, 2, 3, 4 }, v[] = { 1, NAN, 3, 4, 5 };
	struct dec_point out[16];
	size_t k = decimate_minmax(t, v, 5, 100, out);
	ck_assert_uint_eq(k, 4);
	ck_assert_double_eq(out[1].v, 3);
	/* a long series with a hole in the middle gets exactly one gap marker there */
	size_t n = 10000;
	double *tt = malloc(n * sizeof(double)), *vv = malloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		tt[i] = i < n / 2 ? (double)i : (double)i + 5000; /* 5000 s without data */
		vv[i] = (double)(i % 7);
	}
	struct dec_point *o = malloc(decimate_max_out(n, 50) * sizeof(*o));
	k = decimate_minmax(tt, vv, n, 50, o);
	size_t gaps = 0;
	for (size_t i = 0; i < k; i++)
		gaps += isnan(o[i].v);
	ck_assert_uint_eq(gaps, 1);
	free(tt);
	free(vv);
	free(o);
}
END_TEST

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	html_escape(f, s);
	fclose(f);
	return buf;
}

START_TEST(html_escaping)
{
	char *e = escaped("<script>alert('x & \"y\"')</script>");
	ck_assert_str_eq(e, "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;");
	free(e);
	e = escaped("\xc2\xb5s \xe2\x88\x92 ok\tline\n\x01\x1b[31m");
	ck_assert_str_eq(e, "\xc2\xb5s \xe2\x88\x92 ok\tline\n[31m");
	free(e);
	e = escaped("");
	ck_assert_str_eq(e, "");
	free(e);
}
END_TEST

static const char *row_value(const struct summary *s, const char *label)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->rows[i].label, label) == 0)
			return s->rows[i].value;
	return "(missing)";
}

/* The correction's interval follows the bias interval: shifted when the correction is the
 * bias itself (ptp4l delayAsymmetry), mirrored when it is its negative (a refclock offset). */
START_TEST(calibration_interval)
{
	const char *an = "{\"schema\":\"ptpcal-analyze/1\"}";
	const char *same = "{\"schema\":\"ptpcal-calibrate/1\",\"refused\":false,\"bias_ns\":-100,"
			   "\"ci_lo_ns\":-130,\"ci_hi_ns\":-90,\"correction_ns\":-100}";
	const char *flip = "{\"schema\":\"ptpcal-calibrate/1\",\"refused\":false,\"bias_ns\":-100,"
			   "\"ci_lo_ns\":-130,\"ci_hi_ns\":-90,\"correction_ns\":100}";
	char err[100];
	struct jr_value *a = jr_parse(an, strlen(an), err, sizeof(err));
	struct jr_value *c1 = jr_parse(same, strlen(same), err, sizeof(err));
	struct jr_value *c2 = jr_parse(flip, strlen(flip), err, sizeof(err));
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(c1);
	ck_assert_ptr_nonnull(c2);
	struct summary s;
	summary_build(&s, a, c1);
	ck_assert_str_eq(row_value(&s, "correction"), "-100.0 ns  [-130.0 ns, -90.0 ns]");
	ck_assert_str_eq(row_value(&s, "measured bias"), "-100.0 ns  [-130.0 ns, -90.0 ns]");
	summary_free(&s);
	summary_build(&s, a, c2);
	ck_assert_str_eq(row_value(&s, "correction"), "100.0 ns  [90.0 ns, 130.0 ns]");
	summary_free(&s);
	jr_free(a);
	jr_free(c1);
	jr_free(c2);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, si_units);
	tcase_add_test(tc, time_axes);
	tcase_add_test(tc, decimation_keeps_extremes);
	tcase_add_test(tc, decimation_gaps_and_small);
	tcase_add_test(tc, html_escaping);
	tcase_add_test(tc, calibration_interval);
	suite_add_tcase(s, tc);
	return s;
}
