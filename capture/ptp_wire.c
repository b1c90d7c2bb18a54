#include <stdio.h>
#include <string.h>

#include "capture/ptp_wire.h"

/* Body layouts (offsets from the start of the message):
 *   Sync, Delay_Req, Follow_Up:   34 timestamp(10)                              -> 44
 *   Pdelay_Req:                   34 originTimestamp(10), reserved(10)          -> 54
 *   Delay_Resp, Pdelay_Resp, Pdelay_Resp_Follow_Up:
 *                                 34 timestamp(10), 44 requestingPortIdentity(10) -> 54
 *   Announce:                     34 originTimestamp(10), 44 currentUtcOffset(2),
 *                                 46 reserved, 47 grandmasterPriority1,
 *                                 48 grandmasterClockQuality(4), 52 grandmasterPriority2,
 *                                 53 grandmasterIdentity(8), 61 stepsRemoved(2),
 *                                 63 timeSource                                -> 64
 *   Signaling:                    34 targetPortIdentity(10)                      -> 44
 *   Management:                   34 targetPortIdentity(10), 44 startingBoundaryHops,
 *                                 45 boundaryHops, 46 actionField (low nibble),
 *                                 47 reserved                                   -> 48 */

/* What the body of each type holds, so that decoding needs no per-type branches (message
 * types arrive interleaved; a switch on them mispredicted on most packets). */
enum {
	BODY_TS = 1,           /* a timestamp at 34 */
	BODY_TS_USED = 2,      /* ... whose value ptpcal uses: it must be valid */
	BODY_PORT2_AT_44 = 4,  /* requestingPortIdentity after the timestamp */
	BODY_PORT2_AT_34 = 8,  /* targetPortIdentity first */
};

static const struct body_layout {
	uint8_t min_len; /* 0: reserved type */
	uint8_t body;
} body_layout[16] = {
	[PTP_SYNC] = { 44, BODY_TS | BODY_TS_USED }, /* used only if one-step: see below */
	[PTP_DELAY_REQ] = { 44, BODY_TS },
	[PTP_PDELAY_REQ] = { 54, BODY_TS },
	[PTP_PDELAY_RESP] = { 54, BODY_TS | BODY_TS_USED | BODY_PORT2_AT_44 },
	[PTP_FOLLOW_UP] = { 44, BODY_TS | BODY_TS_USED },
	[PTP_DELAY_RESP] = { 54, BODY_TS | BODY_TS_USED | BODY_PORT2_AT_44 },
	[PTP_PDELAY_RESP_FUP] = { 54, BODY_TS | BODY_TS_USED | BODY_PORT2_AT_44 },
	[PTP_ANNOUNCE] = { 64, BODY_TS },
	[PTP_SIGNALING] = { 44, BODY_PORT2_AT_34 },
	[PTP_MANAGEMENT] = { 48, BODY_PORT2_AT_34 },
};

size_t ptp_min_length(int type)
{
	return type >= 0 && type < 16 ? body_layout[type].min_len : 0;
}

const char *ptp_type_name(int type)
{
	switch (type) {
	case PTP_SYNC: return "Sync";
	case PTP_DELAY_REQ: return "Delay_Req";
	case PTP_PDELAY_REQ: return "Pdelay_Req";
	case PTP_PDELAY_RESP: return "Pdelay_Resp";
	case PTP_FOLLOW_UP: return "Follow_Up";
	case PTP_DELAY_RESP: return "Delay_Resp";
	case PTP_PDELAY_RESP_FUP: return "Pdelay_Resp_Follow_Up";
	case PTP_ANNOUNCE: return "Announce";
	case PTP_SIGNALING: return "Signaling";
	case PTP_MANAGEMENT: return "Management";
	default: return "reserved";
	}
}

bool ptp_is_event(int type)
{
	return type >= PTP_SYNC && type <= PTP_PDELAY_RESP;
}

static void rd_port(const uint8_t *p, struct ptp_port_id *id)
{
	memcpy(id->clock, p, 8);
	id->port = rd16(p + 8);
}

enum malformed ptp_decode(const uint8_t *buf, size_t len, struct ptp_msg *m)
{
	/* Set every field explicitly rather than memset the whole struct: this runs once per
	 * packet and clearing ~200 bytes was half of its cost. */
	m->has_ts = false;
	m->has_port2 = false;
	m->ts.sec = 0;
	m->ts.nsec = 0;
	memset(&m->port2, 0, sizeof(m->port2));
	m->tlvs = NULL;
	m->tlvs_len = 0;
	m->tlv_count = 0;
	m->mgmt.starting_hops = m->mgmt.hops = m->mgmt.action = 0;
	m->mgmt.tlv_type = 0;
	m->mgmt.id = 0xffff;
	m->mgmt.data = NULL;
	m->mgmt.data_len = 0;
	if (len < PTP_HEADER_LEN) {
		memset(&m->hdr, 0, sizeof(m->hdr));
		memset(&m->announce, 0, sizeof(m->announce));
		return MAL_PTP_SHORT;
	}
	struct ptp_header *h = &m->hdr;
	h->major_sdo_id = buf[0] >> 4;
	h->type = buf[0] & 0x0f;
	h->minor_version = buf[1] >> 4;
	h->version = buf[1] & 0x0f;
	h->length = rd16(buf + 2);
	h->domain = buf[4];
	h->minor_sdo_id = buf[5];
	h->flags = rd16(buf + 6);
	h->correction = (int64_t)rd64(buf + 8);
	h->type_specific = rd32(buf + 16);
	rd_port(buf + 20, &h->source);
	h->seq = rd16(buf + 30);
	h->control = buf[32];
	h->log_interval = (int8_t)buf[33];

	if (h->type != PTP_ANNOUNCE)
		memset(&m->announce, 0, sizeof(m->announce));
	if (h->version != 2)
		return MAL_PTP_VERSION;
	const struct body_layout lay = body_layout[h->type];
	size_t min = lay.min_len;
	if (min == 0)
		return MAL_PTP_TYPE;
	if (h->length < min || h->length > len)
		return MAL_PTP_LENGTH;

	/* Every type is at least 44 bytes long: the 10 bytes at 34 are there to read. */
	const uint8_t *b = buf + PTP_HEADER_LEN;
	if (lay.body & BODY_TS) {
		m->ts.sec = rd48(b);
		m->ts.nsec = rd32(b + 6);
		m->has_ts = true;
	}
	if (lay.body & (BODY_PORT2_AT_44 | BODY_PORT2_AT_34)) {
		rd_port(lay.body & BODY_PORT2_AT_44 ? b + 10 : b, &m->port2);
		m->has_port2 = true;
	}
	if (h->type == PTP_ANNOUNCE) {
		struct ptp_announce *a = &m->announce;
		a->utc_offset = (int16_t)rd16(b + 10);
		a->priority1 = b[13];
		a->clock_class = b[14];
		a->clock_accuracy = b[15];
		a->variance = rd16(b + 16);
		a->priority2 = b[18];
		memcpy(a->gm_identity, b + 19, 8);
		a->steps_removed = rd16(b + 27);
		a->time_source = b[29];
	} else if (h->type == PTP_MANAGEMENT) {
		m->mgmt.starting_hops = b[10];
		m->mgmt.hops = b[11];
		m->mgmt.action = b[12] & 0x0f;
	}
	/* Timestamps whose value ptpcal uses must be valid; the others (a Delay_Req's, an
	 * Announce's or a two-step Sync's originTimestamp, which linuxptp leaves zero or
	 * approximate) may be anything. */
	if ((lay.body & BODY_TS_USED) && m->ts.nsec >= 1000000000u &&
	    !(h->type == PTP_SYNC && (h->flags & PTP_FLAG_TWO_STEP)))
		return MAL_PTP_TIMESTAMP;

	/* Walk the TLVs: each is type(2) length(2) value(length), length even (14.1.1). Fewer
	 * than 4 bytes left over is padding, not an error (linuxptp msg.c suffix_post_recv). */
	size_t pos = min;
	m->tlvs = buf + min;
	m->tlvs_len = (uint16_t)(h->length - min);
	while (h->length - pos >= 4) {
		uint16_t tlen = rd16(buf + pos + 2);
		if ((tlen & 1) || tlen > h->length - pos - 4)
			return MAL_PTP_TLV;
		if (h->type == PTP_MANAGEMENT && m->tlv_count == 0) {
			m->mgmt.tlv_type = rd16(buf + pos);
			if (tlen >= 2) {
				m->mgmt.id = rd16(buf + pos + 4);
				m->mgmt.data = buf + pos + 6;
				m->mgmt.data_len = (uint16_t)(tlen - 2);
			}
		}
		m->tlv_count++;
		pos += 4 + (size_t)tlen;
	}
	return MAL_NONE;
}

bool ptp_tlv_next(const struct ptp_msg *m, uint16_t *pos, uint16_t *type, uint16_t *len,
		  const uint8_t **value)
{
	if (*pos + 4u > m->tlvs_len)
		return false;
	const uint8_t *p = m->tlvs + *pos;
	*type = rd16(p);
	*len = rd16(p + 2);
	*value = p + 4;
	*pos = (uint16_t)(*pos + 4 + *len);
	return true;
}

const char *ptp_clock_id_str(const uint8_t c[8], char *buf)
{
	snprintf(buf, 20, "%02x%02x%02x.%02x%02x.%02x%02x%02x", c[0], c[1], c[2], c[3], c[4], c[5],
		 c[6], c[7]);
	return buf;
}

const char *ptp_port_id_str(const struct ptp_port_id *p, char *buf)
{
	char c[20];
	snprintf(buf, PTP_PORT_ID_STRLEN, "%s-%u", ptp_clock_id_str(p->clock, c), p->port);
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool ptp_port_id_parse(const char *s, struct ptp_port_id *out)
{
	/* 001122.fffe.334455-1 (dots optional) */
	int nib = 0;
	const char *p = s;
	uint8_t clk[8] = { 0 };
	while (*p && *p != '-') {
		if (*p == '.') {
			p++;
			continue;
		}
		int v = hexval(*p++);
		if (v < 0 || nib >= 16)
			return false;
		clk[nib / 2] = (uint8_t)(clk[nib / 2] << 4 | v);
		nib++;
	}
	if (nib != 16 || *p != '-' || !p[1])
		return false;
	unsigned long port = 0;
	for (p++; *p; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return false;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port > 65535)
		return false;
	memcpy(out->clock, clk, 8);
	out->port = (uint16_t)port;
	return true;
}

bool ptp_port_id_eq(const struct ptp_port_id *a, const struct ptp_port_id *b)
{
	return a->port == b->port && memcmp(a->clock, b->clock, 8) == 0;
}
