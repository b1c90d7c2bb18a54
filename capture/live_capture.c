/* ptpcal capture -i IFACE: PTP from a network interface, as it happens.
 *
 * libpcap with the timestamp type asked for (hardware when the NIC has it), nanosecond
 * precision, immediate mode and a BPF filter for PTP over L2, UDP and VLAN. Every captured
 * frame goes to pcapng files (rotated by size or time) and through the same decoder and
 * pairer as `capture -r`, into the exchanges dataset, as it goes: memory stays constant
 * however long the run. SIGINT/SIGTERM or --duration end it cleanly with everything written.
 * Root is dropped for good right after the capture socket and the output files are open.
 * Opening the interface (timestamp types, filter) is capture/live_open.h's. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/capture_report.h"
#include "capture/exchange.h"
#include "capture/exchange_io.h"
#include "capture/live_open.h"
#include "capture/message_io.h"
#include "capture/pcap_in.h"
#include "capture/pcapng_out.h"
#include "capture/privdrop.h"
#include "common/cli.h"
#include "common/json.h"
#include "common/log.h"
#include "common/outdir.h"
#include "common/stop_signal.h"

static const char usage[] =
	"usage: ptpcal capture -i IFACE [-o DIR] [options]\n"
	"\n"
	"Capture PTP on a network interface: raw frames to pcapng files and delay-request/\n"
	"response exchanges to DIR/exchanges.tsv as they happen (the same decoding and pairing\n"
	"as 'ptpcal capture -r'). Ends at --duration, or cleanly on Ctrl-C / SIGTERM with\n"
	"everything written. Root is dropped to --user right after the capture is open.\n"
	"\n"
	"  -i, --interface IFACE        the interface (\"any\" for all)\n"
	"  -o, --output DIR             where files go (created if missing; default .):\n"
	"                               capture-0001.pcapng ..., exchanges.tsv, and with the\n"
	"                               options below pdelay.tsv, messages.tsv\n"
	"      --duration D             stop after D (\"10s\", \"1h\"); default: until a signal\n"
	"      --rotate SIZE|TIME       new pcapng file every SIZE (\"100M\", \"1G\": k/M/G) or\n"
	"                               TIME (\"10min\", \"1h\", \"30s\")\n"
	"      --tstamp hw|hw-unsynced|host\n"
	"                               hw: NIC timestamps converted to system time (adapter);\n"
	"                               hw-unsynced: the NIC's PHC time (adapter_unsynced);\n"
	"                               host: kernel software timestamps. Default: hardware if\n"
	"                               the NIC has it, else host with a loud warning\n"
	"      --allow-host-timestamps  fall back to host timestamps when hardware ones are not\n"
	"                               available (the type used is in the dataset metadata)\n"
	"      --user USER              drop root to USER after opening (default nobody)\n"
	"      --filter EXPR            BPF filter instead of PTP over L2/UDP/VLAN\n"
	"      --no-promisc             do not put the interface in promiscuous mode\n"
	"      --pdelay                 also write DIR/pdelay.tsv (peer delay)\n"
	"      --messages               also write DIR/messages.tsv (every PTP message)\n"
	"      --slave PORTID           only this slave's exchanges\n"
	"      --any-direction          also pair inbound Delay_Reqs (mirror port)\n"
	"      --json                   summary as JSON on stdout\n"
	"  -q, --quiet                  no progress, no summary\n"
	"  -v, --verbose                say why each malformed packet was skipped\n"
	"  -h, --help                   this help\n"
	"\n"
	"Exit: 0 ok (also when stopped by a signal: the data are complete), 2 bad usage, a\n"
	"missing interface or unavailable timestamps, a write error. Formats:\n"
	"docs/dataset-format.md.\n";

static pcap_t *volatile live_handle;

/* Called from the SIGINT/SIGTERM handler (common/stop_signal.h). */
static void wake_pcap(void)
{
	if (live_handle)
		pcap_breakloop(live_handle); /* wakes the poll (libpcap 1.10 uses an eventfd) */
}

struct live {
	const char *ifname;
	struct outdir dir; /* opened before the privilege drop: every file is created in it */
	int dlt;
	char comment[256];
	struct pcapng_out *png;
	int file_no;
	uint64_t rotate_bytes;
	int64_t rotate_ns;
	int64_t file_start;
	bool write_failed;
	struct exchange_writer *ex;
	struct pdelay_writer *pd;
	struct message_writer *msg;
	bool have_last;
	double last_offset, last_delay;
};

static int open_pcapng(struct live *l)
{
	char name[40];
	snprintf(name, sizeof(name), "capture-%04d.pcapng", l->file_no + 1);
	l->png = pcapng_out_open_in(&l->dir, name, l->dlt, l->ifname, l->comment);
	if (!l->png)
		return -1;
	l->file_no++;
	l->file_start = mono_now_ns();
	return 0;
}

static void rotate(struct live *l)
{
	if (pcapng_out_close(l->png) != 0)
		l->write_failed = true;
	l->png = NULL;
	if (open_pcapng(l) != 0)
		l->write_failed = true;
}

static void on_raw(void *ctx, const struct pcap_pkthdr *h, const u_char *data)
{
	struct live *l = ctx;
	if (!l->png)
		return;
	/* Nanosecond precision: tv_usec holds nanoseconds (pcap_set_tstamp_precision). */
	int64_t ts = (int64_t)h->ts.tv_sec * NS_PER_SEC + (int64_t)h->ts.tv_usec;
	if (pcapng_out_packet(l->png, 0, ts, data, h->caplen, h->len, 0) != 0)
		l->write_failed = true;
	if (l->rotate_bytes && pcapng_out_bytes(l->png) >= l->rotate_bytes)
		rotate(l);
}

static void on_exchange(void *ctx, const struct exchange *ex)
{
	struct live *l = ctx;
	exchange_writer_row(l->ex, ex);
	l->have_last = true;
	l->last_offset = ex->offset_ns;
	l->last_delay = ex->delay_ns;
}

static void on_pdelay(void *ctx, const struct pdelay *pd)
{
	struct live *l = ctx;
	if (l->pd)
		pdelay_writer_row(l->pd, pd);
}

/* "100M" is a size, "10min" / "1h" / "30s" a time: sizes need k, K, M, G or B. */
static bool parse_rotate(const char *s, uint64_t *bytes, int64_t *ns)
{
	size_t n = strlen(s);
	if (n && strchr("kKMGB", s[n - 1]))
		return parse_size(s, bytes) && *bytes > 0;
	return parse_duration(s, ns) && *ns >= NS_PER_SEC;
}

static const char *ts_description(int type)
{
	switch (type) {
	case PCAP_TSTAMP_ADAPTER:
		return "adapter (hardware: NIC timestamps converted to system time by the kernel)";
	case PCAP_TSTAMP_ADAPTER_UNSYNCED:
		return "adapter_unsynced (hardware: the NIC's PHC time, as ptp4l sees it)";
	default:
		return "host (software: the kernel's time of the frame at the capture tap, "
		       "CLOCK_REALTIME; includes the host's receive and transmit latency)";
	}
}

/* Whether the user we drop to (no supplementary groups) may create files in the directory,
 * by its own mode bits, as the kernel will judge it after the drop (its parents do not
 * matter: files are created by openat on its descriptor). */
static bool user_may_write(const struct outdir *d, const struct privdrop_target *drop)
{
	struct stat st;
	if (fstat(d->fd, &st) != 0)
		return false;
	mode_t need = st.st_uid == drop->uid ? (S_IWUSR | S_IXUSR) :
		      st.st_gid == drop->gid ? (S_IWGRP | S_IXGRP) : (S_IWOTH | S_IXOTH);
	return (st.st_mode & need) == need;
}

/* Creates DIR if needed (owned by the user we drop to, so that rotation can add files) and
 * opens it once, before the drop. */
static int prepare_dir(const char *dir, const struct privdrop_target *drop, bool rotating,
		       struct outdir *out)
{
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			log_err("-o %s: not a directory", dir);
			return -1;
		}
	} else if (errno == ENOENT) {
		if (mkdir(dir, 0755) != 0) {
			log_err("-o %s: cannot create: %s", dir, strerror(errno));
			return -1;
		}
		if (drop && chown(dir, drop->uid, drop->gid) != 0) {
			log_err("-o %s: cannot give it to %s: %s", dir, drop->name, strerror(errno));
			return -1;
		}
	} else {
		log_err("-o %s: %s", dir, strerror(errno));
		return -1;
	}
	if (outdir_open(out, dir) != 0)
		return -1;
	if (drop) {
		/* The files made before the drop are the capture user's too, like those after. */
		out->give = true;
		out->uid = drop->uid;
		out->gid = drop->gid;
	}
	if (drop && rotating && !user_may_write(out, drop)) {
		log_err("-o %s: user %s cannot add files to it, which --rotate needs; give a new "
			"directory (ptpcal creates it for %s) or one %s may write", dir, drop->name,
			drop->name, drop->name);
		outdir_close(out);
		return -1;
	}
	const char *mine[] = { "exchanges.tsv", "capture-0001.pcapng" };
	for (size_t i = 0; i < 2; i++) {
		if (outdir_has(out, mine[i])) {
			log_err("%s/%s: exists; give a new or empty -o DIR (a capture never overwrites "
				"one)", dir, mine[i]);
			outdir_close(out);
			return -1;
		}
	}
	return 0;
}

static void progress(const struct live *l, struct pcap_in *in, const struct pairer *p,
		     int64_t elapsed, uint64_t dropped)
{
	char d[32], o[32], dl[32];
	const struct pcap_in_stats *st = pcap_in_stats(in);
	fprintf(stderr, "\r%s %s: %s, %llu packets, %llu exchanges", log_command(), l->ifname,
		fmt_duration((double)elapsed, d, sizeof(d)), (unsigned long long)st->packets,
		(unsigned long long)pairer_exchanges(p));
	if (l->have_last)
		fprintf(stderr, ", offset %s, delay %s", fmt_si_time(l->last_offset, o, sizeof(o)),
			fmt_si_time(l->last_delay, dl, sizeof(dl)));
	if (dropped)
		fprintf(stderr, ", %llu dropped", (unsigned long long)dropped);
	fputs("   ", stderr);
}

int capture_live_main(int argc, char **argv)
{
	enum { O_DURATION = 256, O_ROTATE, O_TSTAMP, O_ALLOW_HOST, O_USER, O_FILTER, O_NOPROMISC,
	       O_PDELAY, O_MESSAGES, O_SLAVE, O_ANYDIR, O_JSON };
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "rotate", required_argument, NULL, O_ROTATE },
		{ "tstamp", required_argument, NULL, O_TSTAMP },
		{ "allow-host-timestamps", no_argument, NULL, O_ALLOW_HOST },
		{ "user", required_argument, NULL, O_USER },
		{ "filter", required_argument, NULL, O_FILTER },
		{ "no-promisc", no_argument, NULL, O_NOPROMISC },
		{ "pdelay", no_argument, NULL, O_PDELAY },
		{ "messages", no_argument, NULL, O_MESSAGES },
		{ "slave", required_argument, NULL, O_SLAVE },
		{ "any-direction", no_argument, NULL, O_ANYDIR },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ifname = NULL, *dir = ".", *user = "nobody", *filter = NULL;
	int64_t duration = 0, rotate_ns = 0;
	uint64_t rotate_bytes = 0;
	enum live_ts_want want = LIVE_TS_AUTO;
	bool allow_host = false, promisc = true, want_pd = false, want_msg = false, json = false;
	bool user_given = false;
	struct pairer_opts popts = { 0 };
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "i:o:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'o': dir = optarg; break;
		case O_DURATION:
			if (!parse_duration(optarg, &duration) || duration <= 0)
				return usage_error("--duration: '%s' is not a duration (like 10s, 1h)", optarg);
			break;
		case O_ROTATE:
			rotate_bytes = 0, rotate_ns = 0;
			if (!parse_rotate(optarg, &rotate_bytes, &rotate_ns))
				return usage_error("--rotate: '%s' is neither a size (100M, 1G) nor a time "
						   "of at least 1 s (10min, 1h)", optarg);
			break;
		case O_TSTAMP:
			if (!live_tstamp_arg("--tstamp", optarg, &want))
				return EXIT_USAGE;
			break;
		case O_ALLOW_HOST: allow_host = true; break;
		case O_USER: user = optarg; user_given = true; break;
		case O_FILTER: filter = optarg; break;
		case O_NOPROMISC: promisc = false; break;
		case O_PDELAY: want_pd = true; break;
		case O_MESSAGES: want_msg = true; break;
		case O_SLAVE:
			if (!ptp_port_id_parse(optarg, &popts.slave))
				return usage_error("--slave: '%s' is not a port identity "
						   "(like 001122.fffe.334455-1)", optarg);
			popts.have_slave = true;
			break;
		case O_ANYDIR: popts.any_direction = true; break;
		case O_JSON: json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!ifname || !*ifname)
		return usage_error("no interface: give -i IFACE");

	bool root = geteuid() == 0;
	struct privdrop_target drop;
	if (root && !privdrop_lookup(user, &drop))
		return EXIT_USAGE;
	if (!root && user_given)
		log_warn("--user %s: not running as root, so there are no privileges to drop", user);
	if (strcmp(ifname, "any") != 0 && if_nametoindex(ifname) == 0)
		return log_err("%s: no such interface (see 'ip link')", ifname), EXIT_USAGE;

	int tstype;
	pcap_t *p;
	char host_warning[1024];
	static const struct live_ts_opts names = { "--tstamp", "--allow-host-timestamps" };
	if (live_open(ifname, want, allow_host, &names, promisc, &tstype, host_warning,
		      sizeof(host_warning), &p) != 0)
		return EXIT_USAGE;
	struct live l = { .dir = { .fd = -1 } };
	if (live_set_filter(p, ifname, filter, &filter) != 0 ||
	    prepare_dir(dir, root ? &drop : NULL, rotate_bytes || rotate_ns, &l.dir) != 0) {
		pcap_close(p);
		return EXIT_USAGE;
	}
	struct pcap_in *in = pcap_in_wrap(p, ifname);
	l.ifname = ifname;
	l.dlt = pcap_datalink(p);
	l.rotate_bytes = rotate_bytes;
	l.rotate_ns = rotate_ns;
	const char *tsname = pcap_tstamp_type_val_to_name(tstype);
	snprintf(l.comment, sizeof(l.comment), "ptpcal capture -i %s; timestamps: %s", ifname, tsname);
	int status = EXIT_OK;
	if (!frame_dlt_supported(l.dlt)) {
		const char *n = pcap_datalink_val_to_name(l.dlt);
		log_err("%s: link type %s (%d) is not supported", ifname, n ? n : "?", l.dlt);
		status = EXIT_USAGE;
		goto out;
	}
	/* Every output is opened before root is dropped (rotation later creates files through
	 * the directory's descriptor: DIR writable by the user, which prepare_dir checked). */
	l.ex = exchange_writer_open_in(&l.dir, "exchanges.tsv");
	if (want_pd)
		l.pd = pdelay_writer_open_in(&l.dir, "pdelay.tsv");
	if (want_msg)
		l.msg = message_writer_open_in(&l.dir, "messages.tsv");
	if (!l.ex || (want_pd && !l.pd) || (want_msg && !l.msg) || open_pcapng(&l) != 0) {
		status = EXIT_USAGE;
		goto out;
	}
	char who[160] = "";
	if (!root) {
		if (privdrop_capabilities() != 0) {
			status = EXIT_INTERNAL;
			goto out;
		}
		privdrop_describe(who, sizeof(who));
	} else {
		if (privdrop_apply(&drop) != 0) {
			status = EXIT_INTERNAL;
			goto out;
		}
		privdrop_describe(who, sizeof(who));
		if ((rotate_bytes || rotate_ns) && !outdir_writable(&l.dir)) {
			log_err("-o %s: user %s cannot add files to it, which --rotate needs; give a "
				"new directory (ptpcal creates it for %s) or one %s may write", dir,
				drop.name, drop.name, drop.name);
			status = EXIT_USAGE;
			goto out;
		}
	}
	log_debug("running as %s", who);
	if (host_warning[0])
		log_warn("%s", host_warning);

	struct ds_writer *ds = exchange_writer_ds(l.ex);
	capture_exchange_meta(ds, in, ts_description(tstype));
	ds_meta(ds, "interface", "%s", ifname);
	ds_meta(ds, "timestamp_source", "%s", tsname);
	ds_meta(ds, "timestamp_requested", "%s",
		want == LIVE_TS_AUTO ? "auto (hardware if available)" :
		want == LIVE_TS_HW ? "hw" : want == LIVE_TS_HW_UNSYNCED ? "hw-unsynced" : "host");
	ds_meta(ds, "timestamp_precision", "ns");
	if (tstype == PCAP_TSTAMP_HOST) {
		ds_meta(ds, "timescale", "UTC");
		ds_meta(ds, "timescale_note", "t1 t4 in the master's (see announce_* below), t2 t3 in "
			"this host's CLOCK_REALTIME (UTC)");
	} else if (tstype == PCAP_TSTAMP_ADAPTER_UNSYNCED) {
		ds_meta(ds, "timescale_note", "t1 t4 in the master's (see announce_* below), t2 t3 in "
			"the NIC's PHC time (TAI on a PTP node: 'ptpcal phc cmp' tells)");
	}
	ds_meta(ds, "bpf_filter", "%s", filter);
	ds_meta(ds, "promiscuous", "%d", promisc);
	ds_meta(ds, "capture_files", "capture-NNNN.pcapng in this directory, rotated %s",
		rotate_bytes ? "by size" : rotate_ns ? "by time" : "never");
	ds_meta(ds, "run_as", "%s", who);
	if (l.pd) {
		capture_common_meta(pdelay_writer_ds(l.pd), in);
		ds_meta(pdelay_writer_ds(l.pd), "capture_side",
			"requester (t1 t4 from the capture, t2 t3 from the messages)");
		ds_meta(pdelay_writer_ds(l.pd), "timestamp_source", "%s", tsname);
	}
	if (l.msg) {
		capture_common_meta(message_writer_ds(l.msg), in);
		ds_meta(message_writer_ds(l.msg), "timestamp_source", "%s", tsname);
	}
	pcap_in_set_raw_hook(in, on_raw, &l);

	live_handle = p;
	stop_signal_catch(wake_pcap);

	struct pairer *pr = pairer_new(&popts, on_exchange, on_pdelay, &l);
	struct gm_seen gms[MAX_GMS];
	int ngm = 0;
	struct ptp_packet pkt;
	bool tty = progress_wanted();
	int64_t start = mono_now_ns(), last_tick = start;
	const char *stop_reason = "signal";
	bool read_error = false;
	struct pcap_stat ps = { 0 };
	int fd = pcap_get_selectable_fd(p);
	log_note("capturing on %s (%s timestamps) into %s; Ctrl-C to stop", ifname, tsname, dir);
	while (!stop_signal_caught()) {
		int rc = pcap_in_next(in, &pkt);
		if (rc < 0) {
			read_error = true;
			stop_reason = "error";
			break;
		}
		if (rc == 0) {
			/* Non-blocking: wait here, so that --duration and the once-a-second work
			 * happen on an idle link too (in immediate mode libpcap 1.10 blocks in
			 * poll() without a timeout). A signal interrupts the wait. */
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			poll(&pfd, 1, 100);
		} else {
			pairer_feed(pr, &pkt);
			if (pkt.msg.hdr.type == PTP_ANNOUNCE)
				capture_track_announce(gms, &ngm, &pkt.msg);
			if (l.msg)
				message_writer_row(l.msg, &pkt);
		}
		int64_t now = mono_now_ns();
		if (duration && now - start >= duration) {
			stop_reason = "duration";
			break;
		}
		if (now - last_tick >= NS_PER_SEC) {
			last_tick = now;
			/* Everything so far on disk once a second: a crash loses at most that. */
			if (ds_flush(ds) != 0 || (l.pd && ds_flush(pdelay_writer_ds(l.pd)) != 0) ||
			    (l.msg && ds_flush(message_writer_ds(l.msg)) != 0) ||
			    (l.png && pcapng_out_flush(l.png) != 0))
				l.write_failed = true;
			if (l.rotate_ns && now - l.file_start >= l.rotate_ns)
				rotate(&l);
			if (tty) {
				pcap_stats(p, &ps);
				progress(&l, in, pr, now - start, ps.ps_drop);
			}
		}
		if (l.write_failed) {
			stop_reason = "error";
			break;
		}
	}
	live_handle = NULL;
	/* Stopped by a signal or the duration: what the kernel already holds for us was
	 * captured before the stop, so it belongs in the files (bounded, non-blocking). */
	if (!read_error && !l.write_failed) {
		int rc;
		for (int k = 0; k < 1000000 && (rc = pcap_in_next(in, &pkt)) != 0; k++) {
			if (rc < 0) {
				read_error = true;
				break;
			}
			pairer_feed(pr, &pkt);
			if (pkt.msg.hdr.type == PTP_ANNOUNCE)
				capture_track_announce(gms, &ngm, &pkt.msg);
			if (l.msg)
				message_writer_row(l.msg, &pkt);
		}
	}
	if (tty)
		fputc('\n', stderr);
	int64_t elapsed = mono_now_ns() - start;
	pcap_stats(p, &ps);
	pairer_finish(pr);
	const struct pcap_in_stats *st = pcap_in_stats(in);
	capture_trailing_meta(ds, st, gms, ngm, false);
	ds_meta(ds, "kernel_dropped", "%u", ps.ps_drop);
	ds_meta(ds, "interface_dropped", "%u", ps.ps_ifdrop);
	ds_meta(ds, "capture_files_written", "%d", l.file_no);
	ds_meta(ds, "stop_reason", "%s", stop_reason);
	ds_meta(ds, "duration_s", "%.3f", elapsed / 1e9);
	if (pcapng_out_close(l.png) != 0)
		l.write_failed = true;
	l.png = NULL;
	if (exchange_writer_close(l.ex) | pdelay_writer_close(l.pd) | message_writer_close(l.msg))
		l.write_failed = true;
	l.ex = NULL, l.pd = NULL, l.msg = NULL;
	if (json) {
		struct capture_live_info li = {
			.interface = ifname, .timestamp_type = tsname,
			.run_as = root ? drop.name : NULL, .kernel_dropped = ps.ps_drop,
			.interface_dropped = ps.ps_ifdrop, .files = l.file_no,
			.stop_reason = stop_reason,
		};
		capture_summary_json(in, pr, gms, ngm, read_error, stop_signal_caught() != 0, &li);
	}
	capture_summary_text(in, pr, gms, ngm);
	char d[32];
	log_note("%s: %s timestamps, %d capture file%s in %s, %u dropped by the kernel, stopped "
		 "by %s after %s", ifname, tsname, l.file_no, l.file_no == 1 ? "" : "s", dir,
		 ps.ps_drop, stop_reason, fmt_duration((double)elapsed, d, sizeof(d)));
	if (st->ptp == 0)
		log_warn("%s: no PTP messages seen", ifname);
	pairer_free(pr);
	if (read_error || l.write_failed)
		status = EXIT_USAGE;
out:
	pcapng_out_close(l.png);
	exchange_writer_close(l.ex);
	pdelay_writer_close(l.pd);
	message_writer_close(l.msg);
	pcap_in_close(in);
	outdir_close(&l.dir);
	return status;
}
