/* Rewriting PTP messages in Ethernet frames (see ptp_frame.h). */
#include <pcap/dlt.h>
#include <string.h>

#include "capture/ptp_build.h"
#include "lab/ptp_frame.h"

bool ptp_frame_locate(const uint8_t *frame, size_t len, struct ptp_loc *loc)
{
	struct frame_info fi;
	enum malformed why;
	if (frame_decode(DLT_EN10MB, frame, len, len, &fi, &why) != FRAME_PTP)
		return false;
	if (ptp_decode(fi.ptp, fi.ptp_len, &loc->msg) != MAL_NONE)
		return false;
	loc->encap = fi.encap;
	loc->ptp_off = (size_t)(fi.ptp - frame);
	loc->ptp_len = fi.ptp_len;
	loc->udp_off = fi.encap == ENCAP_L2 ? 0 : loc->ptp_off - 8;
	loc->ip_off = 0;
	if (fi.encap != ENCAP_L2) {
		/* the IP header follows the MAC addresses and any VLAN tags */
		size_t off = 12;
		while (off + 4 <= len && (rd16(frame + off) == 0x8100 || rd16(frame + off) == 0x88a8 ||
					  rd16(frame + off) == 0x9100))
			off += 4;
		loc->ip_off = off + 2;
	}
	return true;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += rd16(p + i);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

uint16_t udp_checksum(const uint8_t *frame, size_t len, const struct ptp_loc *loc)
{
	const uint8_t *ip = frame + loc->ip_off, *udp = frame + loc->udp_off;
	size_t ulen = rd16(udp + 4);
	if (loc->udp_off + ulen > len)
		ulen = len - loc->udp_off;
	uint32_t acc = 0;
	if (loc->encap == ENCAP_UDP4)
		acc = sum16(ip + 12, 8, acc); /* source and destination address */
	else
		acc = sum16(ip + 8, 32, acc);
	acc += 17 + (uint32_t)ulen;   /* protocol, UDP length */
	acc = sum16(udp, 6, acc);     /* the header without its checksum */
	acc = sum16(udp + 8, ulen - 8, acc);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	uint16_t c = (uint16_t)~acc;
	return c == 0 ? 0xffff : c;
}

void ptp_frame_udp_checksum_fill(uint8_t *frame, size_t len, const struct ptp_loc *loc)
{
	if (loc->encap == ENCAP_L2)
		return;
	wr16(frame + loc->udp_off + 6, udp_checksum(frame, len, loc));
}

uint16_t csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word)
{
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), in one's-complement arithmetic. */
	uint32_t sum = (uint16_t)~csum;
	sum += (uint16_t)~old_word;
	sum += new_word;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Replace n bytes (n even, at an even offset from the UDP header) and fix the checksum. */
static void replace_words(uint8_t *frame, const struct ptp_loc *loc, size_t off,
			  const uint8_t *newbytes, size_t n)
{
	uint8_t *p = frame + off;
	if (loc->encap != ENCAP_L2) {
		uint8_t *ck = frame + loc->udp_off + 6;
		uint16_t c = rd16(ck);
		if (c != 0 || loc->encap == ENCAP_UDP6) {
			for (size_t i = 0; i < n; i += 2)
				c = csum_update16(c, rd16(p + i), rd16(newbytes + i));
			if (c == 0)
				c = 0xffff; /* zero means "no checksum" (v4) or is invalid (v6) */
			wr16(ck, c);
		}
	}
	memcpy(p, newbytes, n);
}

void ptp_frame_add_correction(uint8_t *frame, struct ptp_loc *loc, int64_t delta_sns)
{
	uint8_t nb[8];
	int64_t c = (int64_t)((uint64_t)loc->msg.hdr.correction + (uint64_t)delta_sns);
	wr64(nb, (uint64_t)c);
	replace_words(frame, loc, loc->ptp_off + 8, nb, 8);
	loc->msg.hdr.correction = c;
}

void ptp_frame_set_flags(uint8_t *frame, struct ptp_loc *loc, uint16_t flags)
{
	uint8_t nb[2];
	wr16(nb, flags);
	replace_words(frame, loc, loc->ptp_off + 6, nb, 2);
	loc->msg.hdr.flags = flags;
}
