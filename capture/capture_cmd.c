/* ptpcal capture: PTP packets in (a pcap/pcapng file), datasets and a summary out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/exchange.h"
#include "capture/exchange_io.h"
#include "capture/message_io.h"
#include "capture/capture_report.h"
#include "capture/pcap_in.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/json.h"
#include "common/log.h"
#include "common/stop_signal.h"

static const char usage[] =
	"usage: ptpcal capture -r FILE [-o EXCHANGES] [options]\n"
	"       ptpcal capture -i IFACE [-o DIR] [options]   (live: 'ptpcal capture -i x --help')\n"
	"\n"
	"Decode PTP (IEEE 1588 v2/v2.1) from a pcap or pcapng file and pair Sync, Follow_Up,\n"
	"Delay_Req and Delay_Resp into delay-request/response exchanges: t1..t4, offset from\n"
	"master, mean path delay and the two apparent one-way delays, exact to the ns.\n"
	"The capture is taken to be on the slave's side (the port that sends Delay_Req): t2\n"
	"and t3 are capture timestamps, t1 and t4 come from the master's messages.\n"
	"\n"
	"  -r, --read FILE        pcap or pcapng file ('-' for stdin)\n"
	"  -o, --output FILE      exchanges dataset (TSV, '-' for stdout)\n"
	"      --pdelay FILE      peer-delay measurements dataset (Pdelay_Req/Resp/Resp_Follow_Up)\n"
	"      --messages FILE    every decoded message, one row each\n"
	"      --slave PORTID     only this slave's exchanges (e.g. 001122.fffe.334455-1)\n"
	"      --any-direction    also pair Delay_Reqs a cooked (SLL) capture marks as received\n"
	"                         (a capture on a mirror port rather than at the slave)\n"
	"      --json             summary as JSON on stdout (text summary goes to stderr)\n"
	"  -q, --quiet            no summary\n"
	"  -v, --verbose          say why each malformed packet was skipped\n"
	"  -h, --help             this help\n"
	"\n"
	"Malformed packets are counted by reason and skipped. A truncated file is decoded up to\n"
	"the damage, everything before it is written, and the exit code is 2.\n"
	"Exit: 0 ok, 2 bad usage or unreadable/damaged input, 130 interrupted (data written).\n"
	"Formats: docs/dataset-format.md.\n";

struct outputs {
	struct exchange_writer *ex;
	struct pdelay_writer *pd;
	struct message_writer *msg;
};

static void write_exchange(void *ctx, const struct exchange *ex)
{
	struct outputs *o = ctx;
	if (o->ex)
		exchange_writer_row(o->ex, ex);
}

static void write_pdelay(void *ctx, const struct pdelay *pd)
{
	struct outputs *o = ctx;
	if (o->pd)
		pdelay_writer_row(o->pd, pd);
}

void capture_track_announce(struct gm_seen *gms, int *ngm, const struct ptp_msg *m)
{
	const struct ptp_announce *a = &m->announce;
	int i;
	for (i = 0; i < *ngm; i++)
		if (gms[i].domain == m->hdr.domain && memcmp(gms[i].id, a->gm_identity, 8) == 0)
			break;
	if (i == *ngm) {
		if (*ngm == MAX_GMS)
			return;
		memset(&gms[i], 0, sizeof(gms[i]));
		memcpy(gms[i].id, a->gm_identity, 8);
		gms[i].domain = m->hdr.domain;
		gms[i].first = *a;
		(*ngm)++;
	} else if (gms[i].last.clock_class != a->clock_class) {
		gms[i].class_changes++;
	}
	gms[i].last = *a;
	gms[i].flags_last = m->hdr.flags;
	gms[i].n++;
}

void capture_common_meta(struct ds_writer *ds, struct pcap_in *in)
{
	char now[64];
	time_t t = time(NULL);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	const char *dlt = pcap_datalink_val_to_name(pcap_in_datalink(in));
	ds_meta(ds, "source", "%s", pcap_in_name(in));
	ds_meta(ds, "source_format", "%s", pcap_in_format(in));
	ds_meta(ds, "link_type", "%s", dlt ? dlt : "?");
	ds_meta(ds, "created", "%s", now);
	ds_meta(ds, "created_by", "ptpcal %s", PTPCAL_VERSION);
}

void capture_exchange_meta(struct ds_writer *ds, struct pcap_in *in, const char *timestamp_type)
{
	capture_common_meta(ds, in);
	ds_meta(ds, "capture_side", "slave (the port that sends Delay_Req)");
	ds_meta(ds, "capture_timestamps", "t2 t3");
	ds_meta(ds, "message_timestamps", "t1 t4");
	ds_meta(ds, "timestamp_type", "%s", timestamp_type);
	/* `timescale` is the capture clock's (t2 t3), TAI, UTC or unknown: calibrate compares
	 * it with a truth's (docs/dataset-format.md). A file does not say which clock
	 * stamped it; the live capture knows and overrides this. */
	ds_meta(ds, "timescale", "unknown");
	ds_meta(ds, "timescale_note",
		"t1 t4 in the master's (see announce_* below), t2 t3 in the capture clock's");
	ds_meta(ds, "sign_convention", "offset = slave - master (IEEE 1588, ptp4l)");
	ds_meta(ds, "formulas",
		"fwd = t2 - t1 - asym; rev = t4 - t3; offset = (fwd - rev)/2; delay = (fwd + rev)/2");
}

void capture_trailing_meta(struct ds_writer *ds, const struct pcap_in_stats *st,
			  const struct gm_seen *gms, int ngm, bool truncated)
{
	ds_meta(ds, "packets", "%llu", (unsigned long long)st->packets);
	ds_meta(ds, "ptp_messages", "%llu", (unsigned long long)st->ptp);
	ds_meta(ds, "malformed", "%llu", (unsigned long long)st->malformed);
	if (truncated)
		ds_meta(ds, "input_truncated", "yes: rows end where the input file is damaged");
	for (int i = 0; i < ngm; i++) {
		char id[20];
		const struct gm_seen *g = &gms[i];
		ds_meta(ds, "announce_gm", "%s domain %u class %u accuracy 0x%02x utc_offset %d "
			"utc_offset_valid %d ptp_timescale %d time_traceable %d freq_traceable %d "
			"time_source 0x%02x announces %llu class_changes %d",
			ptp_clock_id_str(g->id, id), g->domain, g->last.clock_class,
			g->last.clock_accuracy, g->last.utc_offset,
			!!(g->flags_last & PTP_FLAG_UTC_OFFSET_VALID),
			!!(g->flags_last & PTP_FLAG_PTP_TIMESCALE),
			!!(g->flags_last & PTP_FLAG_TIME_TRACEABLE),
			!!(g->flags_last & PTP_FLAG_FREQ_TRACEABLE), g->last.time_source,
			(unsigned long long)g->n, g->class_changes);
	}
}

int capture_pairing_counts(const struct pair_counts *c, struct count_name *out)
{
	struct count_name all[] = {
		{ "sync_without_follow_up", c->sync_without_fup },
		{ "follow_up_without_sync", c->fup_without_sync },
		{ "sync_duplicate", c->sync_duplicate },
		{ "follow_up_duplicate", c->fup_duplicate },
		{ "delay_req_unanswered", c->req_unanswered },
		{ "delay_req_pending_at_end", c->req_pending_at_end },
		{ "delay_req_duplicate", c->req_duplicate },
		{ "delay_req_from_other_port", c->req_inbound },
		{ "delay_resp_unmatched", c->resp_unmatched },
		{ "delay_resp_duplicate", c->resp_duplicate },
		{ "delay_resp_no_sync_before", c->resp_no_sync },
		{ "timestamp_out_of_range", c->out_of_range },
		{ "pdelay_incomplete", c->pdelay_incomplete },
		{ "pdelay_unmatched", c->pdelay_unmatched },
		{ "too_many_ports", c->table_full },
		{ "capture_time_reordered", c->reordered },
	};
	int n = (int)(sizeof(all) / sizeof(all[0]));
	memcpy(out, all, sizeof(all));
	return n;
}

void capture_summary_text(const struct pcap_in *in, const struct pairer *p,
			 const struct gm_seen *gms, int ngm)
{
	const struct pcap_in_stats *st = pcap_in_stats(in);
	char line[1024];
	size_t n = 0;
	n += (size_t)snprintf(line, sizeof(line), "%s: %llu packets, %llu PTP", pcap_in_name(in),
			      (unsigned long long)st->packets, (unsigned long long)st->ptp);
	const char *sep = " (";
	for (int t = 0; t < 16; t++) {
		if (!st->by_type[t])
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s %llu", sep, ptp_type_name(t),
				      (unsigned long long)st->by_type[t]);
		sep = ", ";
	}
	if (sep[0] == ',')
		n += (size_t)snprintf(line + n, sizeof(line) - n, ")");
	snprintf(line + n, sizeof(line) - n, ", %llu other, %llu malformed",
		 (unsigned long long)st->other, (unsigned long long)st->malformed);
	log_note("%s", line);
	for (int m = 1; m < MAL_COUNT; m++)
		if (st->mal.n[m])
			log_note("  malformed: %llu x %s", (unsigned long long)st->mal.n[m],
				 malformed_text((enum malformed)m));
	log_note("%llu exchanges in %d session%s, %llu peer-delay measurements; capture side: "
		 "slave (t2 t3 from the capture, t1 t4 from the messages)",
		 (unsigned long long)pairer_exchanges(p), pairer_nsessions(p),
		 pairer_nsessions(p) == 1 ? "" : "s", (unsigned long long)pairer_pdelays(p));
	for (int i = 0; i < pairer_nsessions(p); i++) {
		const struct session_stats *s = pairer_session(p, i);
		char m[PTP_PORT_ID_STRLEN], sl[PTP_PORT_ID_STRLEN], d[32], a[32], b[32], c[32];
		log_note("  domain %u master %s -> slave %s (%s): %llu exchanges over %s", s->domain,
			 ptp_port_id_str(&s->master, m), ptp_port_id_str(&s->slave, sl),
			 frame_encap_name(s->encap), (unsigned long long)s->n,
			 fmt_duration(ptime_diff_ns(s->last_t2, s->first_t2), d, sizeof(d)));
		log_note("    offset mean %s (min %s, max %s), mean path delay %s",
			 fmt_si_time(s->offset_sum / (double)s->n, a, sizeof(a)),
			 fmt_si_time(s->offset_min, b, sizeof(b)), fmt_si_time(s->offset_max, c, sizeof(c)),
			 fmt_si_time(s->delay_sum / (double)s->n, d, sizeof(d)));
	}
	struct count_name cn[32];
	int k = capture_pairing_counts(pairer_counts(p), cn);
	for (int i = 0; i < k; i++)
		if (cn[i].v)
			log_note("  pairing: %llu %s", (unsigned long long)cn[i].v, cn[i].name);
	for (int i = 0; i < ngm; i++) {
		char id[20];
		log_note("  grandmaster %s: clockClass %u, currentUtcOffset %d (valid %d), "
			 "PTP timescale %d", ptp_clock_id_str(gms[i].id, id), gms[i].last.clock_class,
			 gms[i].last.utc_offset, !!(gms[i].flags_last & PTP_FLAG_UTC_OFFSET_VALID),
			 !!(gms[i].flags_last & PTP_FLAG_PTP_TIMESCALE));
	}
}

void capture_summary_json(const struct pcap_in *in, const struct pairer *p,
			  const struct gm_seen *gms, int ngm, bool truncated, bool stopped,
			  const struct capture_live_info *live)
{
	const struct pcap_in_stats *st = pcap_in_stats(in);
	struct json j;
	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "source", pcap_in_name(in));
	json_str(&j, "source_format", pcap_in_format(in));
	const char *dlt = pcap_datalink_val_to_name(pcap_in_datalink(in));
	json_str(&j, "link_type", dlt ? dlt : "?");
	json_bool(&j, "truncated", truncated);
	json_bool(&j, "interrupted", stopped);
	if (live) {
		json_str(&j, "interface", live->interface);
		json_str(&j, "timestamp_type", live->timestamp_type);
		json_str(&j, "run_as", live->run_as);
		json_int(&j, "kernel_dropped", (int64_t)live->kernel_dropped);
		json_int(&j, "interface_dropped", (int64_t)live->interface_dropped);
		json_int(&j, "capture_files", live->files);
		json_str(&j, "stop_reason", live->stop_reason);
	}
	json_int(&j, "packets", (int64_t)st->packets);
	json_int(&j, "ptp", (int64_t)st->ptp);
	json_int(&j, "other", (int64_t)st->other);
	json_int(&j, "malformed", (int64_t)st->malformed);
	json_obj_begin(&j, "malformed_reasons");
	for (int m = 1; m < MAL_COUNT; m++)
		if (st->mal.n[m])
			json_int(&j, malformed_name((enum malformed)m), (int64_t)st->mal.n[m]);
	json_obj_end(&j);
	json_obj_begin(&j, "messages");
	for (int t = 0; t < 16; t++)
		if (st->by_type[t])
			json_int(&j, ptp_type_name(t), (int64_t)st->by_type[t]);
	json_obj_end(&j);
	json_str(&j, "capture_side", "slave");
	json_int(&j, "exchanges", (int64_t)pairer_exchanges(p));
	json_int(&j, "pdelays", (int64_t)pairer_pdelays(p));
	json_arr_begin(&j, "sessions");
	for (int i = 0; i < pairer_nsessions(p); i++) {
		const struct session_stats *s = pairer_session(p, i);
		char m[PTP_PORT_ID_STRLEN], sl[PTP_PORT_ID_STRLEN];
		json_obj_begin(&j, NULL);
		json_int(&j, "domain", s->domain);
		json_str(&j, "master", ptp_port_id_str(&s->master, m));
		json_str(&j, "slave", ptp_port_id_str(&s->slave, sl));
		json_str(&j, "encap", frame_encap_name(s->encap));
		json_int(&j, "exchanges", (int64_t)s->n);
		json_time(&j, "first_t2", s->first_t2.ns);
		json_time(&j, "last_t2", s->last_t2.ns);
		json_num(&j, "duration_s", ptime_diff_ns(s->last_t2, s->first_t2) / 1e9);
		json_num(&j, "offset_mean_ns", s->offset_sum / (double)s->n);
		json_num(&j, "offset_min_ns", s->offset_min);
		json_num(&j, "offset_max_ns", s->offset_max);
		json_num(&j, "delay_mean_ns", s->delay_sum / (double)s->n);
		json_num(&j, "delay_min_ns", s->delay_min);
		json_num(&j, "delay_max_ns", s->delay_max);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_begin(&j, "pairing");
	struct count_name cn[32];
	int k = capture_pairing_counts(pairer_counts(p), cn);
	for (int i = 0; i < k; i++)
		json_int(&j, cn[i].name, (int64_t)cn[i].v);
	json_obj_end(&j);
	json_arr_begin(&j, "grandmasters");
	for (int i = 0; i < ngm; i++) {
		char id[20];
		json_obj_begin(&j, NULL);
		json_str(&j, "identity", ptp_clock_id_str(gms[i].id, id));
		json_int(&j, "domain", gms[i].domain);
		json_int(&j, "clock_class", gms[i].last.clock_class);
		json_int(&j, "clock_accuracy", gms[i].last.clock_accuracy);
		json_int(&j, "current_utc_offset", gms[i].last.utc_offset);
		json_bool(&j, "current_utc_offset_valid", gms[i].flags_last & PTP_FLAG_UTC_OFFSET_VALID);
		json_bool(&j, "ptp_timescale", gms[i].flags_last & PTP_FLAG_PTP_TIMESCALE);
		json_int(&j, "time_source", gms[i].last.time_source);
		json_int(&j, "announces", (int64_t)gms[i].n);
		json_int(&j, "class_changes", gms[i].class_changes);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

/* What each PTP packet of the file goes to. */
struct reader {
	struct pairer *p;
	struct message_writer *msg;
	struct gm_seen gms[MAX_GMS];
	int ngm;
	bool tty;
	time_t last_progress;
};

static bool on_packet(void *ctx, const struct ptp_packet *pkt)
{
	struct reader *r = ctx;
	pairer_feed(r->p, pkt);
	if (pkt->msg.hdr.type == PTP_ANNOUNCE)
		capture_track_announce(r->gms, &r->ngm, &pkt->msg);
	if (r->msg)
		message_writer_row(r->msg, pkt);
	if (r->tty && (pkt->frame & 0xffff) == 0 && time(NULL) != r->last_progress) {
		r->last_progress = time(NULL);
		fprintf(stderr, "\r%s: %llu packets, %llu exchanges ", log_command(),
			(unsigned long long)pkt->frame, (unsigned long long)pairer_exchanges(r->p));
	}
	return !stop_signal_caught();
}

int cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "pdelay", required_argument, NULL, 'P' },
		{ "messages", required_argument, NULL, 'M' },
		{ "slave", required_argument, NULL, 'S' },
		{ "any-direction", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* -i IFACE: a live capture (live_capture.c), with options of its own. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-i") || !strncmp(argv[i], "--interface", 11) ||
		    (argv[i][0] == '-' && argv[i][1] == 'i' && argv[i][2]))
			return capture_live_main(argc, argv);
	const char *in_path = NULL, *out_path = NULL, *pd_path = NULL, *msg_path = NULL;
	struct pairer_opts popts = { 0 };
	bool json = false;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "r:o:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': in_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'P': pd_path = optarg; break;
		case 'M': msg_path = optarg; break;
		case 'S':
			if (!ptp_port_id_parse(optarg, &popts.slave))
				return usage_error("--slave: '%s' is not a port identity "
						   "(like 001122.fffe.334455-1)", optarg);
			popts.have_slave = true;
			break;
		case 'A': popts.any_direction = true; break;
		case 'j': json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!in_path)
		return usage_error("no input: give -r FILE");
	int nstdout = (out_path && !strcmp(out_path, "-")) + (pd_path && !strcmp(pd_path, "-")) +
		      (msg_path && !strcmp(msg_path, "-")) + json;
	if (nstdout > 1)
		return usage_error("only one of -o, --pdelay, --messages and --json can use stdout");

	struct pcap_in *in = pcap_in_open_offline(in_path);
	if (!in)
		return EXIT_USAGE;
	struct outputs out = { 0 };
	if (out_path && !(out.ex = exchange_writer_open(out_path)))
		goto fail_open;
	if (pd_path && !(out.pd = pdelay_writer_open(pd_path)))
		goto fail_open;
	if (msg_path && !(out.msg = message_writer_open(msg_path)))
		goto fail_open;
	if (out.ex)
		capture_exchange_meta(exchange_writer_ds(out.ex), in,
				      "as recorded in the file (host or adapter: see the capturing tool)");
	if (out.pd) {
		capture_common_meta(pdelay_writer_ds(out.pd), in);
		ds_meta(pdelay_writer_ds(out.pd), "capture_side",
			"requester (t1 t4 from the capture, t2 t3 from the messages)");
	}
	if (out.msg)
		capture_common_meta(message_writer_ds(out.msg), in);

	stop_signal_catch(NULL);

	struct pairer *p = pairer_new(&popts, write_exchange, write_pdelay, &out);
	struct reader r = { .p = p, .msg = out.msg };
	r.tty = progress_wanted();
	r.last_progress = time(NULL);
	int rc = stop_signal_caught() ? 0 : pcap_in_each(in, on_packet, &r);
	if (r.tty && pcap_in_stats(in)->packets > 0xffff)
		fputc('\n', stderr);
	struct gm_seen *gms = r.gms;
	int ngm = r.ngm;
	bool truncated = !stop_signal_caught() && rc < 0;
	pairer_finish(p);
	const struct pcap_in_stats *st = pcap_in_stats(in);
	int status = EXIT_OK;
	if (out.ex)
		capture_trailing_meta(exchange_writer_ds(out.ex), st, gms, ngm, truncated);
	if (exchange_writer_close(out.ex) || pdelay_writer_close(out.pd) ||
	    message_writer_close(out.msg))
		status = EXIT_USAGE;
	if (json)
		capture_summary_json(in, p, gms, ngm, truncated, stop_signal_caught() != 0, NULL);
	capture_summary_text(in, p, gms, ngm);
	if (st->ptp == 0)
		log_warn("%s: no PTP messages found (L2 ethertype 0x88F7 or UDP ports 319/320)",
			 in_path);
	else if (pairer_exchanges(p) == 0 && pairer_pdelays(p) == 0)
		log_warn("%s: no complete exchange: a capture at the slave needs its Sync/Follow_Up "
			 "and Delay_Req/Delay_Resp", in_path);
	if (truncated)
		status = EXIT_USAGE;
	if (stop_signal_caught()) {
		log_note("interrupted: everything read so far was written");
		status = 130;
	}
	pairer_free(p);
	pcap_in_close(in);
	return status;

fail_open:
	exchange_writer_close(out.ex);
	pdelay_writer_close(out.pd);
	message_writer_close(out.msg);
	pcap_in_close(in);
	return EXIT_USAGE;
}
