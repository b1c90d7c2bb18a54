/* Link, network and transport decapsulation down to the PTP message.
 *
 * Handles Ethernet II with any stack of up to four 802.1Q / 802.1ad / QinQ tags, ethertype
 * 0x88F7 (IEEE 1588 annex F), UDP over IPv4 and IPv6 (annexes C and D, ports 319 event and
 * 320 general), Linux cooked captures SLL and SLL2 (which also carry the packet direction),
 * raw IP, and BSD loopback. Bounds are checked at every step. */
#ifndef PTPCAL_FRAME_H
#define PTPCAL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/malformed.h"

#define PTP_ETHERTYPE 0x88F7
#define PTP_EVENT_PORT 319
#define PTP_GENERAL_PORT 320

enum frame_encap { ENCAP_L2 = 0, ENCAP_UDP4, ENCAP_UDP6 };
enum frame_dir { DIR_UNKNOWN = 0, DIR_IN, DIR_OUT };

struct frame_info {
	enum frame_encap encap;
	enum frame_dir dir;       /* from SLL/SLL2 packet type; unknown for Ethernet */
	int nvlan;
	uint16_t vlan[4];         /* VLAN IDs, outermost first */
	bool truncated;           /* captured length < length on the wire */
	uint16_t sport, dport;    /* UDP only */
	const uint8_t *ptp;       /* the PTP message */
	size_t ptp_len;           /* bytes available (may exceed messageLength: padding) */
};

enum frame_result {
	FRAME_PTP = 0,   /* fi->ptp points at a PTP message */
	FRAME_OTHER,     /* well-formed, but not PTP (ARP, other UDP, ...) */
	FRAME_MALFORMED, /* *why says what is wrong */
};

/* dlt: the pcap link type (DLT_EN10MB, DLT_LINUX_SLL, ...). caplen bytes are at pkt; wirelen
 * is the original length. */
enum frame_result frame_decode(int dlt, const uint8_t *pkt, size_t caplen, size_t wirelen,
			       struct frame_info *fi, enum malformed *why);

/* Whether ptpcal can decode this link type at all. */
bool frame_dlt_supported(int dlt);
const char *frame_encap_name(enum frame_encap e);

#endif
