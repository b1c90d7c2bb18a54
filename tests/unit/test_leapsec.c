/* leap-seconds.list: the format of the IERS/NIST file, dates checked by hand. */
#include <string.h>

#include "analyze/leapsec.h"
#include "tests/unit/testutil.h"

/* Excerpt in the file's own format. NTP 3692217600 = 1 Jan 2017 = unix 1483228800;
 * NTP 3644697600 = 1 Jul 2015 = unix 1435708800; expiry NTP 3991593600 = unix 1782604800
 * (28 Jun 2026). */
static const char excerpt[] =
	"#\tUpdated through IERS Bulletin C\n"
	"#$\t 3676924800\n"
	"#@\t3991593600\n"
	"#\n"
	"2272060800\t10\t# 1 Jan 1972\n"
	"3550089600\t35\t# 1 Jul 2012\n"
	"3644697600\t36\t# 1 Jul 2015\n"
	"3692217600\t37\t# 1 Jan 2017\n"
	"#h\t16edd0f0 3666784f 37db6bdd e74ced87 59af48f1\n";

START_TEST(parse_and_lookup)
{
	struct leapsec ls;
	ck_assert(leapsec_parse(excerpt, strlen(excerpt), &ls));
	ck_assert_int_eq(ls.n, 4);
	ck_assert_int_eq(ls.expires_unix, 1782604800LL);
	int v;
	ck_assert(leapsec_tai_utc(&ls, 1483228800LL, &v));
	ck_assert_int_eq(v, 37);
	ck_assert(leapsec_tai_utc(&ls, 1483228799LL, &v));
	ck_assert_int_eq(v, 36);
	ck_assert(leapsec_tai_utc(&ls, 1435708800LL + 86400, &v));
	ck_assert_int_eq(v, 36);
	ck_assert(leapsec_tai_utc(&ls, 1795000000LL, &v)); /* after the last entry */
	ck_assert_int_eq(v, 37);
	ck_assert(leapsec_tai_utc(&ls, 63072000LL, &v)); /* 1 Jan 1972 */
	ck_assert_int_eq(v, 10);
	ck_assert(!leapsec_tai_utc(&ls, 63071999LL, &v)); /* before the table */
}
END_TEST

START_TEST(rejects_malformed)
{
	struct leapsec ls;
	const char *bad[] = {
		"",                                   /* no entry */
		"# only comments\n",
		"3692217600 37 # ok\n3644697600 36\n", /* out of order */
		"3692217600\n",                       /* no offset */
		"3692217600 x37\n",
		"3692217600 37 trailing\n",
		"99999999999999999999999 37\n",       /* overflow */
		"#@ nope\n3692217600 37\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!leapsec_parse(bad[i], strlen(bad[i]), &ls), "accepted case %zu", i);
	/* no NUL needed: a length cuts the text */
	ck_assert(leapsec_parse("3692217600 37\n3692217600 38\n", 14, &ls));
	ck_assert_int_eq(ls.n, 1);
}
END_TEST

/* The installed file (tzdata) where present: TAI - UTC was 37 s from 2017 on (IERS). */
START_TEST(system_file)
{
	struct leapsec ls;
	if (!leapsec_load(LEAPSEC_DEFAULT_PATH, &ls))
		return; /* tzdata without it: nothing to check */
	int v;
	ck_assert(leapsec_tai_utc(&ls, 1577836800LL, &v)); /* 2020-01-01 */
	ck_assert_int_eq(v, 37);
	ck_assert(!leapsec_load("/nonexistent/leap-seconds.list", &ls));
}
END_TEST

Suite *leapsec_suite(void)
{
	Suite *s = suite_create("leapsec");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, parse_and_lookup);
	tcase_add_test(tc, rejects_malformed);
	tcase_add_test(tc, system_file);
	suite_add_tcase(s, tc);
	return s;
}
