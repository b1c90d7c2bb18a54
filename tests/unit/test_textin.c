/* Device files refused as inputs; regular files and pipes accepted (common/textin.h). */
#include <stdio.h>
#include <unistd.h>

#include "common/textin.h"
#include "tests/unit/testutil.h"

START_TEST(devices_refused)
{
	FILE *f = fopen("/dev/zero", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert(!textin_check(f, "/dev/zero"));
	fclose(f);
	f = fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert(!textin_check(f, "/dev/null"));
	fclose(f);
}
END_TEST

START_TEST(files_and_pipes_accepted)
{
	FILE *f = tmpfile();
	ck_assert_ptr_nonnull(f);
	ck_assert(textin_check(f, "tmpfile"));
	fclose(f);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	f = fdopen(p[0], "r");
	ck_assert(textin_check(f, "pipe"));
	fclose(f);
	close(p[1]);
}
END_TEST

Suite *textin_suite(void)
{
	Suite *s = suite_create("textin");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, devices_refused);
	tcase_add_test(tc, files_and_pipes_accepted);
	suite_add_tcase(s, tc);
	return s;
}
