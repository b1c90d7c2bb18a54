/* Management answers from ptp4l's socket (pipeline/pmc_wire): decode any datagram, and every
 * dataset ptpcal knows from its dataField, without reading out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pmc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy of exactly size bytes so that ASan sees any over-read */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct pmc_response r;
	const char *why;
	if (pmc_decode(buf, size, &r, &why) && !r.error) {
		if (r.data < buf || r.data + r.data_len > buf + size)
			abort();
		static const uint16_t ids[] = { 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0xC000, 0xC001 };
		struct pmc_field f[32];
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
			pmc_fields(ids[i], r.data, r.data_len, f, 32);
	}
	free(buf);
	return 0;
}
