#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/numfmt.h"
#include "tests/unit/testutil.h"

static const char *fx(double v, int d)
{
	static char buf[NUMFMT_MAX + 1];
	*fmt_fixed(buf, v, d) = '\0';
	return buf;
}

START_TEST(fixed)
{
	ck_assert_str_eq(fx(0, 3), "0.000");
	ck_assert_str_eq(fx(-3917.5, 3), "-3917.500");
	ck_assert_str_eq(fx(1.0005, 3), "1.001");
	ck_assert_str_eq(fx(-0.0001, 3), "0.000"); /* no "-0.000" */
	ck_assert_str_eq(fx(123456789.123456789, 9), "123456789.123456791");
	ck_assert_str_eq(fx(42, 0), "42");
	ck_assert_str_eq(fx(NAN, 3), "nan");
	ck_assert_str_eq(fx(-INFINITY, 3), "-inf");
	ck_assert_str_eq(fx(2.5e15, 3), "2500000000000000");
}
END_TEST

START_TEST(integers)
{
	char buf[NUMFMT_MAX + 1];
	*fmt_i64(buf, INT64_MIN) = '\0';
	ck_assert_str_eq(buf, "-9223372036854775808");
	*fmt_i64(buf, 0) = '\0';
	ck_assert_str_eq(buf, "0");
	*fmt_u64(buf, UINT64_MAX) = '\0';
	ck_assert_str_eq(buf, "18446744073709551615");
}
END_TEST

/* Against the C library's own decimal conversion, at every digit-count and power-of-two
 * boundary (where the digit count is estimated from the bit length) and on random values. */
START_TEST(integers_vs_snprintf)
{
	char buf[NUMFMT_MAX + 1], want[32];
	uint64_t vals[4 * 64 + 4 * 20 + 2000];
	int n = 0;
	uint64_t p10 = 1;
	for (int k = 0; k < 20; k++, p10 *= 10) {
		vals[n++] = p10 - 1;
		vals[n++] = p10;
		vals[n++] = p10 + 1;
		vals[n++] = p10 * 9;
	}
	for (int k = 0; k < 64; k++) {
		uint64_t b = (uint64_t)1 << k;
		vals[n++] = b - 1;
		vals[n++] = b;
		vals[n++] = b + 1;
		vals[n++] = b | (b - 1);
	}
	uint64_t x = 88172645463325252ull; /* xorshift64 */
	while (n < (int)(sizeof(vals) / sizeof(vals[0]))) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		vals[n++] = x >> (x % 64);
	}
	for (int i = 0; i < n; i++) {
		*fmt_u64(buf, vals[i]) = '\0';
		snprintf(want, sizeof(want), "%llu", (unsigned long long)vals[i]);
		ck_assert_str_eq(buf, want);
		*fmt_i64(buf, -(int64_t)(vals[i] >> 1)) = '\0';
		snprintf(want, sizeof(want), "%lld", -(long long)(vals[i] >> 1));
		ck_assert_str_eq(buf, want);
	}
	for (uint32_t v = 0; v < 1000; v++) {
		for (int w = 3; w <= 4; w++) {
			*fmt_u32_width(buf, v, w) = '\0';
			snprintf(want, sizeof(want), "%0*u", w, v);
			ck_assert_str_eq(buf, want);
		}
	}
}
END_TEST

START_TEST(double_round_trip)
{
	char buf[NUMFMT_MAX + 1];
	double vals[] = { 0.1, 1e-300, 3.141592653589793, -2.5e-9, 1e22, 123456.789 };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		*fmt_double(buf, vals[i]) = '\0';
		ck_assert_msg(strtod(buf, NULL) == vals[i], "%s", buf);
	}
	*fmt_double(buf, 0.1) = '\0';
	ck_assert_str_eq(buf, "0.1");
}
END_TEST

Suite *numfmt_suite(void)
{
	Suite *s = suite_create("numfmt");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, fixed);
	tcase_add_test(tc, integers);
	tcase_add_test(tc, integers_vs_snprintf);
	tcase_add_test(tc, double_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
