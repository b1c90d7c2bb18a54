#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stop_signal.h"
#include "tests/unit/testutil.h"

static volatile sig_atomic_t woken;

static void wake(void)
{
	woken++;
}

START_TEST(signal_sets_flag_and_wakes)
{
	ck_assert_int_eq(stop_signal_caught(), 0);
	stop_signal_catch(wake);
	raise(SIGTERM);
	ck_assert_int_eq(stop_signal_caught(), SIGTERM);
	ck_assert_int_eq(woken, 1);
	raise(SIGINT);
	ck_assert_int_eq(stop_signal_caught(), SIGINT);
	ck_assert_int_eq(woken, 2);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}
END_TEST

/* No SA_RESTART: a blocking read returns EINTR, so a capture loop waiting for input ends. */
START_TEST(blocking_read_interrupted)
{
	int fd[2];
	ck_assert_int_eq(pipe(fd), 0);
	stop_signal_catch(NULL);
	pid_t parent = getpid(), child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
		kill(parent, SIGINT);
		_exit(0);
	}
	char c;
	ssize_t r = read(fd[0], &c, 1); /* nothing is ever written: only the signal ends it */
	int err = errno;
	waitpid(child, NULL, 0);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(err, EINTR);
	ck_assert_int_eq(stop_signal_caught(), SIGINT);
	close(fd[0]);
	close(fd[1]);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}
END_TEST

START_TEST(quiet_has_no_progress)
{
	log_set_verbosity(-1);
	ck_assert(!progress_wanted());
	log_set_verbosity(0);
	ck_assert(progress_wanted() == (bool)isatty(STDERR_FILENO));
}
END_TEST

START_TEST(monotonic_clock)
{
	int64_t a = mono_now_ns();
	struct timespec ts = { 0, 10000000 };
	nanosleep(&ts, NULL);
	int64_t b = mono_now_ns();
	ck_assert_int_ge(b - a, 10000000);
	ck_assert_int_lt(b - a, 5000000000LL);
}
END_TEST

Suite *stop_signal_suite(void)
{
	Suite *s = suite_create("stop_signal");
	TCase *tc = tcase_create("core");
	/* each test installs handlers and raises signals: only in a forked child */
	tcase_add_test(tc, signal_sets_flag_and_wakes);
	tcase_add_test(tc, blocking_read_interrupted);
	tcase_add_test(tc, quiet_has_no_progress);
	tcase_add_test(tc, monotonic_clock);
	suite_add_tcase(s, tc);
	return s;
}
