/* PTP management messages (IEEE 1588-2019 clause 15) as linuxptp's ptp4l answers them on its
 * UNIX socket: encoding GET / SET requests and decoding the datasets ptpcal reads.
 *
 * Layouts from linuxptp (v3.1.1, unchanged up to v4.4): ds.h struct defaultDS, currentDS,
 * parentDS, timePropertiesDS, portDS; tlv.h struct time_status_np, grandmaster_settings_np;
 * tlv.h the management ids; pmc_common.c pmc_message() for the header of a request
 * (control 4 = management, logMessageInterval 0x7f, target all ones = every port). Fields are
 * big-endian on the wire (tlv.c mgmt_pre_send/mgmt_post_recv convert them). The header and
 * the management body are encoded and decoded by capture/ptp_build.h and ptp_wire.h. */
#ifndef PTPCAL_PMC_WIRE_H
#define PTPCAL_PMC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/ptp_wire.h"

enum pmc_action { PMC_GET = 0, PMC_SET = 1, PMC_RESPONSE = 2, PMC_COMMAND = 3, PMC_ACKNOWLEDGE = 4 };

/* managementId values (linuxptp tlv.h) */
#define PMC_ID_DEFAULT_DATA_SET 0x2000
#define PMC_ID_CURRENT_DATA_SET 0x2001
#define PMC_ID_PARENT_DATA_SET 0x2002
#define PMC_ID_TIME_PROPERTIES_DATA_SET 0x2003
#define PMC_ID_PORT_DATA_SET 0x2004
#define PMC_ID_TIME_STATUS_NP 0xC000
#define PMC_ID_GRANDMASTER_SETTINGS_NP 0xC001

/* timePropertiesDS.flags / grandmaster_settings_np.time_flags (linuxptp ddt.h, = the low
 * octet of the header flagField) */
#define PMC_LEAP_61 0x01
#define PMC_LEAP_59 0x02
#define PMC_UTC_OFF_VALID 0x04
#define PMC_PTP_TIMESCALE 0x08
#define PMC_TIME_TRACEABLE 0x10
#define PMC_FREQ_TRACEABLE 0x20

/* The id of a dataset name ("TIME_PROPERTIES_DATA_SET", case-insensitive), or -1. */
int pmc_id_by_name(const char *name);
const char *pmc_id_name(int id);
/* The size of its dataField (for GET requests linuxptp's pmc sends that many zero bytes
 * unless -z; ptp4l accepts both). */
size_t pmc_id_datalen(int id);

struct pmc_request {
	uint8_t domain;
	uint8_t transport_specific; /* majorSdoId, high nibble of octet 0 */
	uint8_t boundary_hops;      /* 0: only the ptp4l we talk to answers */
	struct ptp_port_id source;
	uint16_t seq;
	enum pmc_action action;
	uint16_t id;
	const uint8_t *data; /* SET: the dataField; GET: NULL (zeros of pmc_id_datalen) */
	size_t data_len;
};
/* Encode; returns the length or 0 if it does not fit. */
size_t pmc_encode(const struct pmc_request *r, uint8_t *buf, size_t cap);

struct pmc_response {
	uint16_t seq;
	uint8_t action;
	struct ptp_port_id source; /* the answering port */
	uint16_t id;
	bool error;                 /* a MANAGEMENT_ERROR_STATUS TLV */
	uint16_t error_id;          /* managementErrorId */
	const uint8_t *data;        /* the dataField (points into the buffer) */
	size_t data_len;
};
/* Decode a datagram: false (with a reason) if it is not a management response/ack with a
 * management or error-status TLV. */
bool pmc_decode(const uint8_t *buf, size_t len, struct pmc_response *r, const char **why);
const char *pmc_error_name(uint16_t error_id);

/* ---- datasets ---- */
struct pmc_clock_quality {
	uint8_t clock_class, clock_accuracy;
	uint16_t variance; /* offsetScaledLogVariance */
};
struct pmc_default_ds {
	bool two_step, slave_only;
	uint16_t number_ports;
	uint8_t priority1, priority2, domain;
	struct pmc_clock_quality quality;
	uint8_t clock_identity[8];
};
struct pmc_current_ds {
	uint16_t steps_removed;
	int64_t offset_scaled, delay_scaled; /* TimeInterval: ns * 2^16 */
};
struct pmc_parent_ds {
	struct ptp_port_id parent;
	uint8_t parent_stats;
	uint16_t observed_variance;
	int32_t observed_rate;
	uint8_t gm_priority1, gm_priority2;
	struct pmc_clock_quality gm_quality;
	uint8_t gm_identity[8];
};
struct pmc_time_props {
	int16_t utc_offset;
	uint8_t flags;
	uint8_t time_source;
};
struct pmc_port_ds {
	struct ptp_port_id port;
	uint8_t state; /* 1 INITIALIZING .. 9 SLAVE (IEEE 1588 table 20) */
	int8_t log_min_delay_req, log_announce, log_sync, log_min_pdelay_req;
	int64_t peer_delay_scaled;
	uint8_t announce_timeout, delay_mechanism, version;
};
struct pmc_time_status {
	int64_t master_offset_ns, ingress_time_ns;
	int32_t cumulative_scaled_rate_offset, scaled_last_gm_phase_change;
	uint16_t gm_time_base_indicator;
	uint16_t last_gm_phase_change_msb;
	uint64_t last_gm_phase_change_lsb;
	uint16_t last_gm_phase_change_frac;
	int32_t gm_present;
	uint8_t gm_identity[8];
};
struct pmc_gm_settings {
	struct pmc_clock_quality quality;
	int16_t utc_offset;
	uint8_t time_flags;
	uint8_t time_source;
};

/* Decoders: false if the dataField is shorter than the dataset. */
bool pmc_get_default_ds(const uint8_t *d, size_t n, struct pmc_default_ds *o);
bool pmc_get_current_ds(const uint8_t *d, size_t n, struct pmc_current_ds *o);
bool pmc_get_parent_ds(const uint8_t *d, size_t n, struct pmc_parent_ds *o);
bool pmc_get_time_props(const uint8_t *d, size_t n, struct pmc_time_props *o);
bool pmc_get_port_ds(const uint8_t *d, size_t n, struct pmc_port_ds *o);
bool pmc_get_time_status(const uint8_t *d, size_t n, struct pmc_time_status *o);
bool pmc_get_gm_settings(const uint8_t *d, size_t n, struct pmc_gm_settings *o);
/* The dataField of a SET GRANDMASTER_SETTINGS_NP (8 bytes). */
size_t pmc_put_gm_settings(const struct pmc_gm_settings *s, uint8_t *out, size_t cap);

/* linuxptp's name of a port state (util.c ps_str), "NONE" when out of range as pmc does. */
const char *pmc_port_state_name(uint8_t state);

/* A dataset as named fields, in the order and with the names and number formats linuxptp's
 * pmc prints (pmc.c pmc_show), for text and JSON output. */
enum pmc_field_kind { PMC_F_INT, PMC_F_HEX, PMC_F_STR, PMC_F_BOOL, PMC_F_REAL };
struct pmc_field {
	const char *name;
	enum pmc_field_kind kind;
	int hex_digits; /* PMC_F_HEX */
	int64_t i;
	double d;
	char s[48];
};
/* Fields of a response's dataset (up to max); -1 if the id is not one ptpcal decodes or the
 * data is too short. */
int pmc_fields(uint16_t id, const uint8_t *data, size_t len, struct pmc_field *out, int max);

#endif
