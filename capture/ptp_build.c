#include <string.h>

#include "capture/ptp_build.h"

void ptp_msg_init(struct ptp_msg *m, enum ptp_type type, uint8_t domain,
		  const struct ptp_port_id *source, uint16_t seq)
{
	memset(m, 0, sizeof(*m));
	m->hdr.type = (uint8_t)type;
	m->hdr.version = 2;
	m->hdr.domain = domain;
	if (source)
		m->hdr.source = *source;
	m->hdr.seq = seq;
	/* controlField: deprecated in 2019 but still sent with these values (table 42). */
	static const uint8_t control[16] = { 0, 1, 5, 5, 5, 5, 5, 5, 2, 3, 5, 5, 5, 4, 5, 5 };
	m->hdr.control = control[type & 0x0f];
	m->mgmt.id = 0xffff;
}

static void wr_port(uint8_t *p, const struct ptp_port_id *id)
{
	memcpy(p, id->clock, 8);
	wr16(p + 8, id->port);
}

static void wr_ts(uint8_t *p, const struct ptp_wire_ts *ts)
{
	wr48(p, ts->sec);
	wr32(p + 6, ts->nsec);
}

size_t ptp_encode(const struct ptp_msg *m, uint8_t *buf, size_t cap)
{
	size_t body = ptp_min_length(m->hdr.type);
	if (body == 0)
		return 0;
	size_t len = body + m->tlvs_len;
	if (len > cap || len > 65535)
		return 0;
	memset(buf, 0, body);
	const struct ptp_header *h = &m->hdr;
	buf[0] = (uint8_t)(h->major_sdo_id << 4 | (h->type & 0x0f));
	buf[1] = (uint8_t)(h->minor_version << 4 | (h->version & 0x0f));
	wr16(buf + 2, (uint16_t)len);
	buf[4] = h->domain;
	buf[5] = h->minor_sdo_id;
	wr16(buf + 6, h->flags);
	wr64(buf + 8, (uint64_t)h->correction);
	wr32(buf + 16, h->type_specific);
	wr_port(buf + 20, &h->source);
	wr16(buf + 30, h->seq);
	buf[32] = h->control;
	buf[33] = (uint8_t)h->log_interval;
	uint8_t *b = buf + PTP_HEADER_LEN;
	switch (h->type) {
	case PTP_SYNC:
	case PTP_DELAY_REQ:
	case PTP_FOLLOW_UP:
	case PTP_PDELAY_REQ:
		wr_ts(b, &m->ts);
		break;
	case PTP_DELAY_RESP:
	case PTP_PDELAY_RESP:
	case PTP_PDELAY_RESP_FUP:
		wr_ts(b, &m->ts);
		wr_port(b + 10, &m->port2);
		break;
	case PTP_ANNOUNCE: {
		const struct ptp_announce *a = &m->announce;
		wr_ts(b, &m->ts);
		wr16(b + 10, (uint16_t)a->utc_offset);
		b[13] = a->priority1;
		b[14] = a->clock_class;
		b[15] = a->clock_accuracy;
		wr16(b + 16, a->variance);
		b[18] = a->priority2;
		memcpy(b + 19, a->gm_identity, 8);
		wr16(b + 27, a->steps_removed);
		b[29] = a->time_source;
		break;
	}
	case PTP_SIGNALING:
		wr_port(b, &m->port2);
		break;
	case PTP_MANAGEMENT:
		wr_port(b, &m->port2);
		b[10] = m->mgmt.starting_hops;
		b[11] = m->mgmt.hops;
		b[12] = m->mgmt.action & 0x0f;
		break;
	}
	if (m->tlvs_len)
		memcpy(buf + body, m->tlvs, m->tlvs_len);
	return len;
}
