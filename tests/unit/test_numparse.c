/* The fast number parser (common/numparse.h) against glibc's strtod, the reference for
 * correct rounding: every number it accepts must equal strtod's to the last bit, and it must
 * accept nearly all numbers in the forms ptpcal reads most (%.17g phase, fixed decimals). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "common/numparse.h"
#include "tests/unit/testutil.h"

/* true if numparse_fast accepted s; fails the test if it disagrees with strtod. */
static bool same_as_strtod(const char *s)
{
	double v;
	if (!numparse_fast(s, strlen(s), &v))
		return false;
	char *end;
	double ref = strtod(s, &end);
	ck_assert_msg(*end == 0, "'%s' accepted, strtod stops early", s);
	ck_assert_msg(memcmp(&v, &ref, sizeof(v)) == 0, "'%s': %.17g, strtod %.17g", s, v, ref);
	return true;
}

/* The eight-digit steps: runs of 1..24 digits (every length across 8 and 16, and past the
 * 19 the fast path takes) with a character after them that is one off a digit ('/' and ':'
 * are '0' - 1 and '9' + 1) or ends the number, at every position; numparse_prefix ends where
 * strtod does, with its value, or declines. */
START_TEST(digit_runs_and_their_ends)
{
	static const char ends[] = "/:.eE -#";
	size_t accepted = 0;
	for (int len = 1; len <= 24; len++) {
		for (const char *e = ends; *e; e++) {
			for (int frac = 0; frac <= 1; frac++) {
				char buf[64];
				size_t k = 0;
				if (frac) {
					buf[k++] = '7';
					buf[k++] = '.';
				}
				for (int d = 0; d < len; d++)
					buf[k++] = (char)('1' + (d * 7 + len) % 9);
				buf[k++] = *e;
				buf[k++] = '5';
				buf[k] = 0;
				double v;
				size_t used = numparse_prefix(buf, k, &v);
				if (!used)
					continue;
				char *end;
				double ref = strtod(buf, &end);
				ck_assert_msg(used == (size_t)(end - buf), "'%s': %zu, strtod %td", buf,
					      used, end - buf);
				ck_assert_msg(memcmp(&v, &ref, sizeof(v)) == 0, "'%s'", buf);
				accepted++;
			}
		}
	}
	ck_assert_msg(accepted > 200, "accepted %zu", accepted);
}
END_TEST

START_TEST(random_doubles_every_format)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t accepted = 0, tried = 0;
	for (int i = 0; i < 200000; i++) {
		/* magnitudes 1e-40 .. 1e40, random significands */
		double v = (gsl_rng_uniform(r) + 0.5) * pow(10, (double)gsl_rng_uniform_int(r, 81) - 40);
		if (gsl_rng_uniform_int(r, 2))
			v = -v;
		char buf[128];
		switch (i % 8) { /* literal formats: -Wformat-nonliteral */
		case 0: snprintf(buf, sizeof(buf), "%.17g", v); break;
		case 1: snprintf(buf, sizeof(buf), "%.16g", v); break;
		case 2: snprintf(buf, sizeof(buf), "%.15g", v); break;
		case 3: snprintf(buf, sizeof(buf), "%.6g", v); break;
		case 4: snprintf(buf, sizeof(buf), "%.9f", v); break;
		case 5: snprintf(buf, sizeof(buf), "%.3e", v); break;
		case 6: snprintf(buf, sizeof(buf), "%.18e", v); break;
		default: snprintf(buf, sizeof(buf), "%.0f", v); break;
		}
		tried++;
		accepted += same_as_strtod(buf);
	}
	ck_assert_msg(accepted > tried * 9 / 10, "accepted %zu of %zu", accepted, tried);
	gsl_rng_free(r);
}
END_TEST

/* The forms of a phase series (numpy "%.17g" of 1e-12 .. 1e-3 s) and of fixed-decimal
 * datasets: all but a few (the rounding-too-close cases) take the fast path. */
START_TEST(common_forms_fast)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t accepted = 0, n = 100000;
	for (size_t i = 0; i < n; i++) {
		double v = (gsl_rng_uniform(r) - 0.5) * pow(10, -(double)gsl_rng_uniform_int(r, 10) - 3);
		char buf[64];
		if (i % 2)
			snprintf(buf, sizeof(buf), "%.17g", v);
		else
			snprintf(buf, sizeof(buf), "%.3f", v * 1e12);
		accepted += same_as_strtod(buf);
	}
	ck_assert_msg(accepted >= n - n / 200, "accepted %zu of %zu", accepted, n);
	gsl_rng_free(r);
}
END_TEST

/* Exact halfway points between doubles (2^k + 2^(k-53); also 1e23 = 2^23 5^23, 5^23 of 54
 * bits), where a double rounding would go
 * wrong, and their neighbours; signs, zeros, edge syntax. */
START_TEST(halfway_and_syntax)
{
	for (int k = 53; k <= 63; k++) {
		same_as_strtod("1e23");
		uint64_t w = (UINT64_C(1) << k) + (UINT64_C(1) << (k - 53));
		for (int d = -1; d <= 1; d++) {
			char buf[64];
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(w + (uint64_t)d));
			same_as_strtod(buf);
			snprintf(buf, sizeof(buf), "%llue-20", (unsigned long long)(w + (uint64_t)d));
			same_as_strtod(buf);
		}
	}
	static const char *const ok[] = { "0", "-0", "+0.0", ".5", "5.", "-1.5e3", "1E+2",
					  "0.000000000000000000000000001", "1700000000.123456789",
					  "9999999999999999999", "1e22", "1e27", "-2.5e-53" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(same_as_strtod(ok[i]), "'%s' not taken", ok[i]);
	double v = 1;
	ck_assert(numparse_fast("-0", 2, &v) && v == 0 && signbit(v));
	static const char *const no[] = { "", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x10",
					  "nan", "inf", "1 ", " 1", "1,5", "12345678901234567890",
					  "1e400", "1e-400" };
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!numparse_fast(no[i], strlen(no[i]), &v), "'%s' taken", no[i]);
}
END_TEST

Suite *numparse_suite(void)
{
	Suite *s = suite_create("numparse");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, random_doubles_every_format);
	tcase_add_test(tc, digit_runs_and_their_ends);
	tcase_add_test(tc, common_forms_fast);
	tcase_add_test(tc, halfway_and_syntax);
	suite_add_tcase(s, tc);
	return s;
}
