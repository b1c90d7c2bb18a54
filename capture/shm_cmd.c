/* ptpcal shm read | write: NTP SHM refclock segments (capture/ntpshm.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/ntpshm.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/dataset.h"
#include "common/json.h"
#include "common/log.h"

static const char usage[] =
	"usage: ptpcal shm read [--unit N]... [--count K] [--duration D] [-o FILE] [--json]\n"
	"       ptpcal shm write --unit N [--offset X] [--interval D] [--count K] [--duration D]\n"
	"       ptpcal shm write --unit N --replay DATASET [--column NAME] [--speed K]\n"
	"\n"
	"NTP shared-memory refclock segments (key 0x4e545030 + unit), the interface between\n"
	"gpsd / phc2sys -E ntpshm and ntpd / chrony, with ntpd's valid/count protocol.\n"
	"\n"
	"read: watch segments like gpsd's ntpshmmon: a line per new sample (both time stamps\n"
	"changed), without taking the sample away from ntpd unless --consume. Columns as\n"
	"ntpshmmon's: Seen@ (when read), Clock (the system clock: receiveTimeStamp), Real (the\n"
	"reference: clockTimeStamp), leap, precision; then Offset = Clock - Real in ns.\n"
	"  -u, --unit N           a unit to watch (repeatable; default all 0..255)\n"
	"  -n, --count K          stop after K samples (exit 1 if fewer came)\n"
	"  -t, --duration D       stop after D (e.g. 30s, 5min)\n"
	"  -o, --output FILE      'ntpshm' dataset of the samples ('-' for stdout)\n"
	"      --consume          clear 'valid' after each read, as ntpd does\n"
	"      --json             the samples as JSON on stdout at the end\n"
	"\n"
	"write: feed a segment, as gpsd does (for tests and bridges). Every interval it writes\n"
	"receiveTimeStamp = the system clock now, clockTimeStamp = that + OFFSET.\n"
	"  -u, --unit N           the unit (0..255; ntpd makes units 0 and 1 root-only)\n"
	"      --offset X         what ntpd will see as the reference's offset (clock - system,\n"
	"                         ntpq's sign; ptpcal datasets show -X): 5ms, -250us (default 0)\n"
	"  -i, --interval D       time between samples (default 1s)\n"
	"  -n, --count K          stop after K samples\n"
	"  -t, --duration D       stop after D\n"
	"      --mode 0|1         the segment's mode (default 1: count-checked)\n"
	"      --precision P      log2 of the jitter in s (default -20, ~1 us)\n"
	"      --leap L           leap notification code 0..3 (default 0)\n"
	"      --keep             keep a segment this command created (default: remove at exit)\n"
	"      --replay DATASET   bridge: one sample per row of a dataset with an offset column\n"
	"                         (local - reference, ns: ntpd sees its negative), paced by its\n"
	"                         t_s column (else --interval); stops at its end\n"
	"      --column NAME      the offset column (default offset_ns)\n"
	"      --speed K          replay K times faster than t_s says (default 1)\n"
	"      --wait D           attach (or create) the segment, then wait D before the first\n"
	"                         sample (lets readers attach first)\n"
	"\n"
	"  -q, --quiet, -v, --verbose, -h, --help\n"
	"Exit: 0 ok, 1 fewer samples than --count, 2 bad usage or no segment (read) / cannot\n"
	"attach (write). Stops cleanly on SIGINT/SIGTERM. Format: docs/dataset-format.md (ntpshm).\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t ts_ns(struct timespec ts)
{
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* ---- read ---- */

struct unit_state {
	struct ntpshm_seg seg;
	bool attached;
	bool have_last;
	struct timespec last_clock, last_receive;
	uint64_t samples, bad_mode, clash;
};

struct sample_rec {
	int unit;
	int64_t seen, clock, receive;
	struct ntpshm_sample s;
};

static const char *const shm_cols[] = { "t_s",	 "unit", "seen",      "sys_time", "ref_time",
					"offset_ns", "mode", "count",     "leap",     "precision" };

static bool same_ts(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static int cmd_shm_read(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "unit", required_argument, NULL, 'u' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "consume", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static bool want[NTPSHM_UNITS];
	bool any_unit = false, consume = false, json = false;
	long count = 0;
	int64_t duration = 0;
	const char *out_path = NULL;
	int c;
	memset(want, 0, sizeof(want));
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "u:n:t:o:qvh", opts, NULL)) != -1) {
		long v;
		switch (c) {
		case 'u':
			if (!parse_int_arg("--unit", optarg, 0, NTPSHM_UNITS - 1, &v))
				return EXIT_USAGE;
			want[v] = any_unit = true;
			break;
		case 'n':
			if (!parse_int_arg("--count", optarg, 1, 1000000000L, &count))
				return EXIT_USAGE;
			break;
		case 't':
			if (!parse_duration(optarg, &duration) || duration <= 0)
				return usage_error("--duration: '%s' is not a duration", optarg);
			break;
		case 'o': out_path = optarg; break;
		case 'C': consume = true; break;
		case 'j': json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (out_path && !strcmp(out_path, "-") && json)
		return usage_error("-o - and --json cannot both use stdout");
	if (!any_unit)
		for (int u = 0; u < NTPSHM_UNITS; u++)
			want[u] = true;

	static struct unit_state st[NTPSHM_UNITS];
	memset(st, 0, sizeof(st));
	struct ds_writer *ds = NULL;
	if (out_path) {
		if (!(ds = ds_create(out_path, "ntpshm")))
			return EXIT_USAGE;
		ds_meta(ds, "source", "NTP SHM (key 0x%08x + unit)", NTPSHM_KEY_BASE);
		ds_meta(ds, "consume", "%d", consume);
		ds_meta(ds, "timescale", "UTC (as the writer gives it)");
		ds_meta(ds, "sign_convention",
			"offset_ns = sys_time - ref_time (system clock - reference); ntpd/ntpq show ref_time - sys_time");
		ds_meta(ds, "created_by", "ptpcal %s", PTPCAL_VERSION);
		ds_declare_columns(ds, shm_cols, (int)(sizeof(shm_cols) / sizeof(shm_cols[0])));
	}
	bool text = !json && !(out_path && !strcmp(out_path, "-")) && log_verbosity() >= 0;
	if (text)
		setvbuf(stdout, NULL, _IOLBF, 0);
	struct sample_rec *recs = NULL;
	size_t nrec = 0, caprec = 0;
	int64_t start = mono_ns(), next_attach = start, first_receive = 0;
	long got = 0;
	bool ever_attached = false, header = false;
	int rc = EXIT_OK;
	catch_signals();
	while (!stop) {
		int64_t now = mono_ns();
		if (duration && now - start >= duration)
			break;
		/* Segments may appear later (gpsd started after us): look again every second. */
		if (now >= next_attach) {
			next_attach = now + NS_PER_SEC;
			for (int u = 0; u < NTPSHM_UNITS; u++) {
				if (!want[u] || st[u].attached)
					continue;
				char err[160];
				int e;
				if (ntpshm_attach(u, false, 0, &st[u].seg, err, sizeof(err), &e)) {
					st[u].attached = ever_attached = true;
					log_debug("unit %d attached (shmid %d)", u, st[u].seg.shmid);
				} else if (e != ENOENT && any_unit) {
					log_warn("%s", err);
				}
			}
			if (!ever_attached && !duration && !count) {
				log_err("no NTP SHM segment exists (units %s); nothing writes to SHM",
					any_unit ? "given" : "0..255");
				rc = EXIT_USAGE;
				break;
			}
		}
		for (int u = 0; u < NTPSHM_UNITS && !stop; u++) {
			if (!st[u].attached)
				continue;
			struct ntpshm_sample s;
			enum ntpshm_status r = ntpshm_read(st[u].seg.t, consume, &s);
			if (r == NTPSHM_BAD_MODE) {
				if (!st[u].bad_mode++)
					log_warn("unit %d: unknown mode %d", u, st[u].seg.t->mode);
				continue;
			}
			if (r == NTPSHM_CLASH)
				st[u].clash++;
			if (r != NTPSHM_OK)
				continue;
			/* gpsd ntpshmmon: a new sample when both time stamps changed. */
			if (st[u].have_last && (same_ts(s.receive, st[u].last_receive) ||
						same_ts(s.clock, st[u].last_clock)))
				continue;
			st[u].have_last = true;
			st[u].last_receive = s.receive;
			st[u].last_clock = s.clock;
			st[u].samples++;
			struct timespec seen;
			clock_gettime(CLOCK_REALTIME, &seen);
			struct sample_rec rec = { u, ts_ns(seen), ts_ns(s.clock), ts_ns(s.receive), s };
			if (!got)
				first_receive = rec.receive;
			got++;
			char b1[PTIME_STRLEN], b2[PTIME_STRLEN], b3[PTIME_STRLEN], name[16];
			if (text) {
				if (!header)
					printf("#      Name  Seen@                 Clock                 "
					       "Real                  L Prc Offset(ns)\n");
				header = true;
				ptime_format(ptime_from_ns(rec.seen), b1);
				ptime_format(ptime_from_ns(rec.receive), b2);
				ptime_format(ptime_from_ns(rec.clock), b3);
				printf("sample %-5s %s %s %s %d %3d %lld\n", ntpshm_name(u, name, sizeof(name)),
				       b1, b2, b3, s.leap, s.precision, (long long)ntpshm_offset_ns(&s));
			}
			if (ds) {
				ds_put_fixed(ds, (double)(rec.receive - first_receive) / 1e9, 9);
				ds_put_i64(ds, u);
				ds_put_time(ds, ptime_from_ns(rec.seen));
				ds_put_time(ds, ptime_from_ns(rec.receive));
				ds_put_time(ds, ptime_from_ns(rec.clock));
				ds_put_i64(ds, ntpshm_offset_ns(&s));
				ds_put_i64(ds, s.mode);
				ds_put_i64(ds, s.count);
				ds_put_i64(ds, s.leap);
				ds_put_i64(ds, s.precision);
				ds_end_row(ds);
				ds_flush(ds);
			}
			if (json) {
				if (nrec == caprec) {
					caprec = caprec ? 2 * caprec : 64;
					recs = xrealloc(recs, caprec * sizeof(*recs));
				}
				recs[nrec++] = rec;
			}
			if (count && got >= count)
				stop = 1;
		}
		/* ntpshmmon polls every 1 ms: a 5 Hz PPS pulse lasts >= 20 ms. */
		struct timespec delay = { 0, 1000000L };
		nanosleep(&delay, NULL);
	}
	if (rc == EXIT_OK && !ever_attached) {
		log_err("no NTP SHM segment appeared (units %s)", any_unit ? "given" : "0..255");
		rc = EXIT_USAGE;
	} else if (rc == EXIT_OK && count && got < count) {
		log_err("%ld of %ld samples arrived", got, count);
		rc = EXIT_FAILED;
	}
	if (ds) {
		uint64_t clashes = 0, bad = 0;
		for (int u = 0; u < NTPSHM_UNITS; u++)
			clashes += st[u].clash, bad += st[u].bad_mode;
		ds_meta(ds, "samples", "%ld", got);
		ds_meta(ds, "clashes", "%llu", (unsigned long long)clashes);
		ds_meta(ds, "bad_mode_reads", "%llu", (unsigned long long)bad);
		if (ds_close(ds) != 0 && rc == EXIT_OK)
			rc = EXIT_USAGE;
	}
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-shm/1");
		json_arr_begin(&j, "units");
		for (int u = 0; u < NTPSHM_UNITS; u++) {
			if (!st[u].attached)
				continue;
			json_obj_begin(&j, NULL);
			json_int(&j, "unit", u);
			json_int(&j, "samples", (int64_t)st[u].samples);
			json_int(&j, "clashes", (int64_t)st[u].clash);
			json_int(&j, "bad_mode_reads", (int64_t)st[u].bad_mode);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_arr_begin(&j, "samples");
		for (size_t i = 0; i < nrec; i++) {
			char name[16];
			json_obj_begin(&j, NULL);
			json_int(&j, "unit", recs[i].unit);
			json_str(&j, "name", ntpshm_name(recs[i].unit, name, sizeof(name)));
			json_time(&j, "seen", recs[i].seen);
			json_time(&j, "sys_time", recs[i].receive);
			json_time(&j, "ref_time", recs[i].clock);
			json_int(&j, "offset_ns", ntpshm_offset_ns(&recs[i].s));
			json_int(&j, "mode", recs[i].s.mode);
			json_int(&j, "count", recs[i].s.count);
			json_int(&j, "leap", recs[i].s.leap);
			json_int(&j, "precision", recs[i].s.precision);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		json_finish(&j);
	}
	free(recs);
	for (int u = 0; u < NTPSHM_UNITS; u++)
		if (st[u].attached)
			ntpshm_detach(&st[u].seg);
	return rc;
}

/* ---- write ---- */

static int cmd_shm_write(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "unit", required_argument, NULL, 'u' },
		{ "offset", required_argument, NULL, 'O' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'M' },
		{ "precision", required_argument, NULL, 'P' },
		{ "leap", required_argument, NULL, 'L' },
		{ "keep", no_argument, NULL, 'K' },
		{ "replay", required_argument, NULL, 'R' },
		{ "column", required_argument, NULL, 'C' },
		{ "speed", required_argument, NULL, 'S' },
		{ "wait", required_argument, NULL, 'W' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *replay = NULL, *column = "offset_ns";
	double speed = 1;
	bool offset_given = false;
	long unit = -1, count = 0, mode = 1, precision = -20, leap = 0;
	int64_t interval = NS_PER_SEC, duration = 0, wait = 0;
	double offset = 0;
	bool keep = false;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "u:i:n:t:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (!parse_int_arg("--unit", optarg, 0, NTPSHM_UNITS - 1, &unit))
				return EXIT_USAGE;
			break;
		case 'O':
			/* Bound: ntpd's default delta check refuses samples more than 4 h off
			 * (refclock_shm.c max_delta); a day is far beyond any use here. */
			if (!parse_time_value(optarg, 1.0, &offset) || offset > 86400e9 || offset < -86400e9)
				return usage_error("--offset: '%s' is not a time (5ms, -250us, 1.5e-3s)", optarg);
			offset_given = true;
			break;
		case 'i':
			if (!parse_duration(optarg, &interval) || interval < 1000000)
				return usage_error("--interval: '%s' is not a duration of 1 ms or more", optarg);
			break;
		case 'n':
			if (!parse_int_arg("--count", optarg, 1, 1000000000L, &count))
				return EXIT_USAGE;
			break;
		case 't':
			if (!parse_duration(optarg, &duration) || duration <= 0)
				return usage_error("--duration: '%s' is not a duration", optarg);
			break;
		case 'M':
			if (!parse_int_arg("--mode", optarg, 0, 1, &mode))
				return EXIT_USAGE;
			break;
		case 'P':
			if (!parse_int_arg("--precision", optarg, -64, 0, &precision))
				return EXIT_USAGE;
			break;
		case 'L':
			if (!parse_int_arg("--leap", optarg, 0, 3, &leap))
				return EXIT_USAGE;
			break;
		case 'K': keep = true; break;
		case 'R': replay = optarg; break;
		case 'W':
			if (!parse_duration(optarg, &wait) || wait < 0)
				return usage_error("--wait: '%s' is not a duration", optarg);
			break;
		case 'C': column = optarg; break;
		case 'S':
			if (!parse_double_arg("--speed", optarg, &speed) || !(speed > 0) || speed > 1e6)
				return usage_error("--speed: '%s' is not a factor in (0, 1e6]", optarg);
			break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (unit < 0)
		return usage_error("give the segment with --unit N");
	if (replay && offset_given)
		return usage_error("--offset and --replay exclude each other");

	/* The bridge's input first: a bad file fails before any segment is touched. */
	struct ds_reader *rd = NULL;
	int c_off = -1, c_t = -1;
	int64_t t_first = 0;
	bool have_first = false;
	if (replay) {
		if (!(rd = ds_open(replay, NULL)))
			return EXIT_USAGE;
		if ((c_off = ds_require_col(rd, column)) < 0) {
			ds_reader_close(rd);
			return EXIT_USAGE;
		}
		c_t = ds_col(rd, "t_s");
	}

	struct ntpshm_seg seg;
	char err[160];
	if (!ntpshm_attach((int)unit, true, ntpshm_default_perm((int)unit), &seg, err, sizeof(err),
			   NULL)) {
		log_err("%s", err);
		return EXIT_USAGE;
	}
	if (rd)
		log_note("unit %ld (key 0x%08x, shmid %d): %s; replaying %s column %s%s", unit,
			 (unsigned)seg.key, seg.shmid, seg.created ? "created" : "attached", replay, column,
			 c_t >= 0 ? " paced by t_s" : "");
	else
		log_note("unit %ld (key 0x%08x, shmid %d): %s; writing every %.3f s, ntpd offset %+.0f ns",
			 unit, (unsigned)seg.key, seg.shmid, seg.created ? "created" : "attached",
			 (double)interval / 1e9, offset);
	catch_signals();
	if (wait > 0) {
		struct timespec w = { (time_t)(wait / NS_PER_SEC), (long)(wait % NS_PER_SEC) };
		nanosleep(&w, NULL); /* a signal ends it early (and then the loop) */
	}
	int64_t off_ns = (int64_t)(offset >= 0 ? offset + 0.5 : offset - 0.5);
	int64_t start = mono_ns();
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	long written = 0;
	int rc = EXIT_OK;
	while (!stop) {
		if (rd) {
			/* Next row with a finite offset; pace by its t_s. */
			int r;
			double v = NAN;
			int64_t t_row = 0;
			while ((r = ds_next(rd)) != 0) {
				if (r < 0 || !ds_get_double(rd, c_off, &v)) {
					rc = EXIT_USAGE;
					break;
				}
				if (!isfinite(v))
					continue;
				struct ptime pt;
				if (c_t >= 0 && !ds_get_time(rd, c_t, &pt)) {
					rc = EXIT_USAGE;
					break;
				}
				t_row = c_t >= 0 ? pt.ns : 0;
				break;
			}
			if (r <= 0 || rc != EXIT_OK)
				break;
			/* offset_ns = local - reference; ntpd's offset = clock - receive = its negative. */
			off_ns = -(int64_t)llround(v);
			if (c_t >= 0) {
				if (!have_first) {
					t_first = t_row;
					have_first = true;
				}
				int64_t due = start + (int64_t)((double)(t_row - t_first) / speed);
				struct timespec d = { (time_t)(due / NS_PER_SEC), (long)(due % NS_PER_SEC) };
				while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL) == EINTR)
					;
				if (stop)
					break;
			}
		}
		struct timespec rx;
		clock_gettime(CLOCK_REALTIME, &rx);
		int64_t clk = ts_ns(rx) + off_ns;
		struct timespec cl = { (time_t)(clk / NS_PER_SEC), (long)(clk % NS_PER_SEC) };
		if (cl.tv_nsec < 0) {
			cl.tv_nsec += NS_PER_SEC;
			cl.tv_sec--;
		}
		ntpshm_write(seg.t, (int)mode, cl, rx, (int)leap, (int)precision);
		written++;
		if (log_verbosity() > 0) {
			char b1[PTIME_STRLEN], b2[PTIME_STRLEN];
			ptime_format(ptime_from_timespec(cl), b1);
			ptime_format(ptime_from_timespec(rx), b2);
			log_note("sample %ld: clock %s receive %s", written, b1, b2);
		}
		if (count && written >= count)
			break;
		if (duration && mono_ns() - start >= duration)
			break;
		if (rd && c_t >= 0)
			continue; /* paced by the dataset */
		int64_t t = ts_ns(next) + interval;
		next.tv_sec = (time_t)(t / NS_PER_SEC);
		next.tv_nsec = (long)(t % NS_PER_SEC);
		if (duration && t - start >= duration)
			break;
		while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	log_note("%ld samples written to unit %ld", written, unit);
	if (rd)
		ds_reader_close(rd);
	if (seg.created && !keep) {
		if (!ntpshm_remove(&seg))
			log_warn("unit %ld: could not remove the segment: %s", unit, strerror(errno));
	} else {
		ntpshm_detach(&seg);
	}
	return rc;
}

int cmd_shm(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("give a subcommand: read or write");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "read"))
		return cmd_shm_read(argc - 1, argv + 1);
	if (!strcmp(argv[1], "write"))
		return cmd_shm_write(argc - 1, argv + 1);
	return usage_error("unknown subcommand '%s' (read or write)", argv[1]);
}
