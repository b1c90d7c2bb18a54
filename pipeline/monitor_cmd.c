/* ptpcal monitor: follow the local chain (ptp4l, NTP SHM, gpsd, ntpsec, the leap file, and
 * optionally a live capture) for as long as it runs and export it for Prometheus: an HTTP
 * /metrics endpoint and/or a node_exporter textfile, with the health checks of verify and
 * analyze judged on the live data. One poll(2) loop serves the sources and the HTTP clients;
 * nothing is written except the textfile named. Every capability is dropped once the capture
 * and the listening socket are open. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/commands.h"
#include "common/leapfile.h"
#include "common/log.h"
#include "common/stop_signal.h"
#include "pipeline/http_metrics.h"
#include "capture/privdrop.h"
#include "pipeline/monitor.h"
#include "pipeline/monitor_capture.h"
#include "pipeline/monitor_checks.h"
#include "pipeline/monitor_metrics.h"
#include "pipeline/monitor_sources.h"
#include "pipeline/ptp4l_paths.h"
#include "pipeline/verify_checks.h"

static const char usage[] =
	"usage: ptpcal monitor (--listen HOST:PORT | --textfile FILE.prom) [options]\n"
	"\n"
	"Follow the local time chain continuously and export it for Prometheus: ptp4l's port\n"
	"state, offset, mean path delay, grandmaster, clockClass and time properties (over its\n"
	"management socket), the NTP SHM refclock segment, gpsd (fix, satellites, PPS), ntpsec\n"
	"(ntpq -pn), the leap file and optionally a live capture of the PTP exchanges, with\n"
	"rolling statistics over --window (quantiles, mean, std, TDEV, MTIE) and the health\n"
	"checks of verify and analyze, each its own metric. Daemons that stop and come back are\n"
	"followed again; nothing is ever configured or written except the textfile. Metrics and\n"
	"rules: docs/monitor.md.\n"
	"\n"
	"  -l, --listen HOST:PORT  serve GET /metrics (e.g. 127.0.0.1:9477, [::1]:9477, :9477)\n"
	"      --textfile FILE     write the metrics to FILE (must end in .prom) for node_exporter's\n"
	"                          textfile collector, atomically, every --textfile-interval\n"
	"      --textfile-interval D  (default 15s)\n"
	"  -s, --uds PATH          ptp4l's management socket (default: uds_address of\n"
	"                          /etc/linuxptp/ptp4l.conf, else /var/run/ptp4l)\n"
	"      --shm-unit N        the NTP SHM unit phc2sys writes (default 2, the guide's)\n"
	"      --gpsd HOST[:PORT]  gpsd (default localhost:2947)\n"
	"      --ntpq-interval D   how often to run ntpq -pn (default 16s)\n"
	"      --no-ptp4l, --no-shm, --no-gpsd, --no-ntpsec   do not watch that source\n"
	"      --iface IF          the PTP interface (default: --capture's, else eth0): the\n"
	"                          default -s, the PHC phc-tai reads, the daemons check's units\n"
	"      --phc DEV           the PHC for phc-tai (a /dev/ptpN, or a `phc` dataset recorded\n"
	"                          by `ptpcal phc record`, replayed; default: ethtool -T IF's)\n"
	"      --no-daemons        do not judge verify's daemons and phc-tai checks (ptp4l in\n"
	"                          other network namespaces, which the monitor cannot tell\n"
	"                          apart once its capabilities are dropped)\n"
	"      --leapfile PATH     leap-seconds.list for expiry and TAI - UTC (default the tzdata\n"
	"                          file)\n"
	"      --capture IFACE     also capture PTP on IFACE (this host's PTP port, as 'ptpcal\n"
	"                          capture -i'): each Delay_Req exchange's offset and mean path\n"
	"                          delay from the wire timestamps, pairing failures, and\n"
	"                          analyze's protocol checks. Needs CAP_NET_RAW at start; every\n"
	"                          capability is dropped once it is open\n"
	"      --capture-tstamp hw|hw-unsynced|host   as capture -i --tstamp (default host:\n"
	"                          hardware stamps make libpcap set the NIC's time stamping,\n"
	"                          which the monitor never does unasked)\n"
	"      --role server|client  what the checks expect: a grandmaster, or a client (default)\n"
	"      --truth-offset T    the known true offset of this clock (e.g. 0 in the lab, or\n"
	"                          -85us): exports the window bias against it\n"
	"  -i, --interval D        poll the sources this often (default 1s)\n"
	"  -w, --window D          rolling window (default 10min)\n"
	"  -t, --duration D        stop after D (default: until SIGTERM/SIGINT)\n"
	"  -q, --quiet             no notes on stderr (warnings stay)\n"
	"  -h, --help              this help\n"
	"\n"
	"Exit: 0 stopped by a signal or --duration, 1 the textfile could not be written later,\n"
	"2 bad usage (or the address cannot be bound, the textfile cannot be written or the\n"
	"capture or the --phc opened at start).\n";

struct textfile {
	const char *path;
	char tmp[4096];
};

/* Write, then rename over the old file: node_exporter never reads half a file (it only reads
 * names ending in .prom, so the temporary ".prom.tmp" is ignored). */
static bool textfile_write(struct textfile *tf, const char *text, size_t len, char *err,
			   size_t errlen)
{
	int fd = open(tf->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tf->tmp, strerror(errno));
		return false;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s: %s", tf->tmp, strerror(w < 0 ? errno : ENOSPC));
			close(fd);
			unlink(tf->tmp);
			return false;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0 || rename(tf->tmp, tf->path) != 0) {
		snprintf(err, errlen, "%s: %s", tf->path, strerror(errno));
		unlink(tf->tmp);
		return false;
	}
	return true;
}

struct scrape_ctx {
	struct monitor *m;
	struct prom_buf *b;
};

static int64_t real_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The exposition now, with the monitor's own memory */
static void render_now(struct monitor *m, int64_t now_mono, struct prom_buf *b)
{
	struct monitor_self self = monitor_self_now();
	monitor_render(m, now_mono, &self, b);
}

static void scrape_body(void *ctx, const char **text, size_t *len)
{
	struct scrape_ctx *c = ctx;
	c->m->scrapes++;
	render_now(c->m, mono_now_ns(), c->b);
	*text = c->b->s;
	*len = c->b->len;
}

static bool duration_arg(const char *opt, const char *s, int64_t *out, bool allow_zero)
{
	if (!parse_duration(s, out) || (!allow_zero && *out <= 0)) {
		usage_error("%s: '%s' is not a duration%s", opt, s, allow_zero ? "" : " above 0");
		return false;
	}
	return true;
}

int cmd_monitor(int argc, char **argv)
{
	enum { OPT_TEXT = 256, OPT_TEXTIV, OPT_SHM, OPT_GPSD, OPT_NTPQIV, OPT_NOPTP, OPT_NOSHM,
	       OPT_NOGPSD, OPT_NONTP, OPT_LEAP, OPT_TRUTH, OPT_CAPTURE, OPT_CAPTS, OPT_ROLE,
	       OPT_IFACE, OPT_PHC, OPT_NODAEMONS };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "textfile", required_argument, NULL, OPT_TEXT },
		{ "textfile-interval", required_argument, NULL, OPT_TEXTIV },
		{ "uds", required_argument, NULL, 's' },
		{ "shm-unit", required_argument, NULL, OPT_SHM },
		{ "gpsd", required_argument, NULL, OPT_GPSD },
		{ "ntpq-interval", required_argument, NULL, OPT_NTPQIV },
		{ "no-ptp4l", no_argument, NULL, OPT_NOPTP },
		{ "no-shm", no_argument, NULL, OPT_NOSHM },
		{ "no-gpsd", no_argument, NULL, OPT_NOGPSD },
		{ "no-ntpsec", no_argument, NULL, OPT_NONTP },
		{ "leapfile", required_argument, NULL, OPT_LEAP },
		{ "truth-offset", required_argument, NULL, OPT_TRUTH },
		{ "capture", required_argument, NULL, OPT_CAPTURE },
		{ "capture-tstamp", required_argument, NULL, OPT_CAPTS },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "iface", required_argument, NULL, OPT_IFACE },
		{ "phc", required_argument, NULL, OPT_PHC },
		{ "no-daemons", no_argument, NULL, OPT_NODAEMONS },
		{ "interval", required_argument, NULL, 'i' },
		{ "window", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_addr = NULL, *uds = NULL, *leap = LEAPFILE_DEFAULT;
	struct textfile tf = { 0 };
	char host[256] = "localhost", port[16] = "2947";
	int64_t interval = 1000000000LL, window = 600000000000LL, duration = 0;
	int64_t text_iv = 15000000000LL, ntpq_iv = 16000000000LL;
	long shm_unit = 2;
	bool on[MON_NSOURCES] = { true, true, true, true, false };
	const char *cap_if = NULL, *iface_arg = NULL, *phc = NULL;
	bool daemons = true;
	/* host stamps unless asked: hardware ones make libpcap reconfigure the NIC's time
	 * stamping (SIOCSHWTSTAMP, capture/live_open.c), and the monitor never changes a
	 * configuration on its own */
	enum live_ts_want cap_ts = LIVE_TS_HOST;
	bool server = false;
	bool have_truth = false;
	double truth = 0;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "l:s:i:w:t:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen_addr = optarg; break;
		case OPT_TEXT: tf.path = optarg; break;
		case OPT_TEXTIV:
			if (!duration_arg("--textfile-interval", optarg, &text_iv, false))
				return EXIT_USAGE;
			break;
		case 's': uds = optarg; break;
		case OPT_SHM:
			if (!parse_int_arg("--shm-unit", optarg, 0, NTPSHM_UNITS - 1, &shm_unit))
				return EXIT_USAGE;
			break;
		case OPT_GPSD:
			if (!gpsd_address_arg("--gpsd", optarg, host, sizeof(host), port, sizeof(port)))
				return EXIT_USAGE;
			break;
		case OPT_NTPQIV:
			if (!duration_arg("--ntpq-interval", optarg, &ntpq_iv, false))
				return EXIT_USAGE;
			break;
		case OPT_NOPTP: on[MON_PTP4L] = false; break;
		case OPT_NOSHM: on[MON_SHM] = false; break;
		case OPT_NOGPSD: on[MON_GPSD] = false; break;
		case OPT_NONTP: on[MON_NTPSEC] = false; break;
		case OPT_LEAP: leap = optarg; break;
		case OPT_TRUTH:
			if (!parse_time_value(optarg, 1, &truth) || !isfinite(truth))
				return usage_error("--truth-offset: '%s' is not a time (-85us, 0, 1.5ms)",
						   optarg);
			have_truth = true;
			break;
		case OPT_CAPTURE:
			if (!*optarg)
				return usage_error("--capture: give an interface");
			cap_if = optarg;
			on[MON_CAPTURE] = true;
			break;
		case OPT_CAPTS:
			if (!live_tstamp_arg("--capture-tstamp", optarg, &cap_ts))
				return EXIT_USAGE;
			break;
		case OPT_IFACE:
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE)
				return usage_error("--iface: '%s' is not an interface name", optarg);
			iface_arg = optarg;
			break;
		case OPT_PHC:
			if (!*optarg)
				return usage_error("--phc: give a device or a recording");
			phc = optarg;
			break;
		case OPT_NODAEMONS: daemons = false; break;
		case OPT_ROLE:
			if (strcmp(optarg, "server") && strcmp(optarg, "client"))
				return usage_error("--role: '%s' is not server or client", optarg);
			server = strcmp(optarg, "server") == 0;
			break;
		case 'i':
			if (!duration_arg("--interval", optarg, &interval, false))
				return EXIT_USAGE;
			if (interval < 10000000LL || interval > 3600000000000LL)
				return usage_error("--interval: %s is outside 10ms..1h", optarg);
			break;
		case 'w':
			if (!duration_arg("--window", optarg, &window, false))
				return EXIT_USAGE;
			break;
		case 't':
			if (!duration_arg("--duration", optarg, &duration, false))
				return EXIT_USAGE;
			break;
		case 'q': log_set_verbosity(-1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (phc && (!daemons || !on[MON_PTP4L]))
		return usage_error("--phc: phc-tai is not judged with --no-daemons or --no-ptp4l");
	if (cap_if && strcmp(cap_if, "any") != 0 && if_nametoindex(cap_if) == 0)
		return usage_error("--capture %s: no such interface (see 'ip link')", cap_if);
	if (!listen_addr && !tf.path)
		return usage_error("nothing to export to: give --listen HOST:PORT or --textfile FILE.prom");
	if (window < 3 * interval)
		return usage_error("--window must hold at least 3 polls of --interval");
	if (window / interval > (1 << 20))
		return usage_error("--window / --interval is over a million samples: poll less often");
	if (tf.path) {
		size_t n = strlen(tf.path);
		if (n < 6 || strcmp(tf.path + n - 5, ".prom") != 0)
			return usage_error("--textfile %s: the name must end in .prom (node_exporter reads "
					   "only those)", tf.path);
		if (n + 5 >= sizeof(tf.tmp))
			return usage_error("--textfile: path too long");
		snprintf(tf.tmp, sizeof(tf.tmp), "%s.tmp", tf.path);
	}
	char udsbuf[1024];
	const char *iface = iface_arg ? iface_arg : cap_if && strcmp(cap_if, "any") ? cap_if : "eth0";
	if (!uds) {
		ptp4l_uds_path(iface, udsbuf, sizeof(udsbuf));
		uds = udsbuf;
	}
	if (on[MON_NTPSEC] && access("/usr/bin/ntpq", X_OK) != 0 && access("/usr/sbin/ntpq", X_OK) != 0)
		on[MON_NTPSEC] = false; /* ntpsec not installed: nothing to follow */

	struct http_server hs;
	hs.fd = -1;
	char err[4608]; /* a textfile path (up to 4 KiB) and why */
	if (listen_addr && http_listen(&hs, listen_addr, err, sizeof(err)) != 0) {
		log_err("%s", err);
		return EXIT_USAGE;
	}

	struct monitor m;
	monitor_init(&m, (double)interval / 1e9, (double)window / 1e9, (int)shm_unit);
	for (int s = 0; s < MON_NSOURCES; s++)
		m.src[s].enabled = on[s];
	m.have_truth = have_truth;
	m.truth_offset_ns = truth;
	m.server = server;
	snprintf(m.iface, sizeof(m.iface), "%s", iface);
	/* the chain's daemons and its PHC belong with ptp4l: watched when it is */
	m.watch_daemons = daemons && on[MON_PTP4L];
	m.start_mono = mono_now_ns();
	m.start_real_ns = real_ns();
	struct gnss_limits lim;
	gnss_limits_default(&lim);
	gnss_state_init(&m.gnss.state, &lim, m.start_mono);
	mon_load_leap(&m, leap, m.start_real_ns / 1000000000);

	struct prom_buf buf = { 0 };
	struct scrape_ctx sc = { &m, &buf };
	struct mon_capture_link cl = { 0 };
	if (cap_if)
		monitor_init_capture(&m);
	struct sysview sv = { 0 };
	if (m.watch_daemons)
		mon_find_phc(&m, &sv, iface, phc);
	/* a capture or a PHC named and impossible is bad usage, said in one line, as a device
	 * that is not there is everywhere (capture/clocksrc.h); a PHC that goes away later
	 * fails phc-tai instead */
	if ((cap_if && mon_capture_open(&cl, &m, cap_if, cap_ts, cap_ts == LIVE_TS_HOST) != 0) ||
	    (phc && !(m.phc.src = verify_open_phc(phc)))) {
		mon_capture_close(&cl);
		http_close(&hs);
		monitor_free(&m);
		prom_free(&buf);
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	if (tf.path) {
		render_now(&m, mono_now_ns(), &buf);
		if (!textfile_write(&tf, buf.s, buf.len, err, sizeof(err))) {
			log_err("--textfile %s", err);
			mon_capture_close(&cl);
			http_close(&hs);
			monitor_free(&m);
			prom_free(&buf);
			return EXIT_USAGE;
		}
	}
	/* everything privileged is open (the capture, a low port): no capability from here on
	 * (root's uid stays, for ptp4l's socket and SHM units 0/1: docs/monitor.md) */
	if (!privdrop_no_capabilities() && privdrop_capabilities() != 0) {
		mon_capture_close(&cl);
		http_close(&hs);
		monitor_free(&m);
		prom_free(&buf);
		return EXIT_INTERNAL;
	}
	int64_t fr_recoveries = -1; /* ptp4l's free_running, looked up again after a restart */
	struct mon_ptp_link pl = { .uds = uds, .timeout_ms = 500 };
	struct mon_shm_link sl = { 0 };
	struct gpsd_client *gc = on[MON_GPSD] ? gpsd_client_new(host, port, NULL) : NULL;
	stop_signal_catch(NULL);
	log_note("following ptp4l %s%s, SHM unit %ld%s, gpsd %s:%s%s, ntpsec%s%s%s%s%s; %s%s%s%s",
		 uds, on[MON_PTP4L] ? "" : " (off)", shm_unit, on[MON_SHM] ? "" : " (off)", host, port,
		 on[MON_GPSD] ? "" : " (off)", on[MON_NTPSEC] ? "" : " (off)",
		 cap_if ? ", capture on " : "", cap_if ? cap_if : "", cap_if ? " with " : "",
		 cap_if ? m.cap.tstamp : "",
		 listen_addr ? "serving http://" : "", listen_addr ? hs.bound : "",
		 listen_addr ? "/metrics" : "",
		 !tf.path ? "" : listen_addr ? " and writing the textfile" : "writing the textfile");

	int64_t t0 = m.start_mono, next_poll = t0, next_ntpq = t0, next_text = t0 + text_iv;
	int64_t next_leap = t0 + 3600000000000LL;
	bool text_failing = false;
	while (!stop_signal_caught()) {
		int64_t now = mono_now_ns();
		if (duration > 0 && now - t0 >= duration)
			break;
		if (now >= next_poll) {
			if (on[MON_PTP4L])
				mon_poll_ptp(&m, &pl, now);
			if (on[MON_SHM])
				mon_poll_shm(&m, &sl, now);
			if (gc && gpsd_client_fd(gc) < 0) {
				/* not connected: one attempt (with the client's own back-off) per poll */
				char gerr[256] = "";
				gpsd_client_poll(gc, 0, mon_gnss_event, &m, gerr, sizeof(gerr));
			}
			if (gc)
				mon_gnss_tick(&m, gpsd_client_connected(gc), "not connected", now);
			if (cap_if)
				mon_capture_tick(&cl, now);
			if (on[MON_PTP4L] && !server &&
			    (int64_t)m.src[MON_PTP4L].recoveries != fr_recoveries && m.src[MON_PTP4L].up) {
				/* free_running decides whether a port may stay UNCALIBRATED */
				fr_recoveries = (int64_t)m.src[MON_PTP4L].recoveries;
				verify_find_free_running(&sv, iface, NULL, &m.free_running, m.fr_where,
							 sizeof(m.fr_where));
			}
			if (m.watch_daemons) {
				mon_poll_daemons(&m, &sv, now);
				mon_poll_phc(&m, now);
			}
			monitor_checks_run(&m, now, real_ns() / 1000000000);
			next_poll += interval;
			if (next_poll <= now)
				next_poll = now + interval; /* fell behind (a slow daemon): no burst */
		}
		if (on[MON_NTPSEC] && now >= next_ntpq) {
			mon_poll_ntpsec(&m, (int)shm_unit);
			next_ntpq = mono_now_ns() + ntpq_iv;
		}
		if (now >= next_leap) {
			mon_load_leap(&m, leap, real_ns() / 1000000000);
			next_leap = now + 3600000000000LL;
		}
		if (tf.path && now >= next_text) {
			render_now(&m, now, &buf);
			if (!textfile_write(&tf, buf.s, buf.len, err, sizeof(err))) {
				if (!text_failing)
					log_warn("--textfile %s", err);
				text_failing = true;
				rc = EXIT_FAILED;
			} else {
				text_failing = false;
			}
			next_text = now + text_iv;
		}
		/* wait for the next poll, an HTTP client, gpsd or the capture */
		struct pollfd pfd[3 + HTTP_MAX_CONNS];
		int n = listen_addr ? http_pollfds(&hs, pfd) : 0;
		int nhttp = n;
		int gfd = gc ? gpsd_client_fd(gc) : -1, gi = -1;
		if (gfd >= 0) {
			gi = n;
			pfd[n++] = (struct pollfd){ .fd = gfd, .events = POLLIN };
		}
		int cfd = mon_capture_fd(&cl), ci = -1;
		if (cfd >= 0) {
			ci = n;
			pfd[n++] = (struct pollfd){ .fd = cfd, .events = POLLIN };
		}
		now = mono_now_ns();
		int64_t wake = next_poll;
		if (tf.path && next_text < wake)
			wake = next_text;
		if (duration > 0 && t0 + duration < wake)
			wake = t0 + duration;
		int timeout = wake > now ? (int)((wake - now + 999999) / 1000000) : 0;
		if (listen_addr && timeout > 200)
			timeout = 200; /* HTTP deadlines are checked at least this often */
		int pr = poll(pfd, (nfds_t)n, timeout);
		if (pr < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			rc = EXIT_INTERNAL;
			break;
		}
		now = mono_now_ns();
		if (gi >= 0 && pr > 0 && pfd[gi].revents) {
			char gerr[256] = "";
			gpsd_client_poll(gc, 1, mon_gnss_event, &m, gerr, sizeof(gerr));
		}
		/* also on a timeout: libpcap's immediate mode may hold a frame the poll missed */
		if (ci >= 0)
			mon_capture_read(&cl, now);
		if (listen_addr) {
			http_service(&hs, pfd, nhttp, now, scrape_body, &sc);
			m.http_errors = hs.refused;
		}
	}
	if (stop_signal_caught())
		log_note("stopping (signal %d) after %llu scrapes", stop_signal_caught(),
			 (unsigned long long)m.scrapes);
	if (tf.path) {
		/* leave a last complete file behind: node_exporter keeps reading it (its mtime
		 * metric shows the monitor stopped) */
		render_now(&m, mono_now_ns(), &buf);
		if (!textfile_write(&tf, buf.s, buf.len, err, sizeof(err)))
			rc = EXIT_FAILED;
	}
	if (gc)
		gpsd_client_free(gc);
	mon_capture_close(&cl);
	mon_ptp_link_close(&pl);
	mon_shm_link_close(&sl);
	http_close(&hs);
	monitor_free(&m);
	prom_free(&buf);
	return rc;
}
