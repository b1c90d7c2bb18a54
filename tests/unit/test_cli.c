#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/json.h"
#include "common/ptime.h"
#include "tests/unit/testutil.h"

START_TEST(durations)
{
	int64_t ns;
	ck_assert(parse_duration("1h", &ns) && ns == 3600 * NS_PER_SEC);
	ck_assert(parse_duration("1h30m", &ns) && ns == 5400 * NS_PER_SEC);
	ck_assert(parse_duration("10min", &ns) && ns == 600 * NS_PER_SEC);
	ck_assert(parse_duration("250ms", &ns) && ns == 250000000);
	ck_assert(parse_duration("2.5", &ns) && ns == 2500000000LL);
	ck_assert(parse_duration("90s", &ns) && ns == 90 * NS_PER_SEC);
	ck_assert(!parse_duration("", &ns));
	ck_assert(!parse_duration("-5s", &ns));
	ck_assert(!parse_duration("5 parsecs", &ns));
	ck_assert(!parse_duration("1h30", &ns));
}
END_TEST

START_TEST(time_values)
{
	double ns;
	ck_assert(parse_time_value("180us", 1, &ns) && fabs(ns - 180000) < 1e-6);
	/* finite as written, infinite in ns: refused */
	ck_assert(!parse_time_value("-1e306", 1000, &ns));
	ck_assert(!parse_time_value("1e300s", 1, &ns));
	ck_assert(parse_time_value("-2.5\xc2\xb5s", 1, &ns) && fabs(ns + 2500) < 1e-6);
	ck_assert(parse_time_value("0.000180", 1e9, &ns) && fabs(ns - 180000) < 1e-6);
	ck_assert(parse_time_value("1.8e-4", 1e9, &ns) && fabs(ns - 180000) < 1e-6);
	ck_assert(parse_time_value("150", 1, &ns) && ns == 150);
	ck_assert(!parse_time_value("150 furlongs", 1, &ns));
	uint64_t sz;
	ck_assert(parse_size("100M", &sz) && sz == 100 * 1048576ULL);
	ck_assert(parse_size("4096", &sz) && sz == 4096);
	ck_assert(!parse_size("1X", &sz));
}
END_TEST

START_TEST(human_formats)
{
	char b[64];
	ck_assert_str_eq(fmt_si_time(180000, b, sizeof(b)), "180.000 \xc2\xb5s");
	ck_assert_str_eq(fmt_si_time(-12.34, b, sizeof(b)), "-12.3 ns");
	ck_assert_str_eq(fmt_si_time(1.25e6, b, sizeof(b)), "1.250 ms");
	ck_assert_str_eq(fmt_si_time(NAN, b, sizeof(b)), "n/a");
	ck_assert_str_eq(fmt_duration(3725e9, b, sizeof(b)), "1 h 02 min");
	ck_assert_str_eq(fmt_duration(12.34e9, b, sizeof(b)), "12.3 s");
}
END_TEST

START_TEST(json_output)
{
	const char *p = tu_path("out.json");
	FILE *f = fopen(p, "w");
	struct json j;
	json_init(&j, f, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "s", "a\"b\\c\n\x01");
	json_num(&j, "x", 0.1);
	json_num(&j, "nan", NAN);
	json_int(&j, "i", -7);
	json_bool(&j, "b", true);
	json_null(&j, "n");
	json_time(&j, "t", 1700000000000000001LL);
	json_arr_begin(&j, "a");
	json_int(&j, NULL, 1);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
	fclose(f);
	char *s = tu_read_file(p);
	ck_assert_str_eq(s, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"x\":0.1,\"nan\":null,\"i\":-7,"
			    "\"b\":true,\"n\":null,\"t\":\"1700000000.000000001\",\"a\":[1,{},[]]}\n");
	free(s);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, durations);
	tcase_add_test(tc, time_values);
	tcase_add_test(tc, human_formats);
	tcase_add_test(tc, json_output);
	suite_add_tcase(s, tc);
	return s;
}
