/* Test driver for the watchdog's policy and actuator against a real ptp4l: a scripted GNSS
 * timeline instead of gpsd.
 *   wd_drive UDS LOSS_S HOLDOVER_S RECOVER_S T:good|bad ... T:end
 * Ticks every 100 ms; at each scripted time the GNSS verdict changes. Logs (text) on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/watchdog_policy.h"
#include "pipeline/watchdog_run.h"

static int64_t mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: wd_drive UDS LOSS_S HOLDOVER_S RECOVER_S T:good|bad... T:end\n");
		return 2;
	}
	struct wd_config cfg;
	wd_config_default(&cfg);
	cfg.loss_s = atof(argv[2]);
	cfg.holdover_s = atof(argv[3]);
	cfg.recover_s = atof(argv[4]);
	struct wd_actuator a;
	wd_actuator_init(&a, argv[1], stdout, false);
	a.recheck_s = 1;
	a.tai_utc = 37;
	int64_t t0 = mono();
	struct wd w;
	wd_init(&w, &cfg, t0);
	bool good = true;
	/* as `ptpcal watchdog` does: the first contact is not a state change */
	wd_actuate(&a, &w, false, t0);
	for (int k = 5; k < argc; k++) {
		double at = atof(argv[k]);
		const char *what = strchr(argv[k], ':');
		if (!what)
			return 2;
		what++;
		for (;;) {
			int64_t now = mono();
			if ((double)(now - t0) / 1e9 >= at)
				break;
			bool changed = wd_step(&w, good, "scripted loss", now);
			if (changed)
				wd_log(&a, wd_state_name(w.state), "%s", w.reason);
			wd_actuate(&a, &w, changed, now);
			struct timespec ts = { 0, 100000000 };
			nanosleep(&ts, NULL);
		}
		if (strcmp(what, "end") == 0)
			break;
		good = strcmp(what, "good") == 0;
		wd_log(&a, "GNSS", "%s", good ? "good" : "bad");
	}
	printf("sets %u\n", a.sets);
	return 0;
}
