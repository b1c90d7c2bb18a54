#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "capture/ptp_build.h"
#include "pipeline/pmc_wire.h"

static const struct {
	int id;
	const char *name;
	size_t len; /* sizeof the linuxptp struct (PACKED) */
} ids[] = {
	{ PMC_ID_DEFAULT_DATA_SET, "DEFAULT_DATA_SET", 20 },
	{ PMC_ID_CURRENT_DATA_SET, "CURRENT_DATA_SET", 18 },
	{ PMC_ID_PARENT_DATA_SET, "PARENT_DATA_SET", 32 },
	{ PMC_ID_TIME_PROPERTIES_DATA_SET, "TIME_PROPERTIES_DATA_SET", 4 },
	{ PMC_ID_PORT_DATA_SET, "PORT_DATA_SET", 26 },
	{ PMC_ID_TIME_STATUS_NP, "TIME_STATUS_NP", 50 },
	{ PMC_ID_GRANDMASTER_SETTINGS_NP, "GRANDMASTER_SETTINGS_NP", 8 },
};
#define NIDS (sizeof(ids) / sizeof(ids[0]))

int pmc_id_by_name(const char *name)
{
	for (size_t i = 0; i < NIDS; i++)
		if (strcasecmp(ids[i].name, name) == 0)
			return ids[i].id;
	return -1;
}

const char *pmc_id_name(int id)
{
	for (size_t i = 0; i < NIDS; i++)
		if (ids[i].id == id)
			return ids[i].name;
	return "unknown";
}

size_t pmc_id_datalen(int id)
{
	for (size_t i = 0; i < NIDS; i++)
		if (ids[i].id == id)
			return ids[i].len;
	return 0;
}

/* Management TLV (IEEE 1588-2019 15.5.2): tlvType 0x0001, lengthField = 2 + dataField,
 * managementId, dataField; a TLV's length is even (14.1.1; linuxptp pads odd datasets). */
size_t pmc_encode(const struct pmc_request *r, uint8_t *buf, size_t cap)
{
	uint8_t tlv[4 + 2 + 512];
	size_t dlen = r->data ? r->data_len : pmc_id_datalen(r->id);
	if (dlen > 512)
		return 0;
	size_t tlen = 2 + dlen;
	if (tlen & 1)
		tlen++;
	memset(tlv, 0, sizeof(tlv));
	wr16(tlv, 0x0001);
	wr16(tlv + 2, (uint16_t)tlen);
	wr16(tlv + 4, r->id);
	if (r->data)
		memcpy(tlv + 6, r->data, dlen);
	struct ptp_msg m;
	ptp_msg_init(&m, PTP_MANAGEMENT, r->domain, &r->source, r->seq);
	m.hdr.major_sdo_id = r->transport_specific & 0x0f;
	m.hdr.log_interval = 0x7f; /* pmc_common.c pmc_message() */
	/* targetPortIdentity: all ones = every clock, every port (pmc's default target) */
	memset(m.port2.clock, 0xff, 8);
	m.port2.port = 0xffff;
	m.mgmt.starting_hops = r->boundary_hops;
	m.mgmt.hops = r->boundary_hops;
	m.mgmt.action = (uint8_t)r->action;
	m.tlvs = tlv;
	m.tlvs_len = (uint16_t)(4 + tlen);
	return ptp_encode(&m, buf, cap);
}

bool pmc_decode(const uint8_t *buf, size_t len, struct pmc_response *r, const char **why)
{
	struct ptp_msg m;
	memset(r, 0, sizeof(*r));
	if (ptp_decode(buf, len, &m) != MAL_NONE) {
		*why = "not a valid PTP message";
		return false;
	}
	if (m.hdr.type != PTP_MANAGEMENT) {
		*why = "not a management message";
		return false;
	}
	r->seq = m.hdr.seq;
	r->action = m.mgmt.action;
	r->source = m.hdr.source;
	if (r->action != PMC_RESPONSE && r->action != PMC_ACKNOWLEDGE) {
		*why = "not a response";
		return false;
	}
	uint16_t pos = 0, type, tlen;
	const uint8_t *v;
	if (!ptp_tlv_next(&m, &pos, &type, &tlen, &v)) {
		*why = "no TLV";
		return false;
	}
	if (type == 0x0001) { /* MANAGEMENT */
		if (tlen < 2) {
			*why = "management TLV too short";
			return false;
		}
		r->id = rd16(v);
		r->data = v + 2;
		r->data_len = tlen - 2u;
		return true;
	}
	if (type == 0x0002) { /* MANAGEMENT_ERROR_STATUS: errorId, managementId, reserved(4) */
		if (tlen < 8) {
			*why = "error-status TLV too short";
			return false;
		}
		r->error = true;
		r->error_id = rd16(v);
		r->id = rd16(v + 2);
		return true;
	}
	*why = "unexpected TLV type";
	return false;
}

/* IEEE 1588-2019 table 109 (linuxptp tlv.h MID_...) */
const char *pmc_error_name(uint16_t e)
{
	switch (e) {
	case 0x0001: return "RESPONSE_TOO_BIG";
	case 0x0002: return "NO_SUCH_ID";
	case 0x0003: return "WRONG_LENGTH";
	case 0x0004: return "WRONG_VALUE";
	case 0x0005: return "NOT_SETABLE";
	case 0x0006: return "NOT_SUPPORTED";
	case 0xFFFE: return "GENERAL_ERROR";
	default: return "unknown error";
	}
}

static void rd_port(const uint8_t *p, struct ptp_port_id *id)
{
	memcpy(id->clock, p, 8);
	id->port = rd16(p + 8);
}

static void rd_quality(const uint8_t *p, struct pmc_clock_quality *q)
{
	q->clock_class = p[0];
	q->clock_accuracy = p[1];
	q->variance = rd16(p + 2);
}

bool pmc_get_default_ds(const uint8_t *d, size_t n, struct pmc_default_ds *o)
{
	if (n < 20)
		return false;
	o->two_step = d[0] & 0x01; /* linuxptp ds.h DDS_TWO_STEP_FLAG, DDS_SLAVE_ONLY */
	o->slave_only = (d[0] & 0x02) != 0;
	o->number_ports = rd16(d + 2);
	o->priority1 = d[4];
	rd_quality(d + 5, &o->quality);
	o->priority2 = d[9];
	memcpy(o->clock_identity, d + 10, 8);
	o->domain = d[18];
	return true;
}

bool pmc_get_current_ds(const uint8_t *d, size_t n, struct pmc_current_ds *o)
{
	if (n < 18)
		return false;
	o->steps_removed = rd16(d);
	o->offset_scaled = (int64_t)rd64(d + 2);
	o->delay_scaled = (int64_t)rd64(d + 10);
	return true;
}

bool pmc_get_parent_ds(const uint8_t *d, size_t n, struct pmc_parent_ds *o)
{
	if (n < 32)
		return false;
	rd_port(d, &o->parent);
	o->parent_stats = d[10];
	o->observed_variance = rd16(d + 12);
	o->observed_rate = (int32_t)rd32(d + 14);
	o->gm_priority1 = d[18];
	rd_quality(d + 19, &o->gm_quality);
	o->gm_priority2 = d[23];
	memcpy(o->gm_identity, d + 24, 8);
	return true;
}

bool pmc_get_time_props(const uint8_t *d, size_t n, struct pmc_time_props *o)
{
	if (n < 4)
		return false;
	o->utc_offset = (int16_t)rd16(d);
	o->flags = d[2];
	o->time_source = d[3];
	return true;
}

bool pmc_get_port_ds(const uint8_t *d, size_t n, struct pmc_port_ds *o)
{
	if (n < 26)
		return false;
	rd_port(d, &o->port);
	o->state = d[10];
	o->log_min_delay_req = (int8_t)d[11];
	o->peer_delay_scaled = (int64_t)rd64(d + 12);
	o->log_announce = (int8_t)d[20];
	o->announce_timeout = d[21];
	o->log_sync = (int8_t)d[22];
	o->delay_mechanism = d[23];
	o->log_min_pdelay_req = (int8_t)d[24];
	o->version = d[25];
	return true;
}

bool pmc_get_time_status(const uint8_t *d, size_t n, struct pmc_time_status *o)
{
	if (n < 50)
		return false;
	o->master_offset_ns = (int64_t)rd64(d);
	o->ingress_time_ns = (int64_t)rd64(d + 8);
	o->cumulative_scaled_rate_offset = (int32_t)rd32(d + 16);
	o->scaled_last_gm_phase_change = (int32_t)rd32(d + 20);
	o->gm_time_base_indicator = rd16(d + 24);
	o->last_gm_phase_change_msb = rd16(d + 26);
	o->last_gm_phase_change_lsb = rd64(d + 28);
	o->last_gm_phase_change_frac = rd16(d + 36);
	o->gm_present = (int32_t)rd32(d + 38);
	memcpy(o->gm_identity, d + 42, 8);
	return true;
}

bool pmc_get_gm_settings(const uint8_t *d, size_t n, struct pmc_gm_settings *o)
{
	if (n < 8)
		return false;
	rd_quality(d, &o->quality);
	o->utc_offset = (int16_t)rd16(d + 4);
	o->time_flags = d[6];
	o->time_source = d[7];
	return true;
}

size_t pmc_put_gm_settings(const struct pmc_gm_settings *s, uint8_t *out, size_t cap)
{
	if (cap < 8)
		return 0;
	out[0] = s->quality.clock_class;
	out[1] = s->quality.clock_accuracy;
	wr16(out + 2, s->quality.variance);
	wr16(out + 4, (uint16_t)s->utc_offset);
	out[6] = s->time_flags;
	out[7] = s->time_source;
	return 8;
}

const char *pmc_port_state_name(uint8_t s)
{
	static const char *const names[] = { "NONE",	   "INITIALIZING", "FAULTY",
					     "DISABLED",   "LISTENING",	   "PRE_MASTER",
					     "MASTER",	   "PASSIVE",	   "UNCALIBRATED",
					     "SLAVE" };
	/* pmc.c: a portState above PS_SLAVE is shown as NONE */
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "NONE";
}

static struct pmc_field *F(struct pmc_field *out, int max, int *k, const char *name,
			   enum pmc_field_kind kind)
{
	static struct pmc_field sink;
	if (*k >= max)
		return &sink;
	struct pmc_field *f = &out[(*k)++];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->kind = kind;
	return f;
}

static void fi(struct pmc_field *o, int max, int *k, const char *name, int64_t v)
{
	F(o, max, k, name, PMC_F_INT)->i = v;
}

static void fh(struct pmc_field *o, int max, int *k, const char *name, int64_t v, int digits)
{
	struct pmc_field *f = F(o, max, k, name, PMC_F_HEX);
	f->i = v;
	f->hex_digits = digits;
}

static void fb(struct pmc_field *o, int max, int *k, const char *name, bool v)
{
	F(o, max, k, name, PMC_F_BOOL)->i = v;
}

static void fs(struct pmc_field *o, int max, int *k, const char *name, const char *s)
{
	snprintf(F(o, max, k, name, PMC_F_STR)->s, sizeof(o->s), "%s", s);
}

static void fr(struct pmc_field *o, int max, int *k, const char *name, double v)
{
	F(o, max, k, name, PMC_F_REAL)->d = v;
}

static void flags_fields(struct pmc_field *o, int max, int *k, uint8_t fl)
{
	fb(o, max, k, "leap61", fl & PMC_LEAP_61);
	fb(o, max, k, "leap59", fl & PMC_LEAP_59);
	fb(o, max, k, "currentUtcOffsetValid", fl & PMC_UTC_OFF_VALID);
	fb(o, max, k, "ptpTimescale", fl & PMC_PTP_TIMESCALE);
	fb(o, max, k, "timeTraceable", fl & PMC_TIME_TRACEABLE);
	fb(o, max, k, "frequencyTraceable", fl & PMC_FREQ_TRACEABLE);
}

int pmc_fields(uint16_t id, const uint8_t *d, size_t n, struct pmc_field *o, int max)
{
	int k = 0;
	char buf[48];
	switch (id) {
	case PMC_ID_DEFAULT_DATA_SET: {
		struct pmc_default_ds x;
		if (!pmc_get_default_ds(d, n, &x))
			return -1;
		fb(o, max, &k, "twoStepFlag", x.two_step);
		fb(o, max, &k, "slaveOnly", x.slave_only);
		fi(o, max, &k, "numberPorts", x.number_ports);
		fi(o, max, &k, "priority1", x.priority1);
		fi(o, max, &k, "clockClass", x.quality.clock_class);
		fh(o, max, &k, "clockAccuracy", x.quality.clock_accuracy, 2);
		fh(o, max, &k, "offsetScaledLogVariance", x.quality.variance, 4);
		fi(o, max, &k, "priority2", x.priority2);
		fs(o, max, &k, "clockIdentity", ptp_clock_id_str(x.clock_identity, buf));
		fi(o, max, &k, "domainNumber", x.domain);
		break;
	}
	case PMC_ID_CURRENT_DATA_SET: {
		struct pmc_current_ds x;
		if (!pmc_get_current_ds(d, n, &x))
			return -1;
		fi(o, max, &k, "stepsRemoved", x.steps_removed);
		/* pmc prints TimeInterval / 65536.0 with one decimal: ns */
		fr(o, max, &k, "offsetFromMaster", (double)x.offset_scaled / 65536.0);
		fr(o, max, &k, "meanPathDelay", (double)x.delay_scaled / 65536.0);
		break;
	}
	case PMC_ID_PARENT_DATA_SET: {
		struct pmc_parent_ds x;
		if (!pmc_get_parent_ds(d, n, &x))
			return -1;
		char pb[PTP_PORT_ID_STRLEN];
		fs(o, max, &k, "parentPortIdentity", ptp_port_id_str(&x.parent, pb));
		fi(o, max, &k, "parentStats", x.parent_stats);
		fh(o, max, &k, "observedParentOffsetScaledLogVariance", x.observed_variance, 4);
		fh(o, max, &k, "observedParentClockPhaseChangeRate", (uint32_t)x.observed_rate, 8);
		fi(o, max, &k, "grandmasterPriority1", x.gm_priority1);
		fi(o, max, &k, "gm.ClockClass", x.gm_quality.clock_class);
		fh(o, max, &k, "gm.ClockAccuracy", x.gm_quality.clock_accuracy, 2);
		fh(o, max, &k, "gm.OffsetScaledLogVariance", x.gm_quality.variance, 4);
		fi(o, max, &k, "grandmasterPriority2", x.gm_priority2);
		fs(o, max, &k, "grandmasterIdentity", ptp_clock_id_str(x.gm_identity, buf));
		break;
	}
	case PMC_ID_TIME_PROPERTIES_DATA_SET: {
		struct pmc_time_props x;
		if (!pmc_get_time_props(d, n, &x))
			return -1;
		fi(o, max, &k, "currentUtcOffset", x.utc_offset);
		flags_fields(o, max, &k, x.flags);
		fh(o, max, &k, "timeSource", x.time_source, 2);
		break;
	}
	case PMC_ID_PORT_DATA_SET: {
		struct pmc_port_ds x;
		if (!pmc_get_port_ds(d, n, &x))
			return -1;
		char pb[PTP_PORT_ID_STRLEN];
		fs(o, max, &k, "portIdentity", ptp_port_id_str(&x.port, pb));
		fs(o, max, &k, "portState", pmc_port_state_name(x.state));
		fi(o, max, &k, "logMinDelayReqInterval", x.log_min_delay_req);
		fi(o, max, &k, "peerMeanPathDelay", x.peer_delay_scaled >> 16); /* pmc.c: >> 16 */
		fi(o, max, &k, "logAnnounceInterval", x.log_announce);
		fi(o, max, &k, "announceReceiptTimeout", x.announce_timeout);
		fi(o, max, &k, "logSyncInterval", x.log_sync);
		fi(o, max, &k, "delayMechanism", x.delay_mechanism);
		fi(o, max, &k, "logMinPdelayReqInterval", x.log_min_pdelay_req);
		fi(o, max, &k, "versionNumber", x.version);
		break;
	}
	case PMC_ID_TIME_STATUS_NP: {
		struct pmc_time_status x;
		if (!pmc_get_time_status(d, n, &x))
			return -1;
		fi(o, max, &k, "master_offset", x.master_offset_ns);
		fi(o, max, &k, "ingress_time", x.ingress_time_ns);
		/* pmc.c: cumulativeScaledRateOffset / 2^41 */
		fr(o, max, &k, "cumulativeScaledRateOffset",
		   (double)x.cumulative_scaled_rate_offset / 2199023255552.0);
		fi(o, max, &k, "scaledLastGmPhaseChange", x.scaled_last_gm_phase_change);
		fi(o, max, &k, "gmTimeBaseIndicator", x.gm_time_base_indicator);
		snprintf(buf, sizeof(buf), "0x%04x'%016llx.%04x", x.last_gm_phase_change_msb,
			 (unsigned long long)x.last_gm_phase_change_lsb, x.last_gm_phase_change_frac);
		fs(o, max, &k, "lastGmPhaseChange", buf);
		fb(o, max, &k, "gmPresent", x.gm_present != 0);
		fs(o, max, &k, "gmIdentity", ptp_clock_id_str(x.gm_identity, buf));
		break;
	}
	case PMC_ID_GRANDMASTER_SETTINGS_NP: {
		struct pmc_gm_settings x;
		if (!pmc_get_gm_settings(d, n, &x))
			return -1;
		fi(o, max, &k, "clockClass", x.quality.clock_class);
		fh(o, max, &k, "clockAccuracy", x.quality.clock_accuracy, 2);
		fh(o, max, &k, "offsetScaledLogVariance", x.quality.variance, 4);
		fi(o, max, &k, "currentUtcOffset", x.utc_offset);
		flags_fields(o, max, &k, x.time_flags);
		fh(o, max, &k, "timeSource", x.time_source, 2);
		break;
	}
	default:
		return -1;
	}
	return k;
}
