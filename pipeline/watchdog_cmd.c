/* ptpcal watchdog: demote the grandmaster when its GNSS is lost (gpsd through libgps,
 * capture/gpsd_client.h), restore it when the GNSS is back. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/gpsd_client.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/leapfile.h"
#include "common/log.h"
#include "pipeline/pmc_uds.h"
#include "pipeline/ptp4l_paths.h"
#include "pipeline/watchdog_policy.h"
#include "pipeline/watchdog_run.h"

static const char usage[] =
	"usage: ptpcal watchdog [options]\n"
	"\n"
	"Watch gpsd and keep the PTP grandmaster honest (the guide: \"no automatic clockClass\n"
	"demotion on GNSS loss\"): when the fix or PPS has been lost for --loss, announce\n"
	"clockClass 7 (holdover); after the --holdover budget, the degraded class (52, or 187)\n"
	"with clockAccuracy unknown and time/frequency no longer traceable; when the GNSS has\n"
	"been good again for --recover, restore clockClass 6. Changes go through ptp4l's\n"
	"management socket (SET GRANDMASTER_SETTINGS_NP, read back); ptp4l and gpsd restarts are\n"
	"survived (settings re-applied, reconnects). Every transition is logged on stdout.\n"
	"\n"
	"  -s, --uds PATH          ptp4l's read-write management socket (default: uds_address\n"
	"                          of /etc/linuxptp/ptp4l.conf, else /var/run/ptp4l)\n"
	"      --gpsd HOST[:PORT]  gpsd (default localhost:2947)\n"
	"      --device DEV        only this GNSS device of gpsd\n"
	"      --loss D            sustained loss before holdover (default 10s)\n"
	"      --holdover D        holdover budget before degraded (default 1h)\n"
	"      --recover D         good GNSS needed before restoring (default 60s)\n"
	"      --degraded-class N  52 (default) or 187\n"
	"      --pps require|auto|ignore  PPS loss counts as GNSS loss: always, once PPS was\n"
	"                          seen (default), never\n"
	"      --no-traceable      do not set timeTraceable/frequencyTraceable/currentUtcOffsetValid\n"
	"                          while locked\n"
	"      --leapfile PATH     for currentUtcOffsetValid (default the tzdata file)\n"
	"      --recheck D         read ptp4l's settings back this often (default 5s)\n"
	"  -t, --duration D        stop after D (default: run until SIGINT/SIGTERM)\n"
	"      --json              log as JSON lines\n"
	"  -h, --help              this help\n"
	"\n"
	"Exit: 0 stopped by a signal or --duration, 2 bad usage.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void feed(void *ctx, const struct gnss_event *ev)
{
	gnss_state_feed(ctx, ev);
}

enum pps_mode { PPS_AUTO, PPS_REQUIRE, PPS_IGNORE };

/* The GNSS verdict and, when bad, why. */
static bool gnss_good(const struct gnss_health *h, enum pps_mode pm, char *why, size_t len)
{
	if (!h->connected) {
		snprintf(why, len, "gpsd not reachable");
		return false;
	}
	if (!h->fix_ok) {
		if (h->since_tpv_s < 0)
			snprintf(why, len, "no position report from gpsd");
		else if (h->sats_used >= 0)
			snprintf(why, len, "no fix (mode %d, %d satellites used)", h->mode, h->sats_used);
		else
			snprintf(why, len, "no fix (mode %d)", h->mode);
		return false;
	}
	bool need_pps = pm == PPS_REQUIRE || (pm == PPS_AUTO && h->pps_seen);
	if (need_pps && !h->pps_ok) {
		snprintf(why, len, "no PPS for %.1f s", h->pps_lost_s);
		return false;
	}
	why[0] = '\0';
	return true;
}

static bool duration_s(const char *opt, const char *s, double *out)
{
	int64_t ns;
	if (!parse_duration(s, &ns)) {
		usage_error("%s: '%s' is not a duration", opt, s);
		return false;
	}
	*out = (double)ns / 1e9;
	return true;
}

int cmd_watchdog(int argc, char **argv)
{
	enum { OPT_GPSD = 256, OPT_DEV, OPT_LOSS, OPT_HOLD, OPT_REC, OPT_DEGR, OPT_PPS, OPT_NOTR,
	       OPT_LEAP, OPT_RECHECK, OPT_JSON };
	static const struct option opts[] = {
		{ "uds", required_argument, NULL, 's' },
		{ "gpsd", required_argument, NULL, OPT_GPSD },
		{ "device", required_argument, NULL, OPT_DEV },
		{ "loss", required_argument, NULL, OPT_LOSS },
		{ "holdover", required_argument, NULL, OPT_HOLD },
		{ "recover", required_argument, NULL, OPT_REC },
		{ "degraded-class", required_argument, NULL, OPT_DEGR },
		{ "pps", required_argument, NULL, OPT_PPS },
		{ "no-traceable", no_argument, NULL, OPT_NOTR },
		{ "leapfile", required_argument, NULL, OPT_LEAP },
		{ "recheck", required_argument, NULL, OPT_RECHECK },
		{ "duration", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct wd_config cfg;
	wd_config_default(&cfg);
	const char *uds = NULL, *device = NULL, *leap = LEAPFILE_DEFAULT;
	char host[256] = "localhost", port[16] = "2947";
	enum pps_mode pm = PPS_AUTO;
	double recheck = 5, duration = 0;
	bool json = false;
	long lv;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': uds = optarg; break;
		case OPT_GPSD:
			if (!gpsd_address_arg("--gpsd", optarg, host, sizeof(host), port, sizeof(port)))
				return EXIT_USAGE;
			break;
		case OPT_DEV: device = optarg; break;
		case OPT_LOSS:
			if (!duration_s("--loss", optarg, &cfg.loss_s))
				return EXIT_USAGE;
			break;
		case OPT_HOLD:
			if (!duration_s("--holdover", optarg, &cfg.holdover_s))
				return EXIT_USAGE;
			break;
		case OPT_REC:
			if (!duration_s("--recover", optarg, &cfg.recover_s))
				return EXIT_USAGE;
			break;
		case OPT_DEGR:
			if (!parse_int_arg("--degraded-class", optarg, 0, 255, &lv))
				return EXIT_USAGE;
			if (lv != 52 && lv != 187)
				return usage_error("--degraded-class: %ld is not 52 or 187 (IEEE 1588 "
						   "degradation alternatives A and B)", lv);
			cfg.degraded_class = (uint8_t)lv;
			break;
		case OPT_PPS:
			if (strcmp(optarg, "require") == 0)
				pm = PPS_REQUIRE;
			else if (strcmp(optarg, "auto") == 0)
				pm = PPS_AUTO;
			else if (strcmp(optarg, "ignore") == 0)
				pm = PPS_IGNORE;
			else
				return usage_error("--pps: '%s' is not require, auto or ignore", optarg);
			break;
		case OPT_NOTR: cfg.traceable_when_locked = false; break;
		case OPT_LEAP: leap = optarg; break;
		case OPT_RECHECK:
			if (!duration_s("--recheck", optarg, &recheck))
				return EXIT_USAGE;
			break;
		case 't':
			if (!duration_s("--duration", optarg, &duration))
				return EXIT_USAGE;
			break;
		case OPT_JSON: json = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);

	char udsbuf[1024];
	if (!uds) {
		ptp4l_uds_path("eth0", udsbuf, sizeof(udsbuf));
		uds = udsbuf;
	}
	struct wd_actuator a;
	wd_actuator_init(&a, uds, stdout, json);
	a.recheck_s = recheck;
	struct leapfile lf;
	char err[512];
	if (leapfile_load(leap, &lf, err, sizeof(err))) {
		int tai;
		if (leapfile_tai_utc(&lf, (int64_t)time(NULL), &tai))
			a.tai_utc = tai;
		leapfile_free(&lf);
	} else {
		log_warn("%s (currentUtcOffsetValid will not be set)", err);
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct gnss_limits lim;
	gnss_limits_default(&lim);
	int64_t t0 = mono_ns();
	struct gnss_state gs;
	gnss_state_init(&gs, &lim, t0);
	struct gpsd_client *gc = gpsd_client_new(host, port, device);
	struct wd w;
	wd_init(&w, &cfg, t0);
	wd_log(&a, "START", "gpsd %s:%s, ptp4l %s; loss %.1f s, holdover budget %.0f s, recover "
			    "%.1f s, degraded class %u",
	       host, port, uds, cfg.loss_s, cfg.holdover_s, cfg.recover_s, cfg.degraded_class);
	bool last_good = true;
	while (!stop) {
		int64_t now = mono_ns();
		if (duration > 0 && (double)(now - t0) / 1e9 >= duration)
			break;
		char gerr[256] = "";
		gpsd_client_poll(gc, 200, feed, &gs, gerr, sizeof(gerr));
		if (gerr[0])
			wd_log(&a, "GPSD", "%s", gerr);
		now = mono_ns();
		gnss_state_tick(&gs, now);
		struct gnss_health h;
		gnss_state_health(&gs, now, &h);
		char why[160];
		bool good = gnss_good(&h, pm, why, sizeof(why));
		/* start-up: gpsd's first TPV can take a moment; until the fix timeout has passed
		 * without one, nothing is known yet and nothing is counted as a loss */
		if (!good && h.since_tpv_s < 0 && (double)(now - t0) / 1e9 < lim.fix_timeout_s)
			good = true;
		if (good != last_good)
			wd_log(&a, "GNSS", "%s", good ? "good (fix, PPS as required)" : why);
		last_good = good;
		bool changed = wd_step(&w, good, why, now);
		if (changed)
			wd_log(&a, wd_state_name(w.state), "%s", w.reason);
		wd_actuate(&a, &w, changed, now);
	}
	wd_log(&a, "STOP", "in state %s after %u SETs (settings left as they are)",
	       wd_state_name(w.state), a.sets);
	gpsd_client_free(gc);
	return EXIT_OK;
}
