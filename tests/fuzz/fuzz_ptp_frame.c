/* The emulated switch's frame parser and rewriter (lab/ptp_frame.h) on arbitrary frames: the
 * transparent clock runs it on every frame it forwards (L2 with VLAN tags, UDP over IPv4 and
 * IPv6). Checks: a located message stays locatable after its correctionField and flags are
 * rewritten, the correction reads back as written, and a UDP frame whose checksum was right
 * stays right (RFC 1624 incremental update). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab/ptp_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8 || size > 9000)
		return 0;
	/* The first 8 bytes: the residence time to add (scaled ns); the rest is the frame. */
	int64_t delta;
	memcpy(&delta, data, sizeof(delta));
	delta >>= 8; /* a residence time, not an overflow test: |delta| < 2^55 */
	size_t len = size - 8;
	uint8_t *frame = malloc(len ? len : 1);
	memcpy(frame, data + 8, len);
	struct ptp_loc loc;
	if (ptp_frame_locate(frame, len, &loc)) {
		if (loc.ptp_off > len || loc.ptp_len > len - loc.ptp_off)
			abort();
		bool udp = loc.encap != ENCAP_L2;
		uint16_t stored = 0;
		if (udp && loc.udp_off + 8 <= len)
			stored = (uint16_t)(frame[loc.udp_off + 6] << 8 | frame[loc.udp_off + 7]);
		bool csum_ok = udp && stored != 0 && udp_checksum(frame, len, &loc) == stored;
		int64_t before = loc.msg.hdr.correction;
		ptp_frame_add_correction(frame, &loc, delta);
		ptp_frame_set_flags(frame, &loc, loc.msg.hdr.flags);
		struct ptp_loc again;
		if (!ptp_frame_locate(frame, len, &again))
			abort();
		if (again.msg.hdr.correction != (int64_t)((uint64_t)before + (uint64_t)delta))
			abort();
		if (csum_ok) {
			uint16_t now = (uint16_t)(frame[loc.udp_off + 6] << 8 | frame[loc.udp_off + 7]);
			if (udp_checksum(frame, len, &again) != now)
				abort();
		}
		if (udp)
			ptp_frame_udp_checksum_fill(frame, len, &again);
	}
	free(frame);
	return 0;
}
