#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/keep_awake.h"
#include "tests/unit/testutil.h"

/* The scheduling policies of this process's threads other than the caller (field 41 of
 * /proc/self/task/TID/stat), counted by policy. */
static void count_policies(int *idle, int *other_threads)
{
	*idle = *other_threads = 0;
	DIR *d = opendir("/proc/self/task");
	ck_assert_ptr_nonnull(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == gettid())
			continue;
		char p[300], buf[1024];
		snprintf(p, sizeof(p), "/proc/self/task/%s/stat", de->d_name);
		FILE *f = fopen(p, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* fields after the ")" of the command: state is field 3 */
		char *s = strrchr(buf, ')');
		ck_assert_ptr_nonnull(s);
		int field = 2, policy = -1;
		for (char *t = strtok(s + 1, " "); t; t = strtok(NULL, " "))
			if (++field == 41)
				policy = atoi(t);
		(*other_threads)++;
		if (policy == SCHED_IDLE)
			(*idle)++;
	}
	closedir(d);
}

START_TEST(one_idle_spinner_per_cpu)
{
	cpu_set_t set;
	ck_assert_int_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	int cpus = CPU_COUNT(&set);
	int n = keep_awake_start();
	ck_assert_int_eq(n, cpus);
	/* each has set its own class within a moment */
	int idle = 0, others = 0;
	for (int i = 0; i < 200 && idle < n; i++) {
		usleep(5000);
		count_policies(&idle, &others);
	}
	ck_assert_int_eq(idle, n);
	ck_assert_int_eq(others, n);
	keep_awake_stop();
	count_policies(&idle, &others);
	ck_assert_int_eq(others, 0); /* joined */
	/* and again: start/stop can repeat */
	ck_assert_int_eq(keep_awake_start(), cpus);
	keep_awake_stop();
}
END_TEST

Suite *keep_awake_suite(void)
{
	Suite *s = suite_create("keep_awake");
	TCase *tc = tcase_create("keep_awake");
	tcase_add_test(tc, one_idle_spinner_per_cpu);
	suite_add_tcase(s, tc);
	return s;
}
