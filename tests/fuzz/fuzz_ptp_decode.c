/* The PTP message decoder, the TLV walk, the message summary, and encode(decode(x)): on a
 * message the decoder accepts, re-encoding gives back its first messageLength bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/message_io.h"
#include "capture/ptp_build.h"
#include "capture/ptp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Zeroed first: the decoder sets each field but not the padding (37f14fb, for speed),
	 * and the headers are compared with memcmp below (a false crash under clang). */
	struct ptp_msg m, m2;
	memset(&m, 0, sizeof(m));
	memset(&m2, 0, sizeof(m2));
	if (ptp_decode(data, size, &m) != MAL_NONE)
		return 0;
	uint16_t pos = 0, type, len;
	const uint8_t *val;
	size_t total = 0;
	while (ptp_tlv_next(&m, &pos, &type, &len, &val))
		total += len + (size_t)val[0] * 0; /* touch the value */
	char info[256];
	message_info(&m, info, sizeof(info));
	uint8_t out[65536];
	size_t n = ptp_encode(&m, out, sizeof(out));
	/* Reserved fields (bytes 34.. of Pdelay_Req, Announce byte 46, Management byte 47 and the
	 * high nibbles) are not kept, so compare what the decoder keeps by decoding again. */
	if (n != m.hdr.length || ptp_decode(out, n, &m2) != MAL_NONE ||
	    memcmp(&m.hdr, &m2.hdr, sizeof(m.hdr)) != 0 || m.ts.sec != m2.ts.sec ||
	    m.ts.nsec != m2.ts.nsec || m.tlv_count != m2.tlv_count)
		abort();
	(void)total;
	return 0;
}
