/* pipeline/watchdog_policy: GNSS-loss timelines with known answers (the policy:
 * holdover clockClass 7 after a sustained loss, 52 after the holdover budget, restore 6 only
 * after recover_s of good GNSS). */
#include "pipeline/watchdog_policy.h"
#include "tests/unit/testutil.h"

#define S(x) ((int64_t)((x) * 1000000000.0))

static struct wd mk(void)
{
	struct wd_config c;
	wd_config_default(&c);
	c.loss_s = 10;
	c.holdover_s = 100;
	c.recover_s = 30;
	struct wd w;
	wd_init(&w, &c, 0);
	return w;
}

static const struct pmc_gm_settings locked = {
	.quality = { .clock_class = 6, .clock_accuracy = 0x23, .variance = 0xffff },
	.utc_offset = 37,
	.time_flags = PMC_UTC_OFF_VALID | PMC_PTP_TIMESCALE,
	.time_source = 0x20,
};

static uint8_t cls(const struct wd *w)
{
	struct pmc_gm_settings s;
	wd_settings(w, &locked, &s);
	return s.quality.clock_class;
}

START_TEST(short_glitch_is_not_holdover)
{
	struct wd w = mk();
	ck_assert(!wd_step(&w, true, NULL, S(1)));
	ck_assert(wd_step(&w, false, "no fix", S(2)));
	ck_assert_int_eq(w.state, WD_LOSING);
	ck_assert_int_eq(cls(&w), 6);
	ck_assert(!wd_step(&w, false, "no fix", S(11.9)));
	ck_assert(wd_step(&w, true, NULL, S(12)));
	ck_assert_int_eq(w.state, WD_LOCKED);
	ck_assert_int_eq(cls(&w), 6);
}
END_TEST

START_TEST(holdover_degraded_recover)
{
	struct wd w = mk();
	wd_step(&w, false, "no PPS", S(5));
	ck_assert(!wd_step(&w, false, "no PPS", S(14.9)));
	ck_assert(wd_step(&w, false, "no PPS", S(15)));
	ck_assert_int_eq(w.state, WD_HOLDOVER);
	struct pmc_gm_settings s;
	wd_settings(&w, &locked, &s);
	ck_assert_int_eq(s.quality.clock_class, 7);
	ck_assert_int_eq(s.quality.clock_accuracy, 0x23);
	ck_assert(s.time_flags & PMC_TIME_TRACEABLE);
	ck_assert_int_eq(s.utc_offset, 37);
	ck_assert(s.time_flags & PMC_PTP_TIMESCALE);
	/* budget: 10 + 100 s after the loss began at 5 s */
	ck_assert(!wd_step(&w, false, "no PPS", S(114.9)));
	ck_assert(wd_step(&w, false, "no PPS", S(115)));
	ck_assert_int_eq(w.state, WD_DEGRADED);
	wd_settings(&w, &locked, &s);
	ck_assert_int_eq(s.quality.clock_class, 52);
	ck_assert_int_eq(s.quality.clock_accuracy, 0xfe);
	ck_assert(!(s.time_flags & (PMC_TIME_TRACEABLE | PMC_FREQ_TRACEABLE)));
	ck_assert(s.time_flags & PMC_UTC_OFF_VALID);
	/* recovery needs 30 s of good GNSS; a flap goes back to DEGRADED */
	ck_assert(wd_step(&w, true, NULL, S(200)));
	ck_assert_int_eq(w.state, WD_RECOVERING);
	ck_assert_int_eq(cls(&w), 52);
	ck_assert(wd_step(&w, false, "no fix", S(220)));
	ck_assert_int_eq(w.state, WD_DEGRADED);
	ck_assert(wd_step(&w, true, NULL, S(221)));
	ck_assert(!wd_step(&w, true, NULL, S(250.9)));
	ck_assert(wd_step(&w, true, NULL, S(251)));
	ck_assert_int_eq(w.state, WD_LOCKED);
	wd_settings(&w, &locked, &s);
	ck_assert_int_eq(s.quality.clock_class, 6);
	ck_assert_int_eq(s.quality.clock_accuracy, 0x23);
	ck_assert_int_eq(s.time_flags, locked.time_flags | PMC_TIME_TRACEABLE | PMC_FREQ_TRACEABLE);
}
END_TEST

START_TEST(flap_keeps_holdover_budget)
{
	struct wd w = mk();
	wd_step(&w, false, "no fix", S(0));
	wd_step(&w, false, "no fix", S(10));
	ck_assert_int_eq(w.state, WD_HOLDOVER);
	wd_step(&w, true, NULL, S(50));
	ck_assert_int_eq(w.state, WD_RECOVERING);
	ck_assert_int_eq(cls(&w), 7);
	wd_step(&w, false, "no fix", S(60));
	ck_assert_int_eq(w.state, WD_HOLDOVER);
	/* the budget counts from the first loss at 0 s, not from 60 s */
	ck_assert(wd_step(&w, false, "no fix", S(110)));
	ck_assert_int_eq(w.state, WD_DEGRADED);
}
END_TEST

START_TEST(configurable)
{
	struct wd_config c;
	wd_config_default(&c);
	ck_assert_int_eq(c.holdover_class, 7);
	ck_assert_int_eq(c.degraded_class, 52);
	c.degraded_class = 187;
	c.loss_s = 1;
	c.holdover_s = 0;
	c.traceable_when_locked = false;
	struct wd w;
	wd_init(&w, &c, 0);
	wd_step(&w, false, NULL, S(0.5)); /* the loss is counted from its first report */
	ck_assert_int_eq(w.state, WD_LOSING);
	wd_step(&w, false, NULL, S(1.5));
	ck_assert_int_eq(w.state, WD_DEGRADED);
	ck_assert_int_eq(cls(&w), 187);
	struct pmc_gm_settings s;
	w.state = WD_LOCKED;
	wd_settings(&w, &locked, &s);
	ck_assert_int_eq(s.time_flags, locked.time_flags);
}
END_TEST

Suite *watchdog_policy_suite(void)
{
	Suite *s = suite_create("watchdog_policy");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, short_glitch_is_not_holdover);
	tcase_add_test(tc, holdover_degraded_recover);
	tcase_add_test(tc, flap_keeps_holdover_budget);
	tcase_add_test(tc, configurable);
	suite_add_tcase(s, tc);
	return s;
}
