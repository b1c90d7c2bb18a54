#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/ptime.h"
#include "tests/unit/testutil.h"

START_TEST(wire_conversion)
{
	struct ptime t;
	ck_assert(ptime_from_wire(1700000000, 123456789, &t));
	ck_assert_int_eq(t.ns, 1700000000123456789LL);
	ck_assert_int_eq(t.frac, 0);
	ck_assert(!ptime_from_wire(1, 1000000000u, &t));       /* ns out of range */
	ck_assert(!ptime_from_wire(UINT64_C(1) << 33, 0, &t)); /* beyond 2242 */
	ck_assert(ptime_from_wire((UINT64_C(1) << 33) - 1, 999999999, &t));
}
END_TEST

START_TEST(add_scaled_ns)
{
	struct ptime t = ptime_from_ns(1000);
	struct ptime u = ptime_add_sns(t, 65536 * 3 / 2); /* +1.5 ns */
	ck_assert_int_eq(u.ns, 1001);
	ck_assert_int_eq(u.frac, 32768);
	u = ptime_add_sns(t, -1); /* -2^-16 ns */
	ck_assert_int_eq(u.ns, 999);
	ck_assert_int_eq(u.frac, 65535);
	u = ptime_add_sns(u, 1);
	ck_assert_int_eq(u.ns, 1000);
	ck_assert_int_eq(u.frac, 0);
	u = ptime_add_sns(t, -65536 * 5); /* -5 ns exactly */
	ck_assert_int_eq(u.ns, 995);
	ck_assert_int_eq(u.frac, 0);
}
END_TEST

START_TEST(difference)
{
	struct ptime a = { 1700000000000000000LL, 100 }, b = { 1700000000000000007LL, 40000 };
	int64_t d;
	ck_assert(ptime_diff_sns(a, b, &d));
	ck_assert_int_eq(d, -7 * 65536 + 100 - 40000);
	ck_assert(ptime_diff_sns(b, a, &d));
	ck_assert_int_eq(d, 7 * 65536 - 100 + 40000);
	/* 37 s (the UTC/TAI trap) is representable; 2^47 ns (39 h) is not. */
	ck_assert(ptime_diff_sns(ptime_from_ns(37 * NS_PER_SEC), ptime_from_ns(0), &d));
	ck_assert_int_eq(d, 37 * NS_PER_SEC * 65536);
	ck_assert(!ptime_diff_sns(ptime_from_ns(INT64_C(1) << 47), ptime_from_ns(0), &d));
	ck_assert_double_near(ptime_diff_ns(b, a), 7 - 100 / 65536.0 + 40000 / 65536.0, 1e-9);
	ck_assert_int_eq(ptime_cmp(a, b), -1);
	ck_assert_int_eq(ptime_cmp(b, a), 1);
	ck_assert_int_eq(ptime_cmp(a, a), 0);
}
END_TEST

START_TEST(format_exact)
{
	char buf[PTIME_STRLEN];
	struct ptime t = { 1700000000123456789LL, 0 };
	ptime_format(t, buf);
	ck_assert_str_eq(buf, "1700000000.123456789");
	t.frac = 32768;
	ptime_format(t, buf);
	ck_assert_str_eq(buf, "1700000000.1234567895");
	t.frac = 1;
	ptime_format(t, buf);
	ck_assert_str_eq(buf, "1700000000.1234567890000152587890625");
	t = (struct ptime){ 5, 0 };
	ptime_format(t, buf);
	ck_assert_str_eq(buf, "0.000000005");
	t = (struct ptime){ -1, 32768 }; /* -0.5 ns */
	ptime_format(t, buf);
	ck_assert_str_eq(buf, "-0.0000000005");
	t = (struct ptime){ -1500000000LL, 0 };
	ptime_format(t, buf);
	ck_assert_str_eq(buf, "-1.500000000");
}
END_TEST

START_TEST(parse_forms)
{
	struct ptime t;
	ck_assert(ptime_parse("1700000000.123456789", &t, NULL));
	ck_assert_int_eq(t.ns, 1700000000123456789LL);
	ck_assert(ptime_parse("1.5", &t, NULL));
	ck_assert_int_eq(t.ns, 1500000000LL);
	ck_assert(ptime_parse("42", &t, NULL));
	ck_assert_int_eq(t.ns, 42 * NS_PER_SEC);
	ck_assert(ptime_parse("0.0000000005", &t, NULL));
	ck_assert_int_eq(t.ns, 0);
	ck_assert_int_eq(t.frac, 32768);
	ck_assert(ptime_parse("-0.0000000005", &t, NULL));
	ck_assert_int_eq(t.ns, -1);
	ck_assert_int_eq(t.frac, 32768);
	/* sub-ns digits that are not a multiple of 2^-16 ns round to the nearest */
	ck_assert(ptime_parse("0.0000000000001", &t, NULL)); /* 1e-4 ns = 6.55 units */
	ck_assert_int_eq(t.frac, 7);
	ck_assert(ptime_parse("0.0000000000000001", &t, NULL)); /* 1e-7 ns */
	ck_assert_int_eq(t.frac, 0);
	ck_assert(ptime_parse("0.0000000009999999", &t, NULL));
	ck_assert_int_eq(t.ns, 1);
	ck_assert_int_eq(t.frac, 0);
	const char *end;
	ck_assert(ptime_parse("12.5\tx", &t, &end));
	ck_assert_str_eq(end, "\tx");
	const char *bad[] = { "", "-", "abc", "1.", ".5", "1.2.3", "1e5", " 1", "1 ", "+1",
			      "1.00000000000000000000000001", "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!ptime_parse(bad[i], &t, NULL), "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(round_trip_random)
{
	srand(1588);
	char buf[PTIME_STRLEN];
	for (int i = 0; i < 100000; i++) {
		struct ptime t;
		t.ns = ((int64_t)rand() << 31 | rand()) % (INT64_C(4) * NS_PER_SEC * 1000000000);
		if (i & 1)
			t.ns = -t.ns;
		t.frac = (uint16_t)(i % 3 ? rand() & 0xffff : 0);
		ptime_format(t, buf);
		struct ptime u;
		ck_assert_msg(ptime_parse(buf, &u, NULL), "cannot parse %s", buf);
		ck_assert_msg(u.ns == t.ns && u.frac == t.frac, "%s: %lld/%u != %lld/%u", buf,
			      (long long)u.ns, u.frac, (long long)t.ns, t.frac);
	}
}
END_TEST

Suite *ptime_suite(void)
{
	Suite *s = suite_create("ptime");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, wire_conversion);
	tcase_add_test(tc, add_scaled_ns);
	tcase_add_test(tc, difference);
	tcase_add_test(tc, format_exact);
	tcase_add_test(tc, parse_forms);
	tcase_add_test(tc, round_trip_random);
	suite_add_tcase(s, tc);
	return s;
}
