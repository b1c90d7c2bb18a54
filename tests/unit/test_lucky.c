/* Lucky-packet filter on constructed delays with a known selection. */
#include <math.h>
#include <stdlib.h>

#include "analyze/lucky.h"
#include "tests/unit/testutil.h"

/* Exchanges whose extra forward queueing q raises both the delay (by q/2) and the offset (by
 * q/2): t2 - t1 = 1000 + q, t4 - t3 = 1000. 200 exchanges, q = 0 for every 10th, else
 * 100 + i. --lucky 10: block ceil(1000/10) = 100 exchanges, 10 kept per block, exactly the
 * q = 0 ones: mean offset after = 0, before = mean of q/2. */
START_TEST(keeps_smallest_delays)
{
	struct ex_series s;
	exs_init(&s);
	double sum = 0;
	for (int i = 0; i < 200; i++) {
		int64_t q = i % 10 == 0 ? 0 : 100 + i;
		int64_t t = (int64_t)i * 125000000;
		exs_append(&s, t, t + 1000 + q, t + 5000, t + 6000, 0);
		sum += q / 2.0;
	}
	ck_assert_int_eq(lucky_block(10), 100);
	ck_assert_int_eq(lucky_block(50), 32);
	struct lucky_result r;
	lucky_apply(&s, s.offset, 10, &r);
	ck_assert_int_eq(r.block, 100);
	ck_assert_int_eq(r.considered, 200);
	ck_assert_int_eq(r.kept, 20);
	ck_assert_double_near(r.fraction, 0.1, 1e-12);
	ck_assert_double_near(r.mean_after, 0, 1e-12);
	ck_assert_double_near(r.mean_before, sum / 200, 1e-9);
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(s.lucky[i], i % 10 == 0);
	/* settling samples are neither considered nor kept */
	for (int i = 0; i < 100; i++)
		s.state[i] = SAMPLE_SETTLING;
	lucky_apply(&s, s.offset, 10, &r);
	ck_assert_int_eq(r.considered, 100);
	ck_assert_int_eq(r.kept, 10);
	ck_assert_int_eq(s.lucky[0], 0);
	ck_assert_int_eq(s.lucky[100], 1);
	/* 100 %: everything */
	lucky_apply(&s, s.offset, 100, &r);
	ck_assert_int_eq(r.kept, 100);
	exs_free(&s);
}
END_TEST

Suite *lucky_suite(void)
{
	Suite *s = suite_create("lucky");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, keeps_smallest_delays);
	suite_add_tcase(s, tc);
	return s;
}
