/* ptpcal gnss record: gpsd reports and the GNSS health signal into a `gnss` dataset. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gps.h>

#include "capture/gpsd_client.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/dataset.h"
#include "common/json.h"
#include "common/log.h"

static const char usage[] =
	"usage: ptpcal gnss record -o FILE [--duration D] [--host H] [--port P] [--device DEV]\n"
	"                          [--fix-timeout S] [--pps-timeout S] [--min-sats N] [--json]\n"
	"\n"
	"Record what gpsd reports (through libgps, reconnecting when gpsd goes away): fix mode\n"
	"and time (TPV), satellites used and visible (SKY), PPS and TOFF time offsets, and the\n"
	"health signal a watchdog uses: FIX_LOST / FIX_OK and PPS_LOST / PPS_OK rows when they\n"
	"change, with the reason.\n"
	"\n"
	"  -o, --output FILE      the 'gnss' dataset ('-' for stdout)\n"
	"  -t, --duration D       record for D (e.g. 30s, 10min); default until SIGINT/SIGTERM\n"
	"      --host H           gpsd host (default localhost)\n"
	"      --port P           gpsd port (default 2947)\n"
	"      --device DEV       only this device (default all)\n"
	"      --fix-timeout S    no fix reported for S seconds = fix lost (default 3)\n"
	"      --pps-timeout S    no PPS for S seconds = PPS lost, once PPS was seen (default 3)\n"
	"      --min-sats N       a fix needs N satellites used (default 0: any)\n"
	"      --json             a summary as JSON on stdout\n"
	"  -q, --quiet, -v, --verbose, -h, --help\n"
	"\n"
	"A fix is lost at once when gpsd reports mode 0/1 or the connection drops. offset_ns =\n"
	"sys_time - gnss_time (system clock - GNSS, ptpcal's slave - master sign).\n"
	"Exit: 0 ok, 2 bad usage or gpsd never reachable, 130 interrupted (data written).\n"
	"Format: docs/dataset-format.md (gnss).\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *const gnss_cols[] = { "t_s",	     "host_time", "event",     "device",
					 "mode",     "sats_used", "sats_visible", "gnss_time",
					 "sys_time", "offset_ns", "fix_ok",    "pps_ok",
					 "note" };

struct rec {
	struct ds_writer *ds;
	struct gnss_state st;
	int64_t first_host;
	bool have_first;
	uint64_t n[GNSS_DISCONNECT + 1];
	uint64_t fix_lost, pps_lost;
	int64_t fix_ok_ns, last_mono; /* time spent with a fix */
	bool verbose;
};

static void put_ts_or_dash(struct ds_writer *ds, bool have, struct timespec ts)
{
	if (have)
		ds_put_time(ds, ptime_from_timespec(ts));
	else
		ds_put_str(ds, "-");
}

static void row(struct rec *r, const char *event, int64_t host_ns, const char *device,
		const struct gnss_event *ev, const char *note)
{
	if (!r->have_first) {
		r->first_host = host_ns;
		r->have_first = true;
	}
	struct ds_writer *ds = r->ds;
	ds_put_fixed(ds, (double)(host_ns - r->first_host) / 1e9, 9);
	ds_put_time(ds, ptime_from_ns(host_ns));
	ds_put_str(ds, event);
	ds_put_str(ds, device && device[0] ? device : "-");
	ds_put_i64(ds, r->st.mode);
	if (r->st.sats_used >= 0)
		ds_put_i64(ds, r->st.sats_used);
	else
		ds_put_str(ds, "nan");
	if (r->st.sats_visible >= 0)
		ds_put_i64(ds, r->st.sats_visible);
	else
		ds_put_str(ds, "nan");
	bool pt = ev && (ev->kind == GNSS_PPS || ev->kind == GNSS_TOFF);
	if (ev && ev->kind == GNSS_TPV)
		put_ts_or_dash(ds, ev->has_time, ev->time);
	else
		put_ts_or_dash(ds, pt, pt ? ev->real : (struct timespec){ 0, 0 });
	put_ts_or_dash(ds, pt, pt ? ev->clock : (struct timespec){ 0, 0 });
	if (pt)
		ds_put_i64(ds, gnss_event_offset_ns(ev));
	else
		ds_put_str(ds, "nan");
	ds_put_i64(ds, r->st.fix_ok);
	ds_put_i64(ds, r->st.pps_ok);
	ds_put_str(ds, note && note[0] ? note : "-");
	ds_end_row(ds);
}

static void account(struct rec *r, int64_t mono)
{
	if (r->last_mono && r->st.fix_ok)
		r->fix_ok_ns += mono - r->last_mono;
	r->last_mono = mono;
}

/* State-change rows at the time the change took effect (a timeout's, not the tick's). */
static void changes(struct rec *r, unsigned ch, const char *device, int64_t mono_now)
{
	int64_t host_now = 0;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	host_now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (ch & GNSS_CHANGED_FIX) {
		int64_t host = host_now - (mono_now - r->st.fix_change_mono);
		row(r, r->st.fix_ok ? "FIX_OK" : "FIX_LOST", host, device, NULL, r->st.fix_reason);
		if (!r->st.fix_ok)
			r->fix_lost++;
		log_note("%s: %s", r->st.fix_ok ? "fix" : "fix lost", r->st.fix_reason);
	}
	if (ch & GNSS_CHANGED_PPS) {
		int64_t host = host_now - (mono_now - r->st.pps_change_mono);
		row(r, r->st.pps_ok ? "PPS_OK" : "PPS_LOST", host, device, NULL, r->st.pps_reason);
		if (!r->st.pps_ok)
			r->pps_lost++;
		log_note("%s: %s", r->st.pps_ok ? "PPS" : "PPS lost", r->st.pps_reason);
	}
	ds_flush(r->ds);
}

static void on_event(void *ctx, const struct gnss_event *ev)
{
	struct rec *r = ctx;
	account(r, ev->mono_ns);
	unsigned ch = gnss_state_feed(&r->st, ev);
	r->n[ev->kind]++;
	char note[160] = "";
	if (ev->kind == GNSS_CONNECT)
		snprintf(note, sizeof(note), "connected");
	else if (ev->kind == GNSS_DISCONNECT)
		snprintf(note, sizeof(note), "connection lost");
	else if (ev->kind == GNSS_DEVICE)
		snprintf(note, sizeof(note), "%s", ev->device_active ? "activated" : "deactivated");
	else if (ev->kind == GNSS_PPS && ev->qerr_ps)
		snprintf(note, sizeof(note), "qErr %ld ps", ev->qerr_ps);
	row(r, gnss_kind_name(ev->kind), ev->host_ns, ev->device, ev, note);
	if (ch & (GNSS_CHANGED_FIX | GNSS_CHANGED_PPS))
		changes(r, ch & (GNSS_CHANGED_FIX | GNSS_CHANGED_PPS), ev->device, ev->mono_ns);
}

int cmd_gnss(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "help"))) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (argc < 2)
		return usage_error("give a subcommand: record");
	if (strcmp(argv[1], "record"))
		return usage_error("unknown subcommand '%s' (record)", argv[1]);
	argc--;
	argv++;
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 't' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'P' },
		{ "device", required_argument, NULL, 'D' },
		{ "fix-timeout", required_argument, NULL, 'F' },
		{ "pps-timeout", required_argument, NULL, 'S' },
		{ "min-sats", required_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *host = "localhost", *port = "2947", *device = NULL;
	int64_t duration = 0;
	struct gnss_limits lim;
	gnss_limits_default(&lim);
	bool json = false;
	int c;
	long v;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "o:t:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 't':
			if (!parse_duration(optarg, &duration) || duration <= 0)
				return usage_error("--duration: '%s' is not a duration", optarg);
			break;
		case 'H': host = optarg; break;
		case 'P':
			if (!parse_int_arg("--port", optarg, 1, 65535, &v))
				return EXIT_USAGE;
			port = optarg;
			break;
		case 'D': device = optarg; break;
		case 'F':
			if (!parse_double_arg("--fix-timeout", optarg, &lim.fix_timeout_s) ||
			    lim.fix_timeout_s <= 0 || lim.fix_timeout_s > 86400)
				return usage_error("--fix-timeout: '%s' is not a number of seconds in (0, 86400]",
						   optarg);
			break;
		case 'S':
			if (!parse_double_arg("--pps-timeout", optarg, &lim.pps_timeout_s) ||
			    lim.pps_timeout_s <= 0 || lim.pps_timeout_s > 86400)
				return usage_error("--pps-timeout: '%s' is not a number of seconds in (0, 86400]",
						   optarg);
			break;
		case 'M':
			if (!parse_int_arg("--min-sats", optarg, 0, 255, &v))
				return EXIT_USAGE;
			lim.min_sats = (int)v;
			break;
		case 'j': json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!out)
		return usage_error("give the dataset with -o FILE");
	if (json && !strcmp(out, "-"))
		return usage_error("-o - and --json cannot both use stdout");

	struct rec r;
	memset(&r, 0, sizeof(r));
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t start = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	gnss_state_init(&r.st, &lim, start);
	if (!(r.ds = ds_create(out, "gnss")))
		return EXIT_USAGE;
	ds_meta(r.ds, "source", "gpsd at %s:%s%s%s (libgps API %d.%d)", host, port, device ? " device " : "",
		device ? device : "", GPSD_API_MAJOR_VERSION, GPSD_API_MINOR_VERSION);
	ds_meta(r.ds, "fix_timeout_s", "%g", lim.fix_timeout_s);
	ds_meta(r.ds, "pps_timeout_s", "%g", lim.pps_timeout_s);
	ds_meta(r.ds, "min_sats", "%d", lim.min_sats);
	ds_meta(r.ds, "timescale", "UTC (gnss_time as gpsd reports it; host_time, sys_time: CLOCK_REALTIME)");
	ds_meta(r.ds, "sign_convention", "offset_ns = sys_time - gnss_time (system clock - GNSS)");
	ds_meta(r.ds, "created_by", "ptpcal %s", PTPCAL_VERSION);
	ds_declare_columns(r.ds, gnss_cols, (int)(sizeof(gnss_cols) / sizeof(gnss_cols[0])));

	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct gpsd_client *cl = gpsd_client_new(host, port, device);
	bool warned = false;
	while (!stop) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		if (duration && now - start >= duration)
			break;
		int slice = 200;
		if (duration && (duration - (now - start)) / 1000000 < slice)
			slice = (int)((duration - (now - start)) / 1000000) + 1;
		char err[256];
		gpsd_client_poll(cl, slice, on_event, &r, err, sizeof(err));
		if (err[0]) {
			if (!warned)
				log_warn("%s; retrying", err);
			else
				log_debug("%s; retrying", err);
			warned = true;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		account(&r, now);
		unsigned ch = gnss_state_tick(&r.st, now);
		if (ch)
			changes(&r, ch, device, now);
		else
			ds_flush(r.ds); /* a long recording loses at most one slice to a crash */
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t end = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	int connections = gpsd_client_connections(cl);
	gpsd_client_free(cl);
	struct gnss_health h;
	gnss_state_health(&r.st, end, &h);
	ds_meta(r.ds, "connections", "%d", connections);
	ds_meta(r.ds, "tpv_reports", "%llu", (unsigned long long)r.n[GNSS_TPV]);
	ds_meta(r.ds, "pps_reports", "%llu", (unsigned long long)r.n[GNSS_PPS]);
	ds_meta(r.ds, "toff_reports", "%llu", (unsigned long long)r.n[GNSS_TOFF]);
	ds_meta(r.ds, "fix_lost_events", "%llu", (unsigned long long)r.fix_lost);
	ds_meta(r.ds, "pps_lost_events", "%llu", (unsigned long long)r.pps_lost);
	ds_meta(r.ds, "fix_fraction", "%.4f",
		end > start ? (double)r.fix_ok_ns / (double)(end - start) : 0.0);
	int rc = ds_close(r.ds) == 0 ? EXIT_OK : EXIT_USAGE;
	if (connections == 0) {
		log_err("gpsd at %s:%s was never reachable", host, port);
		rc = EXIT_USAGE;
	}
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-gnss/1");
		json_str(&j, "output", out);
		json_int(&j, "connections", connections);
		json_num(&j, "duration_s", (double)(end - start) / 1e9);
		json_int(&j, "tpv", (int64_t)r.n[GNSS_TPV]);
		json_int(&j, "sky", (int64_t)r.n[GNSS_SKY]);
		json_int(&j, "pps", (int64_t)r.n[GNSS_PPS]);
		json_int(&j, "toff", (int64_t)r.n[GNSS_TOFF]);
		json_int(&j, "fix_lost_events", (int64_t)r.fix_lost);
		json_int(&j, "pps_lost_events", (int64_t)r.pps_lost);
		json_num(&j, "fix_fraction",
			 end > start ? (double)r.fix_ok_ns / (double)(end - start) : 0.0);
		json_obj_begin(&j, "health");
		json_bool(&j, "connected", h.connected);
		json_bool(&j, "fix_ok", h.fix_ok);
		json_bool(&j, "pps_ok", h.pps_ok);
		json_bool(&j, "pps_seen", h.pps_seen);
		json_int(&j, "mode", h.mode);
		json_int(&j, "sats_used", h.sats_used);
		json_num(&j, "fix_lost_s", h.fix_lost_s);
		json_num(&j, "pps_lost_s", h.pps_lost_s);
		json_str(&j, "fix_reason", r.st.fix_reason);
		json_str(&j, "pps_reason", r.st.pps_reason);
		json_obj_end(&j);
		json_obj_end(&j);
		json_finish(&j);
	} else if (connections) {
		log_note("%d connection(s), %llu TPV, %llu PPS, %llu TOFF; fix %.0f %% of the time, "
			 "lost %llu time(s); now: %s", connections, (unsigned long long)r.n[GNSS_TPV],
			 (unsigned long long)r.n[GNSS_PPS], (unsigned long long)r.n[GNSS_TOFF],
			 end > start ? 100.0 * (double)r.fix_ok_ns / (double)(end - start) : 0.0,
			 (unsigned long long)r.fix_lost, h.fix_ok ? "fix" : r.st.fix_reason);
	}
	if (stop && rc == EXIT_OK)
		rc = 130;
	return rc;
}
