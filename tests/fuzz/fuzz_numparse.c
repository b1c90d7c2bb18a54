/* The fast number parser (common/numparse.h) against strtod on arbitrary bytes: whatever it
 * accepts, whole or as a prefix, must be exactly the double strtod reads from the same text,
 * to the last bit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/numparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256)
		return 0;
	char buf[257];
	char *end;
	double v;
	/* the number at the start, as the series reader takes it: strtod of just that text */
	size_t used = numparse_prefix((const char *)data, size, &v);
	if (used) {
		memcpy(buf, data, used);
		buf[used] = 0;
		double ref = strtod(buf, &end);
		if (end != buf + used || memcmp(&v, &ref, sizeof(v)) != 0)
			abort();
	}
	if (!numparse_fast((const char *)data, size, &v))
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	double ref = strtod(buf, &end);
	if (end != buf + size || memcmp(&v, &ref, sizeof(v)) != 0)
		abort();
	return 0;
}
