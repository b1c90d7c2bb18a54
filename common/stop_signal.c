/* See stop_signal.h. */
#include "common/stop_signal.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/ptime.h"

static volatile sig_atomic_t caught;
static void (*volatile wake_fn)(void);

static void on_signal(int sig)
{
	caught = sig;
	void (*w)(void) = wake_fn;
	if (w)
		w();
}

void stop_signal_catch(void (*wake)(void))
{
	wake_fn = wake;
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal; /* no SA_RESTART: a wait in poll, PPS_FETCH or read returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int stop_signal_caught(void)
{
	return caught;
}

bool progress_wanted(void)
{
	return isatty(STDERR_FILENO) && log_verbosity() >= 0;
}

int64_t mono_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}
