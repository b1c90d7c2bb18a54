/* Why a packet was skipped. Every malformed packet is counted under exactly one reason and
 * the summary lists the non-zero ones, so "nothing crashes" never means "lost silently". */
#ifndef PTPCAL_MALFORMED_H
#define PTPCAL_MALFORMED_H

#include <stdint.h>

enum malformed {
	MAL_NONE = 0,
	/* link and network layers */
	MAL_LINK_SHORT,      /* frame shorter than its link-layer header */
	MAL_LINK_TYPE,       /* capture link type ptpcal cannot decode */
	MAL_VLAN_DEPTH,      /* more VLAN tags than any real network stacks */
	MAL_IP_SHORT,        /* IPv4/IPv6 header truncated */
	MAL_IP_HEADER,       /* bad version / header length / total length */
	MAL_IP_FRAGMENT,     /* fragmented datagram (PTP never is) */
	MAL_IP6_EXT,         /* IPv6 extension header chain broken */
	MAL_UDP_SHORT,       /* UDP header truncated */
	MAL_UDP_LENGTH,      /* UDP length field inconsistent with the datagram */
	MAL_SNAPLEN,         /* PTP message cut by the capture's snapshot length */
	/* PTP */
	MAL_PTP_SHORT,       /* shorter than the 34-byte common header */
	MAL_PTP_VERSION,     /* versionPTP is not 2 */
	MAL_PTP_LENGTH,      /* messageLength beyond the data, or below the type's minimum */
	MAL_PTP_TYPE,        /* reserved messageType */
	MAL_PTP_TIMESTAMP,   /* a timestamp with nanoseconds >= 10^9 or out of range */
	MAL_PTP_TLV,         /* TLV header or length runs past messageLength, or odd length */
	MAL_COUNT
};

/* Short stable name (for --json and datasets) and a human description. */
const char *malformed_name(enum malformed m);
const char *malformed_text(enum malformed m);

struct malformed_counts {
	uint64_t n[MAL_COUNT];
};

#endif
