/* Reading messages datasets and capture files for the health check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/capture_input.h"
#include "capture/exchange.h"
#include "capture/pcap_in.h"
#include "common/dataset.h"
#include "common/log.h"

bool capture_input_is_pcap(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	unsigned char b[4];
	bool ok = fread(b, 1, 4, f) == 4;
	fclose(f);
	if (!ok)
		return false;
	uint32_t le = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		      (uint32_t)b[3] << 24;
	/* pcap: a1b2c3d4 (us) / a1b23c4d (ns), either byte order; pcapng: SHB 0a0d0d0a */
	return le == 0xa1b2c3d4 || le == 0xd4c3b2a1 || le == 0xa1b23c4d || le == 0x4d3cb2a1 ||
	       le == 0x0a0d0d0a;
}

void capture_input_from_msg(const struct ptp_msg *m, int64_t t_ns, struct health_msg *out)
{
	memset(out, 0, sizeof(*out));
	out->t_ns = t_ns;
	out->type = m->hdr.type;
	out->domain = m->hdr.domain;
	out->seq = m->hdr.seq;
	out->source = m->hdr.source;
	out->flags = m->hdr.flags;
	out->correction = m->hdr.correction;
	out->log_interval = m->hdr.log_interval;
	out->has_ts = m->has_ts;
	out->ts_sec = (int64_t)m->ts.sec;
	out->ts_nsec = m->ts.nsec;
	out->has_port2 = m->has_port2;
	out->port2 = m->port2;
	if (m->hdr.type == PTP_ANNOUNCE) {
		out->is_announce = true;
		memcpy(out->gm, m->announce.gm_identity, 8);
		out->clock_class = m->announce.clock_class;
		out->utc_offset = m->announce.utc_offset;
	}
}

static int type_by_name(const char *s)
{
	for (int t = 0; t < 16; t++)
		if (strcmp(ptp_type_name(t), s) == 0)
			return t;
	return -1;
}

/* "gm 001122.fffe.334455 class 248 ... utc_offset 37" (capture/message_io.c message_info) */
static bool parse_announce_info(const char *info, struct health_msg *m)
{
	char gm[32];
	unsigned cls;
	if (sscanf(info, "gm %24s class %u", gm, &cls) != 2 || cls > 255)
		return false;
	const char *u = strstr(info, "utc_offset ");
	int off;
	if (!u || sscanf(u + 11, "%d", &off) != 1 || off < -32768 || off > 32767)
		return false;
	char id[40];
	struct ptp_port_id pid;
	snprintf(id, sizeof(id), "%s-1", gm);
	if (!ptp_port_id_parse(id, &pid))
		return false;
	memcpy(m->gm, pid.clock, 8);
	m->clock_class = (uint8_t)cls;
	m->utc_offset = (int16_t)off;
	m->is_announce = true;
	return true;
}

bool capture_input_messages(struct health *h, const char *path)
{
	struct ds_reader *r = ds_open(path, "messages");
	if (!r)
		return false;
	int c_time = ds_require_col(r, "time"), c_type = ds_require_col(r, "type"),
	    c_dom = ds_require_col(r, "domain"), c_seq = ds_require_col(r, "seq"),
	    c_src = ds_require_col(r, "source"), c_flags = ds_require_col(r, "flags"),
	    c_corr = ds_require_col(r, "correction_sns"),
	    c_log = ds_require_col(r, "log_interval"), c_sec = ds_require_col(r, "ts_sec"),
	    c_nsec = ds_require_col(r, "ts_nsec"), c_p2 = ds_require_col(r, "port2"),
	    c_info = ds_require_col(r, "info");
	int rc = (c_time < 0 || c_type < 0 || c_dom < 0 || c_seq < 0 || c_src < 0 || c_flags < 0 ||
		  c_corr < 0 || c_log < 0 || c_sec < 0 || c_nsec < 0 || c_p2 < 0 || c_info < 0)
			 ? -1
			 : 0;
	bool tty = isatty(STDERR_FILENO) && log_verbosity() >= 0;
	time_t last = time(NULL);
	size_t rows = 0;
	while (rc == 0 && (rc = ds_next(r)) == 1) {
		if (tty && (++rows & 0xffff) == 0 && time(NULL) != last) {
			last = time(NULL);
			fprintf(stderr, "\r%s: %zu messages read", path, rows);
		}
		rc = -1;
		struct health_msg m;
		memset(&m, 0, sizeof(m));
		struct ptime t;
		int64_t dom, seq, corr, logi;
		if (!ds_get_time(r, c_time, &t) || !ds_get_i64(r, c_dom, &dom) ||
		    !ds_get_i64(r, c_seq, &seq) || !ds_get_i64(r, c_corr, &corr) ||
		    !ds_get_i64(r, c_log, &logi))
			break;
		m.t_ns = t.ns;
		m.type = type_by_name(ds_field(r, c_type));
		if (m.type < 0) {
			ds_error(r, "unknown message type '%s'", ds_field(r, c_type));
			break;
		}
		if (dom < 0 || dom > 255 || seq < 0 || seq > 65535 || logi < -128 || logi > 127) {
			ds_error(r, "domain, seq or log_interval out of range");
			break;
		}
		m.domain = (uint8_t)dom;
		m.seq = (uint16_t)seq;
		m.correction = corr;
		m.log_interval = (int8_t)logi;
		if (!ptp_port_id_parse(ds_field(r, c_src), &m.source)) {
			ds_error(r, "source '%s' is not a port identity", ds_field(r, c_src));
			break;
		}
		char *end;
		const char *fl = ds_field(r, c_flags);
		unsigned long flags = strtoul(fl, &end, 16);
		if (end == fl || *end || flags > 0xffff) {
			ds_error(r, "flags '%s' is not a 16-bit hex number", fl);
			break;
		}
		m.flags = (uint16_t)flags;
		if (strcmp(ds_field(r, c_sec), "nan") != 0) {
			int64_t sec, nsec;
			if (!ds_get_i64(r, c_sec, &sec) || !ds_get_i64(r, c_nsec, &nsec))
				break;
			if (sec < 0 || sec >= (1LL << 48) || nsec < 0 || nsec >= 1000000000) {
				ds_error(r, "timestamp out of range");
				break;
			}
			m.has_ts = true;
			m.ts_sec = sec;
			m.ts_nsec = (uint32_t)nsec;
		}
		const char *p2 = ds_field(r, c_p2);
		if (strcmp(p2, "-") != 0) {
			if (!ptp_port_id_parse(p2, &m.port2)) {
				ds_error(r, "port2 '%s' is not a port identity", p2);
				break;
			}
			m.has_port2 = true;
		}
		if (m.type == PTP_ANNOUNCE && !parse_announce_info(ds_field(r, c_info), &m)) {
			ds_error(r, "Announce info '%s' unreadable", ds_field(r, c_info));
			break;
		}
		health_feed(h, &m);
		rc = 0;
	}
	if (tty && rows >= 0x10000)
		fputc('\n', stderr);
	ds_reader_close(r);
	return rc == 0;
}

struct pair_ctx {
	struct ex_series *s;
	uint64_t too_far;
};

static void on_exchange(void *ctx, const struct exchange *ex)
{
	struct pair_ctx *c = ctx;
	if (!exs_add_exchange(c->s, ex))
		c->too_far++;
}

bool capture_input_pcap(struct health *h, struct ex_series *s, const char *path)
{
	struct pcap_in *in = pcap_in_open_offline(path);
	if (!in)
		return false;
	struct pairer_opts po;
	memset(&po, 0, sizeof(po));
	struct pair_ctx ctx = { s, 0 };
	struct pairer *p = pairer_new(&po, on_exchange, NULL, &ctx);
	struct ptp_packet pkt;
	int rc;
	bool tty = isatty(STDERR_FILENO) && log_verbosity() >= 0;
	time_t last = time(NULL);
	while ((rc = pcap_in_next(in, &pkt)) > 0) {
		pairer_feed(p, &pkt);
		struct health_msg m;
		capture_input_from_msg(&pkt.msg, pkt.ts.ns, &m);
		health_feed(h, &m);
		if (tty && (pkt.frame & 0xffff) == 0 && time(NULL) != last) {
			last = time(NULL);
			fprintf(stderr, "\r%s: %llu packets", path, (unsigned long long)pkt.frame);
		}
	}
	if (tty && pcap_in_stats(in)->packets > 0xffff)
		fputc('\n', stderr);
	pairer_finish(p);
	pairer_free(p);
	pcap_in_close(in);
	s->nfiles++;
	return rc == 0;
}
