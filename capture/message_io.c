#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/message_io.h"
#include "common/log.h"

static const char *const columns[] = {
	"frame", "t_s", "time", "type", "domain", "seq", "source", "flags", "correction_sns",
	"log_interval", "ts_sec", "ts_nsec", "port2", "encap", "vlan", "dir", "version", "sdo_id",
	"length", "info",
};

struct message_writer {
	struct ds_writer *ds;
	bool have_t0;
	struct ptime t0;
};

struct message_writer *message_writer_open(const char *path)
{
	return message_writer_open_in(NULL, path);
}

struct message_writer *message_writer_open_in(const struct outdir *dir, const char *name)
{
	struct ds_writer *ds = ds_create_in(dir, name, "messages");
	if (!ds)
		return NULL;
	struct message_writer *w = xcalloc(1, sizeof(*w));
	w->ds = ds;
	ds_declare_columns(ds, columns, (int)(sizeof(columns) / sizeof(*columns)));
	return w;
}

struct ds_writer *message_writer_ds(struct message_writer *w)
{
	return w->ds;
}

static const char *action_name(int a)
{
	static const char *const n[] = { "GET", "SET", "RESPONSE", "COMMAND", "ACKNOWLEDGE" };
	return a >= 0 && a < 5 ? n[a] : "reserved";
}

void message_info(const struct ptp_msg *m, char *buf, size_t len)
{
	char gm[20];
	buf[0] = '\0';
	switch (m->hdr.type) {
	case PTP_ANNOUNCE: {
		const struct ptp_announce *a = &m->announce;
		snprintf(buf, len,
			 "gm %s class %u accuracy 0x%02x variance 0x%04x priority %u/%u steps %u "
			 "source 0x%02x utc_offset %d",
			 ptp_clock_id_str(a->gm_identity, gm), a->clock_class, a->clock_accuracy,
			 a->variance, a->priority1, a->priority2, a->steps_removed, a->time_source,
			 a->utc_offset);
		break;
	}
	case PTP_MANAGEMENT:
		snprintf(buf, len, "action %s tlv 0x%04x id 0x%04x hops %u/%u",
			 action_name(m->mgmt.action), m->mgmt.tlv_type, m->mgmt.id, m->mgmt.hops,
			 m->mgmt.starting_hops);
		break;
	default:
		break;
	}
	if (m->tlv_count) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%stlvs %u", n ? " " : "", m->tlv_count);
	}
}

void message_writer_row(struct message_writer *w, const struct ptp_packet *pkt)
{
	struct ds_writer *ds = w->ds;
	const struct ptp_msg *m = &pkt->msg;
	char buf[256];
	if (!w->have_t0) {
		w->t0 = pkt->ts;
		w->have_t0 = true;
	}
	ds_put_i64(ds, (int64_t)pkt->frame);
	ds_put_fixed(ds, ptime_diff_ns(pkt->ts, w->t0) / 1e9, 9);
	ds_put_time(ds, pkt->ts);
	ds_put_str(ds, ptp_type_name(m->hdr.type));
	ds_put_i64(ds, m->hdr.domain);
	ds_put_i64(ds, m->hdr.seq);
	ds_put_str(ds, ptp_port_id_str(&m->hdr.source, buf));
	snprintf(buf, sizeof(buf), "0x%04x", m->hdr.flags);
	ds_put_str(ds, buf);
	ds_put_i64(ds, m->hdr.correction);
	ds_put_i64(ds, m->hdr.log_interval);
	if (m->has_ts) {
		ds_put_i64(ds, (int64_t)m->ts.sec);
		ds_put_i64(ds, m->ts.nsec);
	} else {
		ds_put_str(ds, "nan");
		ds_put_str(ds, "nan");
	}
	ds_put_str(ds, m->has_port2 ? ptp_port_id_str(&m->port2, buf) : "-");
	ds_put_str(ds, frame_encap_name(pkt->fi.encap));
	if (pkt->fi.nvlan) {
		size_t n = 0;
		for (int i = 0; i < pkt->fi.nvlan; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u", i ? "," : "",
					      pkt->fi.vlan[i]);
		ds_put_str(ds, buf);
	} else {
		ds_put_str(ds, "-");
	}
	ds_put_str(ds, pkt->fi.dir == DIR_IN ? "in" : pkt->fi.dir == DIR_OUT ? "out" : "-");
	snprintf(buf, sizeof(buf), "%u.%u", m->hdr.version, m->hdr.minor_version);
	ds_put_str(ds, buf);
	snprintf(buf, sizeof(buf), "0x%x%02x", m->hdr.major_sdo_id, m->hdr.minor_sdo_id);
	ds_put_str(ds, buf);
	ds_put_i64(ds, m->hdr.length);
	message_info(m, buf, sizeof(buf));
	ds_put_str(ds, buf[0] ? buf : "-");
	ds_end_row(ds);
}

int message_writer_close(struct message_writer *w)
{
	if (!w)
		return 0;
	int rc = ds_close(w->ds);
	free(w);
	return rc;
}
