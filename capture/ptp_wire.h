/* IEEE 1588-2008/2019 (PTPv2 / v2.1) message decoder.
 *
 * Decodes the 34-byte common header and the body of every message type, keeping every field
 * exactly (correctionField as signed scaled nanoseconds, timestamps as the raw 48-bit seconds
 * and 32-bit nanoseconds). TLVs after the body are walked with bounds checks. The decoder never
 * reads past `len` and never allocates; TLV pointers point into the caller's buffer.
 *
 * Field offsets: IEEE 1588-2019 clause 13.3 (header), 13.5-13.12 (bodies), 14.1 (TLVs);
 * checked against linuxptp msg.h/msg.c and Wireshark's packet-ptp.c. */
#ifndef PTPCAL_PTP_WIRE_H
#define PTPCAL_PTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "capture/malformed.h"

enum ptp_type {
	PTP_SYNC = 0x0,
	PTP_DELAY_REQ = 0x1,
	PTP_PDELAY_REQ = 0x2,
	PTP_PDELAY_RESP = 0x3,
	PTP_FOLLOW_UP = 0x8,
	PTP_DELAY_RESP = 0x9,
	PTP_PDELAY_RESP_FUP = 0xA,
	PTP_ANNOUNCE = 0xB,
	PTP_SIGNALING = 0xC,
	PTP_MANAGEMENT = 0xD,
};

/* flagField, as a 16-bit value: octet 0 in the high byte (IEEE 1588-2019 table 37). */
#define PTP_FLAG_ALTERNATE_MASTER 0x0100
#define PTP_FLAG_TWO_STEP 0x0200
#define PTP_FLAG_UNICAST 0x0400
#define PTP_FLAG_PROFILE1 0x2000
#define PTP_FLAG_PROFILE2 0x4000
#define PTP_FLAG_LEAP61 0x0001
#define PTP_FLAG_LEAP59 0x0002
#define PTP_FLAG_UTC_OFFSET_VALID 0x0004
#define PTP_FLAG_PTP_TIMESCALE 0x0008
#define PTP_FLAG_TIME_TRACEABLE 0x0010
#define PTP_FLAG_FREQ_TRACEABLE 0x0020
#define PTP_FLAG_SYNC_UNCERTAIN 0x0040

#define PTP_HEADER_LEN 34

struct ptp_port_id {
	uint8_t clock[8];
	uint16_t port;
};

struct ptp_wire_ts {
	uint64_t sec; /* 48 bits on the wire */
	uint32_t nsec;
};

struct ptp_header {
	uint8_t major_sdo_id; /* transportSpecific in 1588-2008 */
	uint8_t type;
	uint8_t minor_version; /* minorVersionPTP (1 for v2.1) */
	uint8_t version;       /* versionPTP (2) */
	uint16_t length;       /* messageLength */
	uint8_t domain;
	uint8_t minor_sdo_id;  /* reserved in 1588-2008 */
	uint16_t flags;
	int64_t correction;    /* scaled nanoseconds (2^-16 ns) */
	uint32_t type_specific;
	struct ptp_port_id source;
	uint16_t seq;
	uint8_t control;
	int8_t log_interval;
};

struct ptp_announce {
	int16_t utc_offset; /* currentUtcOffset */
	uint8_t priority1;
	uint8_t clock_class;
	uint8_t clock_accuracy;
	uint16_t variance; /* offsetScaledLogVariance */
	uint8_t priority2;
	uint8_t gm_identity[8];
	uint16_t steps_removed;
	uint8_t time_source;
};

struct ptp_management {
	uint8_t starting_hops;
	uint8_t hops;
	uint8_t action; /* GET 0, SET 1, RESPONSE 2, COMMAND 3, ACKNOWLEDGE 4 */
	uint16_t tlv_type;  /* of the first TLV (MANAGEMENT 0x0001, MANAGEMENT_ERROR_STATUS 0x0002) */
	uint16_t id;        /* managementId (or managementErrorId's id), 0xffff if none */
	const uint8_t *data; /* the TLV's dataField after the id */
	uint16_t data_len;
};

struct ptp_msg {
	struct ptp_header hdr;
	/* The timestamp of the body: originTimestamp (Sync, Delay_Req, Pdelay_Req, Announce),
	 * preciseOriginTimestamp (Follow_Up), receiveTimestamp (Delay_Resp),
	 * requestReceiptTimestamp (Pdelay_Resp), responseOriginTimestamp (Pdelay_Resp_Follow_Up). */
	struct ptp_wire_ts ts;
	bool has_ts;
	/* requestingPortIdentity (Delay_Resp, Pdelay_Resp, Pdelay_Resp_Follow_Up) or
	 * targetPortIdentity (Signaling, Management). */
	struct ptp_port_id port2;
	bool has_port2;
	struct ptp_announce announce;
	struct ptp_management mgmt;
	/* TLVs after the fixed body (within messageLength). */
	const uint8_t *tlvs;
	uint16_t tlvs_len;
	uint16_t tlv_count;
};

/* Decode buf[0..len). Returns MAL_NONE, or the reason the message is malformed. */
enum malformed ptp_decode(const uint8_t *buf, size_t len, struct ptp_msg *m);

/* Iterate TLVs: start with *pos = 0; returns false at the end. Only valid on a message that
 * ptp_decode accepted (the walk was already bounds-checked). */
bool ptp_tlv_next(const struct ptp_msg *m, uint16_t *pos, uint16_t *type, uint16_t *len,
		  const uint8_t **value);

/* Message type name as IEEE 1588 writes it ("Sync", "Delay_Req", ...) or "reserved". */
const char *ptp_type_name(int type);
/* Minimum messageLength of a type, 0 for a reserved type. */
size_t ptp_min_length(int type);
/* Event messages carry timestamps taken at the wire (Sync, Delay_Req, Pdelay_Req/Resp). */
bool ptp_is_event(int type);

/* "001122.fffe.334455-1", linuxptp's spelling; buf must hold PTP_PORT_ID_STRLEN. */
#define PTP_PORT_ID_STRLEN 32
const char *ptp_port_id_str(const struct ptp_port_id *p, char *buf);
/* "001122.fffe.334455"; buf must hold 20. */
const char *ptp_clock_id_str(const uint8_t clock[8], char *buf);
bool ptp_port_id_parse(const char *s, struct ptp_port_id *out);
bool ptp_port_id_eq(const struct ptp_port_id *a, const struct ptp_port_id *b);

/* Big-endian readers used by every wire parser in ptpcal: one unaligned load and a byte
 * swap each (memcpy is how C says "unaligned load"; compilers emit a single mov). */
static inline uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return be16toh(v);
}
static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return be32toh(v);
}
static inline uint64_t rd48(const uint8_t *p)
{
	return ((uint64_t)rd16(p) << 32) | rd32(p + 2);
}
static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return be64toh(v);
}

#endif
