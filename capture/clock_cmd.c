/* ptpcal phc | pps | extts | truth: the clock sources on the command line.
 *
 * Each takes a device (/dev/ptpN, an interface's PHC, /dev/ppsN) or a recording of one (a
 * `phc`, `pps` or `extts` dataset, replayed through the same code). Nothing here sets a
 * clock: the kernel's TAI offset is read with adjtimex(2) modes = 0, which changes nothing
 * ("If modes is zero, then no settings are changed", man 2 adjtimex). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "capture/clock_io.h"
#include "capture/clocksrc.h"
#include "capture/truth_pair.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/dataset.h"
#include "common/json.h"
#include "common/leapfile.h"
#include "common/log.h"
#include "common/stop_signal.h"

static void sleep_ns(int64_t ns)
{
	if (ns <= 0)
		return;
	struct timespec ts = { (time_t)(ns / NS_PER_SEC), (long)(ns % NS_PER_SEC) };
	nanosleep(&ts, NULL); /* a signal cuts it short, which is what we want */
}

/* The kernel's TAI - UTC in seconds, read-only; *state the clock state (TIME_OK...). */
static bool kernel_tai_offset(int *tai, int *state, int *status)
{
	struct timex tx;
	memset(&tx, 0, sizeof(tx));
	tx.modes = 0; /* a read: no field is set */
	int rc = adjtimex(&tx);
	if (rc < 0)
		return false;
	*tai = tx.tai;
	*state = rc;
	*status = tx.status;
	return true;
}

static void put_created(struct ds_writer *ds, const char *device, const char *command)
{
	char now[64];
	time_t t = time(NULL);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	ds_meta(ds, "device", "%s", device);
	ds_meta(ds, "created", "%s", now);
	ds_meta(ds, "created_by", "ptpcal %s %s", PTPCAL_VERSION, command);
}

/* The dataset a recording command writes (`kind`: phc, pps, extts), with its device and
 * creation metadata; NULL after one line (s is closed then). */
static struct clock_writer *rec_open(struct clocksrc *s, const char *out, const char *kind,
				     const char *command)
{
	struct clock_writer *w = clock_writer_open(out, kind);
	if (!w) {
		clocksrc_close(s);
		return NULL;
	}
	put_created(clock_writer_ds(w), s->name, command);
	return w;
}

/* How a recording shows its progress after an event (a "\r..." line on stderr). */
typedef void (*rec_progress_fn)(const struct clocksrc *s, uint64_t n, const struct clk_event *ev);

/* Records s's events into w until the duration (0: none), SIGINT/SIGTERM, the end of a
 * recording or an error; each clocksrc_next waits up to timeout_ms. A live device is flushed
 * after every event, then read again period ns later (0: at once), with a progress line on
 * a terminal. Then the count (meta `noun`) and the stop reason are written, w and s closed.
 * Returns the exit code. */
static int rec_loop(struct clocksrc *s, struct clock_writer *w, const char *out, int64_t duration,
		    int timeout_ms, int64_t period, const char *noun, rec_progress_fn progress)
{
	struct ds_writer *ds = clock_writer_ds(w);
	stop_signal_catch(NULL);
	int64_t start = mono_now_ns(), next = start;
	uint64_t n = 0;
	int status = EXIT_OK;
	bool live = !strcmp(s->impl, "device");
	bool tty = live && progress_wanted();
	while (!stop_signal_caught()) {
		if (duration && mono_now_ns() - start >= duration)
			break;
		struct clk_event ev;
		int rc = clocksrc_next(s, timeout_ms, &ev);
		if (rc == 2)
			break;
		if (rc < 0) {
			status = EXIT_USAGE;
			break;
		}
		if (rc == 0)
			continue;
		clock_writer_event(w, &ev);
		n++;
		if (live) {
			ds_flush(ds);
			if (tty)
				progress(s, n, &ev);
			if (period) {
				next += period;
				sleep_ns(next - mono_now_ns());
			}
		}
	}
	if (tty && n)
		fputc('\n', stderr);
	ds_meta(ds, noun, "%llu", (unsigned long long)n);
	ds_meta(ds, "stop_reason", "%s", stop_signal_caught() ? "signal" : status ? "error" : "end");
	if (clock_writer_close(w) != 0)
		status = EXIT_USAGE; /* said why; no summary that reads as a success */
	else
		log_note("%s: %llu %s into %s", s->name, (unsigned long long)n, noun, out);
	clocksrc_close(s);
	return status;
}

static bool parse_method(const char *s, enum phc_method *m)
{
	static const struct {
		const char *name;
		enum phc_method m;
	} t[] = { { "auto", PHC_METHOD_AUTO },    { "extended", PHC_SYSOFF_EXTENDED },
		  { "precise", PHC_SYSOFF_PRECISE }, { "basic", PHC_SYSOFF_BASIC },
		  { "gettime", PHC_GETTIME } };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].name)) {
			*m = t[i].m;
			return true;
		}
	return false;
}

/* A PHC: the device, or the recording of one. */
static struct clocksrc *open_phc_source(const char *arg, int samples, enum phc_method m)
{
	if (clocksrc_is_recording(arg))
		return clock_replay_open(arg, "phc");
	return phc_open(arg, samples, m);
}

/* PHC - sys in ns as a double (exact below 2^53 ns, ~104 days). */
static double phc_minus_sys(const struct clk_event *ev)
{
	return (double)(ev->phc.ns - ev->sys.ns) +
	       ((double)ev->phc.frac - (double)ev->sys.frac) / SNS_PER_NS;
}

/* ------------------------------------------------------------------ phc */

static const char phc_usage[] =
	"usage: ptpcal phc cmp DEV [--samples N] [--method M] [--tai-utc S] [--tolerance T]\n"
	"                          [--expect tai|utc] [--json]\n"
	"       ptpcal phc record DEV -o FILE [--duration D] [--rate HZ] [--samples N] [--method M]\n"
	"       ptpcal phc caps DEV\n"
	"\n"
	"DEV is /dev/ptpN, a network interface (its PHC from ETHTOOL_GET_TS_INFO), or a `phc`\n"
	"dataset recorded earlier (replayed: the same output from recorded readings).\n"
	"\n"
	"cmp     PHC - CLOCK_REALTIME as linuxptp reads it (PTP_SYS_OFFSET_EXTENDED, else\n"
	"        _PRECISE, else PTP_SYS_OFFSET, else clock_gettime; best of N by the shortest\n"
	"        bracket), the line `phc_ctl DEV cmp` prints, and whether the offset matches\n"
	"        TAI - UTC (from the kernel: adjtimex, read-only; if that is 0, from the\n"
	"        leap-seconds.list; or --tai-utc): a PHC holding\n"
	"        TAI is PHC - CLOCK_REALTIME = TAI - UTC; one holding UTC is ~0.\n"
	"record  PHC readings to a `phc` dataset, --rate per second (default 1), until\n"
	"        --duration or Ctrl-C.\n"
	"caps    the clock's capabilities (PTP_CLOCK_GETCAPS).\n"
	"\n"
	"  --samples N      samples per reading, 1..25 (default 9, as phc_ctl)\n"
	"  --method M       auto, extended, precise, basic, gettime (default auto)\n"
	"  --tai-utc S      TAI - UTC in seconds instead of the kernel's\n"
	"  --leapfile F     leap-seconds.list for TAI - UTC when the kernel's is 0 (default\n"
	"                   " LEAPFILE_DEFAULT ")\n"
	"  --tolerance T    how close counts as a match (default 1ms)\n"
	"  --expect tai|utc exit 1 unless the PHC holds this timescale\n"
	"Exit: 0 ok, 1 --expect not met, 2 bad usage or no such device.\n";

struct phc_opts {
	const char *dev, *out, *expect, *leapfile;
	int samples;
	enum phc_method method;
	int64_t duration, tol;
	double rate;
	bool have_tai, json;
	long tai;
};

static int phc_parse(int argc, char **argv, struct phc_opts *o)
{
	enum { O_SAMPLES = 256, O_METHOD, O_TAI, O_TOL, O_EXPECT, O_DURATION, O_RATE, O_JSON,
	       O_LEAPFILE };
	static const struct option opts[] = {
		{ "samples", required_argument, NULL, O_SAMPLES },
		{ "method", required_argument, NULL, O_METHOD },
		{ "tai-utc", required_argument, NULL, O_TAI },
		{ "leapfile", required_argument, NULL, O_LEAPFILE },
		{ "tolerance", required_argument, NULL, O_TOL },
		{ "expect", required_argument, NULL, O_EXPECT },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "rate", required_argument, NULL, O_RATE },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->samples = 9;
	o->method = PHC_METHOD_AUTO;
	o->tol = 1000000;
	o->rate = 1;
	int c;
	long v;
	double d;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
		switch (c) {
		case O_SAMPLES:
			if (!parse_int_arg("--samples", optarg, 1, 25, &v))
				return EXIT_USAGE;
			o->samples = (int)v;
			break;
		case O_METHOD:
			if (!parse_method(optarg, &o->method))
				return usage_error("--method: '%s' is not auto, extended, precise, basic "
						   "or gettime", optarg);
			break;
		case O_TAI:
			if (!parse_int_arg("--tai-utc", optarg, 0, 1000, &o->tai))
				return EXIT_USAGE;
			o->have_tai = true;
			break;
		case O_LEAPFILE: o->leapfile = optarg; break;
		case O_TOL:
			if (!parse_time_value(optarg, 1, &d) || !(d > 0) || d > 9e18) /* fits int64 ns */
				return usage_error("--tolerance: '%s' is not a positive time", optarg);
			o->tol = (int64_t)d;
			break;
		case O_EXPECT:
			if (strcmp(optarg, "tai") && strcmp(optarg, "utc"))
				return usage_error("--expect: '%s' is not tai or utc", optarg);
			o->expect = optarg;
			break;
		case O_DURATION:
			if (!parse_duration(optarg, &o->duration) || o->duration <= 0)
				return usage_error("--duration: '%s' is not a duration", optarg);
			break;
		case O_RATE:
			if (!parse_double_arg("--rate", optarg, &o->rate) || !(o->rate > 0 && o->rate <= 1000))
				return usage_error("--rate: '%s' is not a rate in 0..1000 per second", optarg);
			break;
		case 'o': o->out = optarg; break;
		case O_JSON: o->json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(phc_usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind + 1 != argc)
		return usage_error(optind >= argc ? "no device: give DEV (/dev/ptpN, an interface, "
						     "or a phc dataset)" : "one device only");
	o->dev = argv[optind];
	return -1;
}

static int phc_cmp(struct phc_opts *o)
{
	struct clocksrc *s = open_phc_source(o->dev, o->samples, o->method);
	if (!s)
		return EXIT_USAGE;
	struct clk_event ev;
	int rc = clocksrc_next(s, 0, &ev);
	if (rc != 1) {
		if (rc == 2)
			log_err("%s: no readings in the recording", o->dev);
		clocksrc_close(s);
		return EXIT_USAGE;
	}
	bool replay = !strcmp(s->impl, "replay");
	long tai = 0;
	const char *tai_from;
	char tai_buf[400];
	int state = 0, status = 0;
	int kt = 0;
	/* TAI - UTC: given; else the kernel's (read-only; recorded in the metadata for a
	 * replay); when that is 0 (nothing set it: ntpd/chrony with a leap file do), the
	 * leap-seconds.list at the reading's time (common/leapfile, ntpsec's rules). */
	const char *kernel_what = replay ? "the kernel's when recorded (metadata "
					   "kernel_tai_offset_s)" : "the kernel's (adjtimex, read-only)";
	bool have_kernel = false;
	if (replay) {
		const char *m = clock_replay_meta(s, "kernel_tai_offset_s");
		int64_t v;
		if (m && parse_i64_strict(m, &v) && v >= 0 && v < 1000)
			kt = (int)v, have_kernel = true;
	} else if (kernel_tai_offset(&kt, &state, &status)) {
		have_kernel = true;
	}
	if (o->have_tai) {
		tai = o->tai;
		tai_from = "given with --tai-utc";
	} else if (have_kernel && kt > 0) {
		tai = kt;
		snprintf(tai_buf, sizeof(tai_buf), "%s%s", kernel_what,
			 state == TIME_ERROR ? "; clock state TIME_ERROR (unsynchronised)" : "");
		tai_from = tai_buf;
	} else {
		struct leapfile lf;
		char err[256];
		int v;
		const char *lp = o->leapfile ? o->leapfile : LEAPFILE_DEFAULT;
		const char *k0 = have_kernel ? "0 (not set)" : "unknown";
		if (leapfile_load(lp, &lf, err, sizeof(err))) {
			if (leapfile_tai_utc(&lf, ev.sys.ns / NS_PER_SEC, &v)) {
				tai = v;
				snprintf(tai_buf, sizeof(tai_buf), "from %s%s%s; %s is %s", lp,
					 lf.hash == LEAP_HASH_NONE ? " (no hash: unverified)" : "",
					 leapfile_expired(&lf, ev.sys.ns / NS_PER_SEC) ? " (EXPIRED)" : "",
					 kernel_what, k0);
			} else {
				snprintf(tai_buf, sizeof(tai_buf), "unknown: %s is %s and %s has no entry "
					 "for this time", kernel_what, k0, lp);
			}
			leapfile_free(&lf);
		} else {
			if (o->leapfile) {
				log_err("%s", err);
				clocksrc_close(s);
				return EXIT_USAGE;
			}
			snprintf(tai_buf, sizeof(tai_buf), "unknown: %s is %s, and %.200s", kernel_what,
				 k0, err);
		}
		tai_from = tai_buf;
	}
	/* phc_ctl.c do_cmp: "offset from CLOCK_REALTIME is %lldns" with sysoff.c's
	 * sys - phc, the bracket middle rounded down. */
	long long linuxptp_offset = (long long)(ev.sys.ns - ev.phc.ns);
	double diff = phc_minus_sys(&ev);
	double want_tai = (double)tai * 1e9;
	const char *verdict, *timescale;
	char why[256];
	if (tai > 0 && fabs(diff - want_tai) <= (double)o->tol) {
		timescale = "tai";
		verdict = "the PHC holds TAI (the PTP timescale)";
		snprintf(why, sizeof(why), "PHC - CLOCK_REALTIME matches TAI - UTC = %ld s within "
			 "%.0f ns", tai, diff - want_tai);
	} else if (fabs(diff) <= (double)o->tol) {
		timescale = "utc";
		verdict = "the PHC holds UTC (like CLOCK_REALTIME), not TAI";
		snprintf(why, sizeof(why), "PHC - CLOCK_REALTIME is %.0f ns; a grandmaster with this "
			 "PHC that announces the PTP timescale serves time %ld s off", diff, tai);
	} else {
		timescale = "neither";
		verdict = "the PHC holds neither TAI nor UTC";
		snprintf(why, sizeof(why), "PHC - CLOCK_REALTIME is %.3f s; TAI - UTC is %ld s",
			 diff / 1e9, tai);
	}
	bool no_tai = tai == 0 && !o->have_tai;
	if (no_tai && strcmp(timescale, "utc"))
		verdict = "cannot tell: TAI - UTC is unknown";
	if (o->json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "device", s->name);
		json_str(&j, "source", s->impl);
		json_str(&j, "method", phc_method_name(ev.method));
		json_int(&j, "samples", o->samples);
		json_time(&j, "sys", ev.sys.ns);
		json_time(&j, "phc", ev.phc.ns);
		json_int(&j, "offset_from_realtime_ns", linuxptp_offset);
		json_num(&j, "phc_minus_realtime_ns", diff);
		json_int(&j, "bracket_ns", ev.bracket_ns);
		json_int(&j, "tai_utc_s", tai);
		json_str(&j, "tai_utc_from", tai_from);
		json_str(&j, "timescale", no_tai && strcmp(timescale, "utc") ? "unknown" : timescale);
		json_str(&j, "verdict", verdict);
		json_obj_end(&j);
		json_finish(&j);
	}
	if (log_verbosity() >= 0) {
		FILE *f = o->json ? stderr : stdout;
		char b[32];
		/* phc_ctl says "approximately" when it fell back to clock_gettime. */
		fprintf(f, "%s: offset from CLOCK_REALTIME is %s%lldns\n", s->name,
			ev.method == PHC_GETTIME ? "approximately " : "", linuxptp_offset);
		fprintf(f, "PHC - CLOCK_REALTIME = %+.9f s (%s, best of %d, bracket %s)\n", diff / 1e9,
			phc_method_name(ev.method), o->samples,
			ev.bracket_ns ? fmt_si_time((double)ev.bracket_ns, b, sizeof(b)) :
					"0: hardware cross-timestamp");
		fprintf(f, "TAI - UTC = %ld s (%s)\n", tai, tai_from);
		if (no_tai && strcmp(timescale, "utc"))
			fprintf(f, "verdict: cannot tell whether the PHC holds TAI: TAI - UTC is unknown "
				"(give --tai-utc S or --leapfile F). PHC - CLOCK_REALTIME is %.3f s\n",
				diff / 1e9);
		else
			fprintf(f, "verdict: %s: %s (assumes CLOCK_REALTIME is UTC to within %s)\n",
				verdict, why, fmt_si_time((double)o->tol, b, sizeof(b)));
	}
	clocksrc_close(s);
	if (o->expect && (no_tai || strcmp(o->expect, timescale)))
		return EXIT_FAILED;
	return EXIT_OK;
}

static void phc_progress(const struct clocksrc *s, uint64_t n, const struct clk_event *ev)
{
	fprintf(stderr, "\r%s: %llu readings, PHC - CLOCK_REALTIME %+.9f s   ", s->name,
		(unsigned long long)n, phc_minus_sys(ev) / 1e9);
}

static int phc_record(struct phc_opts *o)
{
	if (!o->out)
		return usage_error("record: give -o FILE");
	struct clocksrc *s = open_phc_source(o->dev, o->samples, o->method);
	if (!s)
		return EXIT_USAGE;
	struct clock_writer *w = rec_open(s, o->out, "phc", "phc record");
	if (!w)
		return EXIT_USAGE;
	struct ds_writer *ds = clock_writer_ds(w);
	ds_meta(ds, "samples_per_reading", "%d", o->samples);
	ds_meta(ds, "rate_hz", "%g", o->rate);
	ds_meta(ds, "columns", "sys = CLOCK_REALTIME at the middle of the shortest bracket; phc = "
		"the PHC inside it; bracket_ns = that bracket's width (linuxptp sysoff.c)");
	int tai, state, status;
	if (!strcmp(s->impl, "device") && kernel_tai_offset(&tai, &state, &status))
		ds_meta(ds, "kernel_tai_offset_s", "%d", tai);
	else if (clock_replay_meta(s, "kernel_tai_offset_s"))
		ds_meta(ds, "kernel_tai_offset_s", "%s", clock_replay_meta(s, "kernel_tai_offset_s"));
	return rec_loop(s, w, o->out, o->duration, 0, (int64_t)(1e9 / o->rate), "readings",
			phc_progress);
}

int cmd_phc(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("give a subcommand: %s", "cmp, record or caps");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(phc_usage, stdout);
		return EXIT_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "cmp") && strcmp(sub, "record") && strcmp(sub, "caps"))
		return usage_error("unknown subcommand '%s' (cmp, record, caps)", sub);
	struct phc_opts o;
	int rc = phc_parse(argc - 1, argv + 1, &o);
	if (rc >= 0)
		return rc;
	if (!strcmp(sub, "cmp"))
		return phc_cmp(&o);
	if (!strcmp(sub, "record"))
		return phc_record(&o);
	if (!strcmp(sub, "caps")) {
		struct clocksrc *s = phc_open(o.dev, 1, PHC_METHOD_AUTO);
		if (!s)
			return EXIT_USAGE;
		char buf[256];
		bool ok = phc_caps_text(s, buf, sizeof(buf));
		if (ok)
			printf("%s: %s\n", s->name, buf);
		clocksrc_close(s);
		return ok ? EXIT_OK : EXIT_USAGE;
	}
	return usage_error("unknown subcommand '%s' (cmp, record, caps)", sub);
}

/* ------------------------------------------------------------------ pps, extts record */

static const char pps_usage[] =
	"usage: ptpcal pps record DEV -o FILE [--duration D] [--edge assert|clear|both]\n"
	"\n"
	"Record a PPS device (/dev/ppsN, RFC 2783 through linux/pps.h: PPS_FETCH) to a `pps`\n"
	"dataset: one row per edge with its sequence number and the kernel's CLOCK_REALTIME\n"
	"timestamp, until --duration or Ctrl-C. DEV may also be a `pps` dataset (copied through\n"
	"the replay source). Exit: 0 ok, 2 bad usage or no such device.\n";

static const char extts_usage[] =
	"usage: ptpcal extts record DEV --index N [--pin P] [--edge rising|falling|both] -o FILE\n"
	"                          [--duration D]\n"
	"       ptpcal extts perout DEV --index N [--pin P] (--period D [--phase D] | --off)\n"
	"\n"
	"record  external timestamps of a PHC (PTP_EXTTS_REQUEST on channel N; with --pin, the pin\n"
	"        is given the EXTTS function first, PTP_PIN_SETFUNC) to an `extts` dataset.\n"
	"perout  periodic output on channel N (PTP_PEROUT_REQUEST) from the next whole second\n"
	"        + phase: a loop-back source for EXTTS tests. --off stops it.\n"
	"DEV: /dev/ptpN or an interface (or an `extts` dataset for record).\n"
	"Exit: 0 ok, 2 bad usage or no such device.\n";

struct rec_opts {
	const char *dev, *out, *edge;
	int64_t duration, period, phase;
	long index, pin;
	bool off;
};

static int rec_parse(int argc, char **argv, struct rec_opts *o, const char *usage)
{
	enum { O_DURATION = 256, O_EDGE, O_INDEX, O_PIN, O_PERIOD, O_PHASE, O_OFF };
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, O_DURATION },
		{ "edge", required_argument, NULL, O_EDGE },
		{ "index", required_argument, NULL, O_INDEX },
		{ "pin", required_argument, NULL, O_PIN },
		{ "period", required_argument, NULL, O_PERIOD },
		{ "phase", required_argument, NULL, O_PHASE },
		{ "off", no_argument, NULL, O_OFF },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->index = -1;
	o->pin = -1;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
		switch (c) {
		case O_DURATION:
			if (!parse_duration(optarg, &o->duration) || o->duration <= 0)
				return usage_error("--duration: '%s' is not a duration", optarg);
			break;
		case O_EDGE: o->edge = optarg; break;
		case O_INDEX:
			if (!parse_int_arg("--index", optarg, 0, 255, &o->index))
				return EXIT_USAGE;
			break;
		case O_PIN:
			if (!parse_int_arg("--pin", optarg, 0, 255, &o->pin))
				return EXIT_USAGE;
			break;
		case O_PERIOD:
			if (!parse_duration(optarg, &o->period) || o->period <= 0)
				return usage_error("--period: '%s' is not a duration", optarg);
			break;
		case O_PHASE:
			if (!parse_duration(optarg, &o->phase) || o->phase >= NS_PER_SEC)
				return usage_error("--phase: '%s' is not a duration under 1 s", optarg);
			break;
		case O_OFF: o->off = true; break;
		case 'o': o->out = optarg; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind + 1 != argc)
		return usage_error(optind >= argc ? "no device: give DEV" : "one device only");
	o->dev = argv[optind];
	return -1;
}

/* Copies events from a source to a dataset until --duration, a signal or the end. */
static void edge_progress(const struct clocksrc *s, uint64_t n, const struct clk_event *ev)
{
	fprintf(stderr, "\r%s: %llu edges, seq %u   ", s->name, (unsigned long long)n, ev->seq);
}

static int record_events(struct clocksrc *s, const struct rec_opts *o, const char *kind,
			 const char *what)
{
	struct clock_writer *w = rec_open(s, o->out, kind, what);
	if (!w)
		return EXIT_USAGE;
	return rec_loop(s, w, o->out, o->duration, 250, 0, "edges", edge_progress);
}

static bool pps_edges(const char *edge, bool *a, bool *c)
{
	*a = !edge || !strcmp(edge, "assert") || !strcmp(edge, "both");
	*c = edge && (!strcmp(edge, "clear") || !strcmp(edge, "both"));
	return *a || *c;
}

static bool extts_edges(const char *edge, bool *r, bool *f)
{
	*r = !edge || !strcmp(edge, "rising") || !strcmp(edge, "both");
	*f = edge && (!strcmp(edge, "falling") || !strcmp(edge, "both"));
	return *r || *f;
}

int cmd_pps(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("give a subcommand: %s", "record");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(pps_usage, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "record"))
		return usage_error("unknown subcommand '%s' (record)", argv[1]);
	struct rec_opts o;
	int rc = rec_parse(argc - 1, argv + 1, &o, pps_usage);
	if (rc >= 0)
		return rc;
	bool a, c;
	if (!pps_edges(o.edge, &a, &c))
		return usage_error("--edge: '%s' is not assert, clear or both", o.edge);
	if (!o.out)
		return usage_error("give -o FILE");
	struct clocksrc *s = clocksrc_is_recording(o.dev) ? clock_replay_open(o.dev, "pps") :
							     pps_open(o.dev, a, c);
	if (!s)
		return EXIT_USAGE;
	return record_events(s, &o, "pps", "pps record");
}

int cmd_extts(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("give a subcommand: %s", "record or perout");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(extts_usage, stdout);
		return EXIT_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "record") && strcmp(sub, "perout"))
		return usage_error("unknown subcommand '%s' (record, perout)", sub);
	struct rec_opts o;
	int rc = rec_parse(argc - 1, argv + 1, &o, extts_usage);
	if (rc >= 0)
		return rc;
	if (!strcmp(sub, "perout")) {
		if (o.index < 0)
			return usage_error("perout: give --index N");
		if (!o.off && !o.period)
			return usage_error("perout: give --period D or --off");
		return perout_set(o.dev, (int)o.index, (int)o.pin, o.off ? 0 : o.period, o.phase) ?
			       EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(sub, "record"))
		return usage_error("unknown subcommand '%s' (record, perout)", sub);
	bool r, f;
	if (!extts_edges(o.edge, &r, &f))
		return usage_error("--edge: '%s' is not rising, falling or both", o.edge);
	if (!o.out)
		return usage_error("give -o FILE");
	struct clocksrc *s;
	if (clocksrc_is_recording(o.dev)) {
		s = clock_replay_open(o.dev, "extts");
	} else {
		if (o.index < 0)
			return usage_error("give --index N (the EXTTS channel)");
		s = extts_open(o.dev, (int)o.index, (int)o.pin, r, f);
	}
	if (!s)
		return EXIT_USAGE;
	return record_events(s, &o, "extts", "extts record");
}

/* ------------------------------------------------------------------ truth */

static const char truth_usage[] =
	"usage: ptpcal truth (--pps SRC | --extts SRC) [--phc SRC] -o FILE [options]\n"
	"\n"
	"The true offset of a clock from a pulse-per-second reference, one sample per edge, into\n"
	"a `truth` dataset (the input calibrate and analyze take as the reference). Each edge\n"
	"marks a whole second: offset = the clock's time of the edge - the nearest whole second\n"
	"(folded into [-0.5 s, 0.5 s)). PPS edges (stamped in CLOCK_REALTIME) are carried into\n"
	"the PHC's time by the PHC readings just before and after them; EXTTS edges are the\n"
	"PHC's own timestamps.\n"
	"SRC is a device (/dev/ppsN; /dev/ptpN or an interface for --extts and --phc) or a\n"
	"recording of one (a pps, extts or phc dataset): then the pairing runs on the recording.\n"
	"\n"
	"  --pps SRC            PPS edges\n"
	"  --extts SRC          EXTTS edges (device: with --index N [--pin P])\n"
	"  --phc SRC            PHC readings (needed for --pps with --clock phc, and for --extts\n"
	"                       with --clock system)\n"
	"  --clock phc|system   the clock under test (default phc)\n"
	"  --edge E             assert|clear (PPS) or rising|falling (EXTTS); default assert/rising\n"
	"  --index N, --pin P   EXTTS channel and pin (devices)\n"
	"  --duration D         live: stop after D (default: until Ctrl-C)\n"
	"  --rate HZ            live: PHC readings per second (default 4)\n"
	"  --samples N          live: samples per PHC reading (default 9)\n"
	"  --max-gap D          readings around an edge at most D apart (default 2s)\n"
	"  --timescale TAI|UTC  what the PHC holds (see 'ptpcal phc cmp'), for the metadata;\n"
	"                       the system clock is UTC; default unknown\n"
	"  -o, --output FILE    the truth dataset\n"
	"  --json               summary as JSON\n"
	"Exit: 0 ok, 1 no edge could be paired, 2 bad usage, no such device or bad recording.\n";

struct truth_out {
	struct ds_writer *ds;
	bool have_t0;
	struct ptime t0;
	double sum, sum2, min, max;
};

static const char *const truth_cols[] = { "t_s", "t", "offset_ns", "uncertainty_ns", "second",
					  "seq", "ref_edge" };

static void on_truth(void *ctx, const struct truth_sample *s)
{
	struct truth_out *o = ctx;
	if (!o->have_t0) {
		o->t0 = s->t;
		o->have_t0 = true;
		o->min = o->max = s->offset_ns;
	}
	ds_put_fixed(o->ds, ptime_diff_ns(s->t, o->t0) / 1e9, 9);
	ds_put_time(o->ds, s->t);
	ds_put_fixed(o->ds, s->offset_ns, 3);
	ds_put_fixed(o->ds, s->uncertainty_ns, 1);
	ds_put_i64(o->ds, s->second);
	ds_put_i64(o->ds, s->seq);
	ds_put_time(o->ds, s->ref_edge);
	ds_end_row(o->ds);
	o->sum += s->offset_ns;
	o->sum2 += s->offset_ns * s->offset_ns;
	if (s->offset_ns < o->min)
		o->min = s->offset_ns;
	if (s->offset_ns > o->max)
		o->max = s->offset_ns;
}

/* Replay: the two recordings merged in time (edge key: sys for PPS, phc for EXTTS). */
static int truth_replay(struct clocksrc *edges, struct clocksrc *phc, struct truth_pairer *tp,
			bool want_assert_or_rising)
{
	struct clk_event e, r;
	int re = clocksrc_next(edges, 0, &e), rr = phc ? clocksrc_next(phc, 0, &r) : 2;
	while (re == 1 || rr == 1) {
		if (re < 0 || rr < 0)
			return -1;
		bool take_edge;
		if (re != 1)
			take_edge = false;
		else if (rr != 1)
			take_edge = true;
		else {
			struct ptime ke = e.kind == CLK_EXTTS ? e.phc : e.sys;
			struct ptime kr = e.kind == CLK_EXTTS ? r.phc : r.sys;
			take_edge = ptime_cmp(ke, kr) <= 0;
		}
		if (take_edge) {
			bool wanted = e.kind == CLK_EXTTS ||
				      (e.kind == CLK_PPS_ASSERT) == want_assert_or_rising;
			if (wanted)
				truth_pairer_edge(tp, &e);
			re = clocksrc_next(edges, 0, &e);
		} else {
			truth_pairer_reading(tp, &r);
			rr = clocksrc_next(phc, 0, &r);
		}
	}
	return re < 0 || rr < 0 ? -1 : 0;
}

/* Live: PHC readings at the rate, edges as they come. */
static int truth_live(struct clocksrc *edges, struct clocksrc *phc, struct truth_pairer *tp,
		      double rate, int64_t duration)
{
	stop_signal_catch(NULL);
	int64_t start = mono_now_ns(), period = (int64_t)(1e9 / rate), next = start;
	bool tty = progress_wanted();
	while (!stop_signal_caught() && !(duration && mono_now_ns() - start >= duration)) {
		int64_t now = mono_now_ns();
		if (phc && now >= next) {
			struct clk_event r;
			if (clocksrc_next(phc, 0, &r) != 1)
				return -1;
			truth_pairer_reading(tp, &r);
			next += period;
		}
		int wait = phc ? (int)((next - mono_now_ns()) / 1000000) : 250;
		struct clk_event e;
		int rc = clocksrc_next(edges, wait < 0 ? 0 : wait, &e);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			truth_pairer_edge(tp, &e);
			if (tty) {
				const struct truth_counts *c = truth_pairer_counts(tp);
				fprintf(stderr, "\r%s: %llu edges, %llu paired   ", edges->name,
					(unsigned long long)c->edges, (unsigned long long)c->paired);
			}
		}
	}
	if (tty)
		fputc('\n', stderr);
	return 0;
}

int cmd_truth(int argc, char **argv)
{
	enum { O_PPS = 256, O_EXTTS, O_PHC, O_CLOCK, O_EDGE, O_INDEX, O_PIN, O_DURATION, O_RATE,
	       O_SAMPLES, O_MAXGAP, O_JSON, O_TIMESCALE };
	static const struct option opts[] = {
		{ "pps", required_argument, NULL, O_PPS },
		{ "extts", required_argument, NULL, O_EXTTS },
		{ "phc", required_argument, NULL, O_PHC },
		{ "clock", required_argument, NULL, O_CLOCK },
		{ "edge", required_argument, NULL, O_EDGE },
		{ "index", required_argument, NULL, O_INDEX },
		{ "pin", required_argument, NULL, O_PIN },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "rate", required_argument, NULL, O_RATE },
		{ "samples", required_argument, NULL, O_SAMPLES },
		{ "max-gap", required_argument, NULL, O_MAXGAP },
		{ "timescale", required_argument, NULL, O_TIMESCALE },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pps = NULL, *extts = NULL, *phcarg = NULL, *out = NULL, *edge = NULL;
	const char *timescale = NULL;
	struct truth_opts to = { TRUTH_CLOCK_PHC, 2 * NS_PER_SEC };
	long index = -1, pin = -1, samples = 9;
	int64_t duration = 0;
	double rate = 4;
	bool json = false;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
		switch (c) {
		case O_PPS: pps = optarg; break;
		case O_EXTTS: extts = optarg; break;
		case O_PHC: phcarg = optarg; break;
		case O_CLOCK:
			if (!strcmp(optarg, "phc"))
				to.clock = TRUTH_CLOCK_PHC;
			else if (!strcmp(optarg, "system"))
				to.clock = TRUTH_CLOCK_SYSTEM;
			else
				return usage_error("--clock: '%s' is not phc or system", optarg);
			break;
		case O_EDGE: edge = optarg; break;
		case O_INDEX:
			if (!parse_int_arg("--index", optarg, 0, 255, &index))
				return EXIT_USAGE;
			break;
		case O_PIN:
			if (!parse_int_arg("--pin", optarg, 0, 255, &pin))
				return EXIT_USAGE;
			break;
		case O_DURATION:
			if (!parse_duration(optarg, &duration) || duration <= 0)
				return usage_error("--duration: '%s' is not a duration", optarg);
			break;
		case O_RATE:
			if (!parse_double_arg("--rate", optarg, &rate) || !(rate >= 1 && rate <= 100))
				return usage_error("--rate: '%s' is not 1..100 per second", optarg);
			break;
		case O_SAMPLES:
			if (!parse_int_arg("--samples", optarg, 1, 25, &samples))
				return EXIT_USAGE;
			break;
		case O_MAXGAP:
			if (!parse_duration(optarg, &to.max_gap_ns) || to.max_gap_ns <= 0)
				return usage_error("--max-gap: '%s' is not a duration", optarg);
			break;
		case O_TIMESCALE:
			if (!strcmp(optarg, "tai") || !strcmp(optarg, "TAI"))
				timescale = "TAI";
			else if (!strcmp(optarg, "utc") || !strcmp(optarg, "UTC"))
				timescale = "UTC";
			else
				return usage_error("--timescale: '%s' is not TAI or UTC", optarg);
			break;
		case 'o': out = optarg; break;
		case O_JSON: json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(truth_usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!pps == !extts)
		return usage_error("give one of --pps SRC and --extts SRC");
	if (!out)
		return usage_error("give -o FILE");
	if (json && !strcmp(out, "-"))
		return usage_error("--json and -o - both want stdout");
	bool a = true, cl = false;
	if (pps ? !pps_edges(edge, &a, &cl) || (a && cl) : !extts_edges(edge, &a, &cl) || (a && cl))
		return usage_error("--edge: '%s' is not one of %s", edge,
				   pps ? "assert, clear" : "rising, falling");
	enum clk_event_kind kind = pps ? (a ? CLK_PPS_ASSERT : CLK_PPS_CLEAR) : CLK_EXTTS;
	bool need = truth_needs_readings(to.clock, kind);
	if (need && !phcarg)
		return usage_error("--phc SRC is needed: %s edges become %s time through PHC readings",
				   pps ? "PPS" : "EXTTS", pps ? "PHC" : "system");
	const char *esrc = pps ? pps : extts;
	bool erec = clocksrc_is_recording(esrc);
	bool prec = need && clocksrc_is_recording(phcarg);
	if (need && erec != prec)
		return usage_error("mix of a recording and a device: give both as devices or both as "
				   "recordings");
	struct clocksrc *es;
	if (erec)
		es = clock_replay_open(esrc, pps ? "pps" : "extts");
	else if (pps)
		es = pps_open(esrc, a, cl);
	else if (index < 0)
		return usage_error("--extts on a device needs --index N");
	else
		es = extts_open(esrc, (int)index, (int)pin, a, cl);
	if (!es)
		return EXIT_USAGE;
	struct clocksrc *ps = NULL;
	if (need && !(ps = open_phc_source(phcarg, (int)samples, PHC_METHOD_AUTO))) {
		clocksrc_close(es);
		return EXIT_USAGE;
	}
	struct truth_out tout = { 0 };
	tout.ds = ds_create(out, "truth");
	if (!tout.ds) {
		clocksrc_close(es);
		clocksrc_close(ps);
		return EXIT_USAGE;
	}
	ds_meta(tout.ds, "reference", "%s %s %s", pps ? "pps" : "extts", es->name,
		kind == CLK_PPS_ASSERT ? "assert" : kind == CLK_PPS_CLEAR ? "clear" :
		a ? "rising" : "falling");
	ds_meta(tout.ds, "clock", "%s", to.clock == TRUTH_CLOCK_PHC ?
		(ps ? ps->name : es->name) : "CLOCK_REALTIME");
	ds_meta(tout.ds, "phc_readings", "%s", ps ? ps->name : "-");
	/* The contract's values (TAI, UTC, unknown; calibrate compares the first three
	 * letters): CLOCK_REALTIME is UTC; a PHC's scale is what the user says it is. */
	ds_meta(tout.ds, "timescale", "%s", to.clock == TRUTH_CLOCK_SYSTEM ? "UTC" :
		timescale ? timescale : "unknown");
	ds_meta(tout.ds, "offset_folding", "offsets are folded into [-0.5 s, 0.5 s): a pulse marks "
		"seconds, not which; second = the whole second taken, in the clock's scale");
	ds_meta(tout.ds, "sign_convention", "offset = clock - reference (as PTP: slave - master)");
	ds_meta(tout.ds, "uncertainty", "half the wider system-clock bracket of the two PHC "
		"readings used; nan without readings; excludes PPS latency and cable delay");
	ds_meta(tout.ds, "created_by", "ptpcal %s truth", PTPCAL_VERSION);
	ds_declare_columns(tout.ds, truth_cols, 7);
	struct truth_pairer *tp = truth_pairer_new(&to, on_truth, &tout);
	int rc = erec ? truth_replay(es, ps, tp, a) : truth_live(es, ps, tp, rate, duration);
	truth_pairer_finish(tp);
	const struct truth_counts *tc = truth_pairer_counts(tp);
	ds_meta(tout.ds, "edges", "%llu", (unsigned long long)tc->edges);
	ds_meta(tout.ds, "paired", "%llu", (unsigned long long)tc->paired);
	ds_meta(tout.ds, "edges_without_readings", "%llu", (unsigned long long)tc->no_readings);
	ds_meta(tout.ds, "missed_pulses", "%llu", (unsigned long long)tc->missed_pulses);
	ds_meta(tout.ds, "interval_anomalies", "%llu", (unsigned long long)tc->interval_anomalies);
	int status = rc < 0 ? EXIT_USAGE : tc->paired ? EXIT_OK : EXIT_FAILED;
	if (ds_close(tout.ds) != 0)
		status = EXIT_USAGE;
	double n = (double)tc->paired;
	double mean = n ? tout.sum / n : NAN;
	double sd = n > 1 ? sqrt(fmax(0, (tout.sum2 - n * mean * mean) / (n - 1))) : NAN;
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "reference", es->name);
		json_str(&j, "clock", to.clock == TRUTH_CLOCK_PHC ? "phc" : "system");
		json_int(&j, "edges", (int64_t)tc->edges);
		json_int(&j, "paired", (int64_t)tc->paired);
		json_int(&j, "edges_without_readings", (int64_t)tc->no_readings);
		json_int(&j, "missed_pulses", (int64_t)tc->missed_pulses);
		json_int(&j, "interval_anomalies", (int64_t)tc->interval_anomalies);
		json_num(&j, "offset_mean_ns", mean);
		json_num(&j, "offset_std_ns", sd);
		json_num(&j, "offset_min_ns", n ? tout.min : NAN);
		json_num(&j, "offset_max_ns", n ? tout.max : NAN);
		json_obj_end(&j);
		json_finish(&j);
	}
	char b1[32], b2[32], b3[32], b4[32];
	if (status != EXIT_USAGE) /* a failed write said why; no summary that reads as a success */
		log_note("%s: %llu edges, %llu paired (%llu without readings, %llu missed pulses); offset "
			 "mean %s, std %s, min %s, max %s", out, (unsigned long long)tc->edges,
			 (unsigned long long)tc->paired, (unsigned long long)tc->no_readings,
			 (unsigned long long)tc->missed_pulses, fmt_si_time(mean, b1, sizeof(b1)),
			 fmt_si_time(sd, b2, sizeof(b2)), fmt_si_time(n ? tout.min : NAN, b3, sizeof(b3)),
			 fmt_si_time(n ? tout.max : NAN, b4, sizeof(b4)));
	if (!tc->paired && rc == 0)
		log_warn("no edge could be paired%s", need ? ": are the PHC readings around the edges "
			 "(same time span, --max-gap)?" : "");
	truth_pairer_free(tp);
	clocksrc_close(es);
	clocksrc_close(ps);
	return status;
}
