/* Finding and rewriting the PTP message inside an Ethernet frame, as a transparent clock
 * does: locate it (L2 with VLAN tags, UDP over IPv4 or IPv6, via capture/frame.h), add a
 * residence time to its correctionField, and keep the UDP checksum right.
 *
 * The UDP checksum is updated incrementally (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')), so a
 * frame whose checksum was right stays right, over IPv4 and IPv6 alike. An IPv4 checksum of
 * zero means "none" (RFC 768) and stays zero; a computed zero is sent as 0xFFFF (RFC 768, and
 * RFC 8200 8.1 for IPv6, where zero is not allowed). */
#ifndef PTPCAL_PTP_FRAME_H
#define PTPCAL_PTP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/frame.h"
#include "capture/ptp_wire.h"

struct ptp_loc {
	enum frame_encap encap;
	size_t ptp_off;   /* offset of the PTP header in the frame */
	size_t ptp_len;
	size_t udp_off;   /* offset of the UDP header (UDP only) */
	size_t ip_off;    /* offset of the IP header (UDP only) */
	struct ptp_msg msg;
};

/* True if the frame holds a well-formed PTP message (decoded into loc->msg). */
bool ptp_frame_locate(const uint8_t *frame, size_t len, struct ptp_loc *loc);

/* correctionField += delta (scaled ns), UDP checksum fixed. loc->msg.hdr.correction is
 * updated too. */
void ptp_frame_add_correction(uint8_t *frame, struct ptp_loc *loc, int64_t delta_sns);

/* Set flagField (e.g. to clear twoStepFlag), UDP checksum fixed. */
void ptp_frame_set_flags(uint8_t *frame, struct ptp_loc *loc, uint16_t flags);

/* Compute the UDP checksum afresh (IPv4 or IPv6 pseudo-header + UDP header + payload).
 * Needed when the sender's kernel left it to be finished by the NIC (CHECKSUM_PARTIAL, seen
 * by a packet socket as TP_STATUS_CSUMNOTREADY): veth passes such frames on unfinished. */
void ptp_frame_udp_checksum_fill(uint8_t *frame, size_t len, const struct ptp_loc *loc);
/* The full UDP checksum as it should be (for tests and the fill). */
uint16_t udp_checksum(const uint8_t *frame, size_t len, const struct ptp_loc *loc);

/* Incremental one's-complement update of a 16-bit checksum for one 16-bit word changing from
 * old to new (RFC 1624). Exposed for the tests. */
uint16_t csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word);

#endif
